import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetClients } from '../../../lambdas/adapters/aws-clients.js';
import type { ChannelContext } from '../../../lambdas/adapters/channels/channel.js';
import {
  SIGNING_SECRET_MAX_AGE_SECONDS,
  signWebhook,
  webhookChannel,
} from '../../../lambdas/adapters/channels/webhook.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { anAttempt, anExecution } from '../../helpers/execution-fixture.js';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:SigningSecret-AbCdEf';
const FIRST_VALUE = 'first-signing-value';
const REPLACED_VALUE = 'replaced-signing-value';
const PUBLIC_API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod';

const secretsManager = mockClient(SecretsManagerClient);
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let agent: Server;

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  agent = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => agent.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  secretsManager.restore();
  await new Promise<void>((resolve) => agent.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  secretsManager.reset();
  secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({
    SecretString: FIRST_VALUE,
  });
  Object.assign(process.env, {
    OUTREACH_CHANNEL: 'webhook',
    AGENT_WEBHOOK_URL: `http://127.0.0.1:${(agent.address() as AddressInfo).port}/hook`,
    AGENT_WEBHOOK_SECRET_ARN: SECRET_ARN,
    PUBLIC_API_URL,
    AWS_REGION: 'us-east-1',
  });
  // A fresh container: no client, no cached secret.
  resetClients();
});

afterEach(() => {
  vi.useRealTimers();
});

function aWebhookContext(): ChannelContext {
  const execution = anExecution();
  const step = execution.definition.steps[0];
  if (!step) throw new Error('the fixture has a first step');
  return { execution, step, attempt: anAttempt({ channel: 'webhook' }) };
}

function secretReads(): Array<string | undefined> {
  return secretsManager
    .commandCalls(GetSecretValueCommand)
    .map((call) => call.args[0].input.SecretId);
}

describe('webhookChannel', () => {
  it('signs the POST with the secret value it reads from Secrets Manager', async () => {
    expect(await webhookChannel.deliver(aWebhookContext())).toBeUndefined();

    expect(secretReads()).toEqual([SECRET_ARN]);
    expect(received).toHaveLength(1);
    const [post] = received;
    const timestamp = String(post?.headers['x-outreach-timestamp']);
    expect(post?.headers['x-outreach-signature']).toBe(
      signWebhook(FIRST_VALUE, timestamp, post?.body ?? '')
    );
    expect(JSON.parse(post?.body ?? '{}').callbackUrl).toBe(
      `${PUBLIC_API_URL}/api/v1/step-executions/${anAttempt().id}/outcome`
    );
  });

  it('reads the secret once per max age, then signs with its replaced value', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2026-11-23T15:00:00.000Z');
    vi.setSystemTime(start);
    await webhookChannel.deliver(aWebhookContext());
    await webhookChannel.redeliver(aWebhookContext());
    expect(secretReads()).toHaveLength(1);

    // The operator rotates: put-secret-value. Warm containers keep the old value until max age.
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: REPLACED_VALUE });
    vi.setSystemTime(start + (SIGNING_SECRET_MAX_AGE_SECONDS - 1) * 1000);
    await webhookChannel.deliver(aWebhookContext());
    vi.setSystemTime(start + (SIGNING_SECRET_MAX_AGE_SECONDS + 1) * 1000);
    await webhookChannel.deliver(aWebhookContext());

    expect(secretReads()).toHaveLength(2);
    const signedWith = received.map((post) => {
      const timestamp = String(post.headers['x-outreach-timestamp']);
      const signature = post.headers['x-outreach-signature'];
      return signature === signWebhook(FIRST_VALUE, timestamp, post.body) ? 'first' : 'replaced';
    });
    expect(signedWith).toEqual(['first', 'first', 'first', 'replaced']);
    const last = received[3];
    expect(last?.headers['x-outreach-signature']).toBe(
      signWebhook(REPLACED_VALUE, String(last?.headers['x-outreach-timestamp']), last?.body ?? '')
    );
  });

  it('sends nothing unsigned when the secret cannot be read', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'no such secret', $metadata: {} }));
    await expect(webhookChannel.deliver(aWebhookContext())).rejects.toThrow('no such secret');
    expect(received).toEqual([]);
  });

  it('refuses an empty secret value instead of signing with it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '' });
    await expect(webhookChannel.deliver(aWebhookContext())).rejects.toThrow(/holds no signing key/);
    expect(received).toEqual([]);
  });
});

type Verify = (request: {
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string;
  secrets: string[];
  nowMs?: number;
}) => boolean;

/** The verification snippet exactly as the README shows it, written out and imported. */
async function readmeVerifier(): Promise<{ verify: Verify; cleanup(): void }> {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const snippet = /```js\n(\/\/ verify-outreach-signature\.mjs[\s\S]*?)```/.exec(readme)?.[1];
  if (!snippet) throw new Error('README has no verify-outreach-signature.mjs block');
  const dir = mkdtempSync(join(tmpdir(), 'outreach-verify-'));
  const file = join(dir, 'verify-outreach-signature.mjs');
  writeFileSync(file, snippet);
  const module = (await import(pathToFileURL(file).href)) as { verifyOutreachSignature: Verify };
  return {
    verify: module.verifyOutreachSignature,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe("the README's signature check", () => {
  it('accepts the request the channel sent, and nothing altered', async () => {
    await webhookChannel.deliver(aWebhookContext());
    const [post] = received;
    if (!post) throw new Error('the channel sent nothing');
    const request = {
      timestamp: post.headers['x-outreach-timestamp'] as string | undefined,
      signature: post.headers['x-outreach-signature'] as string | undefined,
      rawBody: post.body,
    };
    const sentAtMs = Number(request.timestamp) * 1000;
    const { verify, cleanup } = await readmeVerifier();
    try {
      expect(verify({ ...request, secrets: [FIRST_VALUE], nowMs: sentAtMs })).toBe(true);
      // During a rotation the agent holds both values.
      expect(verify({ ...request, secrets: ['previous', FIRST_VALUE], nowMs: sentAtMs })).toBe(
        true
      );
      expect(verify({ ...request, secrets: ['another-value'], nowMs: sentAtMs })).toBe(false);
      const tampered = request.rawBody.replace('+14155550123', '+14155550199');
      expect(tampered).not.toBe(request.rawBody);
      expect(
        verify({ ...request, rawBody: tampered, secrets: [FIRST_VALUE], nowMs: sentAtMs })
      ).toBe(false);
      const later = String(Number(request.timestamp) + 1);
      expect(
        verify({ ...request, timestamp: later, secrets: [FIRST_VALUE], nowMs: sentAtMs })
      ).toBe(false);
      // A replay more than 5 minutes later.
      expect(verify({ ...request, secrets: [FIRST_VALUE], nowMs: sentAtMs + 301_000 })).toBe(false);
      expect(verify({ ...request, signature: undefined, secrets: [FIRST_VALUE] })).toBe(false);
    } finally {
      cleanup();
    }
  });
});
