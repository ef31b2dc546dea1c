import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../lambdas/adapters/channels/webhook.js';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';
import { localSecretsDir } from '../../local/secrets-endpoint.js';
import { alwaysOpen, featherExecution, featherWorkflow, waitFor } from '../helpers/local-api.js';

const dataDir = mkdtempSync(join(tmpdir(), 'outreach-webhook-'));
const posts: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let agent: Server;
let runtime: LocalRuntime;
/** The agent's reports still on their way: the runtime stops only after they are answered. */
const reporting = new Set<Promise<void>>();

/** What the agent reports for each step it receives, through the callback URL. */
async function reportOutcome(body: string): Promise<void> {
  const step = JSON.parse(body) as { callbackUrl: string };
  await fetch(step.callbackUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': runtime.apiKey },
    body: JSON.stringify({ disposition: 'CALENDLY' }),
  });
}

beforeAll(async () => {
  agent = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      posts.push({ headers: request.headers, body });
      response.writeHead(202).end();
      const report = reportOutcome(body);
      reporting.add(report);
      report.finally(() => reporting.delete(report)).catch(() => undefined);
    });
  });
  await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
  runtime = await startLocalRuntime({
    port: 0,
    dataDir,
    channel: 'webhook',
    agentWebhookUrl: `http://127.0.0.1:${(agent.address() as AddressInfo).port}/steps`,
    // Runs must dispatch at any hour of the real clock; state law is unit-tested.
    environment: { STATE_CALLING_RULES: 'off' },
  });
});

afterAll(async () => {
  // A report still in flight would otherwise reach a runtime that has just closed.
  await Promise.allSettled([...reporting]);
  await runtime?.stop();
  await new Promise<void>((resolve) => agent.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

interface Run {
  id: string;
  status: string;
  disposition: string | null;
  stepExecutions: Array<{ id: string }>;
}

async function request<T>(method: string, path: string, body?: unknown) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { 'x-api-key': runtime.apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

describe('executions with the webhook channel, locally', () => {
  it('signs with the secret kept in the data folder and completes on the agent callback', async () => {
    const [secretFile, ...others] = readdirSync(localSecretsDir(dataDir));
    expect(others).toEqual([]);
    const secret = readFileSync(join(localSecretsDir(dataDir), String(secretFile)), 'utf8').trim();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);

    const workflow = await request<{ id: string }>('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
    });
    const created = await request<Run>(
      'POST',
      `/api/v1/workflow/${workflow.body.id}/execution`,
      featherExecution
    );
    expect(created.status).toBe(201);
    const path = `/api/v1/workflow/${workflow.body.id}/execution/${created.body.id}`;
    const done = await waitFor(
      () => request<Run>('GET', path),
      (run) => run.body.status === 'COMPLETED'
    );
    expect(done.body.disposition).toBe('CALENDLY');

    expect(posts).toHaveLength(1);
    const [post] = posts;
    const timestamp = String(post?.headers['x-outreach-timestamp']);
    expect(post?.headers['x-outreach-signature']).toBe(
      signWebhook(secret, timestamp, post?.body ?? '')
    );
    const stepId = done.body.stepExecutions[0]?.id;
    expect(JSON.parse(post?.body ?? '{}').callbackUrl).toBe(
      `${runtime.url}/api/v1/step-executions/${stepId}/outcome`
    );
  });
});
