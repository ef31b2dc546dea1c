import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { agentSecretName, readAgentCredentials } from '../../lambdas/adapters/agent-credentials.js';
import { logger } from '../../lambdas/shared/logger.js';
import { localSecretFile } from '../../local/secrets-endpoint.js';
import { type ApiClient, bootLocalApi } from '../helpers/local-api.js';

const dataDir = mkdtempSync(join(tmpdir(), 'outreach-agents-'));
let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi({ dataDir });
});

afterAll(async () => {
  await api.runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Everything the process writes to stdout and stderr (the functions' logs) while a test runs. */
let output: string[];
const originalWrites = { out: process.stdout.write, err: process.stderr.write };
beforeEach(() => {
  output = [];
  logger.setLogLevel('DEBUG');
  const capture = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      output.push(String(chunk));
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = capture(originalWrites.out);
  process.stderr.write = capture(originalWrites.err);
});
afterEach(() => {
  process.stdout.write = originalWrites.out;
  process.stderr.write = originalWrites.err;
  logger.setLogLevel('WARN');
});

const API_KEY = 'retell_key_e2e_9f2c';
const WEBHOOK_KEY = 'retell_webhook_e2e_41aa';
const ROTATED_KEY = 'retell_rotated_e2e_7d01';
const secretValues = [API_KEY, WEBHOOK_KEY, ROTATED_KEY];

const callAgent = {
  id: 'CALL_AGENT_ID',
  name: 'Retell caller',
  type: 'CALL',
  provider: 'retell',
  settings: { agentId: 'agent_6b3f0c2e', fromNumber: '+14155550100' },
  credentials: { apiKey: API_KEY, webhookSigningKey: WEBHOOK_KEY },
  maxConcurrentCalls: 10,
};

/** No response body and no log line so far carries a credential value. */
function expectNoSecretIn(...bodies: unknown[]): void {
  // The capture sees the functions' logger, so an empty capture cannot pass for a clean one.
  logger.debug('log capture check');
  expect(output.join('')).toContain('log capture check');
  const seen = [...bodies.map((body) => JSON.stringify(body)), ...output].join('\n');
  for (const value of secretValues) expect(seen).not.toContain(value);
}

describe('agents over HTTP', () => {
  it('stores the credentials through the local secrets endpoint and never answers them', async () => {
    const created = await api.request('POST', '/api/v1/agents', callAgent);
    expect(created.status).toBe(201);
    const { credentials: _written, ...shown } = callAgent;
    expect(created.body).toEqual({
      ...shown,
      organizationId: api.runtime.organizationId,
      credentialsSet: true,
      credentialKeys: ['apiKey', 'webhookSigningKey'],
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
    });
    const read = await api.request('GET', '/api/v1/agents/CALL_AGENT_ID');
    expect(read).toEqual({ status: 200, body: created.body });
    const list = await api.request('GET', '/api/v1/agents');
    expect(list.body).toEqual({
      agents: [created.body],
      pagination: { limit: 10, nextCursor: null },
    });

    const org = api.runtime.organizationId;
    const file = localSecretFile(dataDir, agentSecretName(org, 'CALL_AGENT_ID'));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(callAgent.credentials);
    expect(await readAgentCredentials(org, 'CALL_AGENT_ID')).toEqual(callAgent.credentials);
    expectNoSecretIn(created.body, read.body, list.body);
  });

  it('rotates the credentials with a PATCH, still never answering them', async () => {
    const patched = await api.request('PATCH', '/api/v1/agents/CALL_AGENT_ID', {
      credentials: { apiKey: ROTATED_KEY },
      settings: { fromNumber: '+14155550101' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      settings: { agentId: 'agent_6b3f0c2e', fromNumber: '+14155550101' },
      credentialsSet: true,
      credentialKeys: ['apiKey'],
    });
    const org = api.runtime.organizationId;
    expect(await readAgentCredentials(org, 'CALL_AGENT_ID')).toEqual({ apiKey: ROTATED_KEY });
    expectNoSecretIn(patched.body);
  });

  it('answers 409 for an id in use and 400 naming the field, in the envelope', async () => {
    const duplicate = await api.request('POST', '/api/v1/agents', callAgent);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: 409, code: 'CONFLICT', success: false });
    const refused = await api.request('POST', '/api/v1/agents', {
      ...callAgent,
      id: 'TEXT_AGENT_ID',
      type: 'TEXT',
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'BAD_REQUEST', success: false });
    expect(refused.body.details).toEqual([
      { path: 'type', message: 'retell agents carry CALL only' },
    ]);
    const badPath = await api.request('GET', '/api/v1/agents/bad%23id');
    expect(badPath.status).toBe(400);
    expectNoSecretIn(duplicate.body, refused.body);
  });

  it('shows another organization none of it: 404, not listed, and the id free there', async () => {
    const other = await api.otherOrganization('agents-e2e-other');
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'Taken over' }],
      ['DELETE', undefined],
    ] as const) {
      const answer = await other(method, '/api/v1/agents/CALL_AGENT_ID', body);
      expect(answer.status).toBe(404);
      expect(answer.body).toMatchObject({ code: 'NOT_FOUND', success: false });
    }
    expect((await other('GET', '/api/v1/agents')).body.agents).toEqual([]);
    const theirs = await other('POST', '/api/v1/agents', {
      id: 'CALL_AGENT_ID',
      name: 'Their simulator',
      type: 'CALL',
      provider: 'simulator',
    });
    expect(theirs.body).toMatchObject({ credentialsSet: false, credentialKeys: [] });
    const mine = await api.request('GET', '/api/v1/agents/CALL_AGENT_ID');
    expect(mine.body).toMatchObject({ provider: 'retell', name: 'Retell caller' });
  });

  it('deletes the agent and its secret', async () => {
    const org = api.runtime.organizationId;
    const file = localSecretFile(dataDir, agentSecretName(org, 'CALL_AGENT_ID'));
    const deleted = await api.request('DELETE', '/api/v1/agents/CALL_AGENT_ID');
    expect(deleted).toEqual({ status: 200, body: { message: 'Agent CALL_AGENT_ID deleted' } });
    expect(existsSync(file)).toBe(false);
    expect((await api.request('GET', '/api/v1/agents/CALL_AGENT_ID')).status).toBe(404);
  });
});
