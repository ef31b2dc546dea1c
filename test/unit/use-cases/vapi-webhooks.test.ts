import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeAgentCredentials } from '../../../lambdas/adapters/agent-credentials.js';
import { insertAgent } from '../../../lambdas/adapters/agent-repository.js';
import { signVapiRequest } from '../../../lambdas/domain/providers/vapi-signature.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import { UnauthorizedError } from '../../../lambdas/shared/errors.js';
import { logger } from '../../../lambdas/shared/logger.js';
import type { ProviderRequest } from '../../../lambdas/use-cases/provider-webhooks.js';
import { receiveVapiMessage } from '../../../lambdas/use-cases/vapi-webhooks.js';
import { LocalSecrets, startSecretsEndpoint } from '../../../local/secrets-endpoint.js';
import { TemplateResolver } from '../../../local/template.js';
import { type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';

/** Vapi's server authentication forms (https://docs.vapi.ai/server-url/server-authentication). */
const ORGANIZATION = 'org-vapi';
const SECRET = 'vapi-server-secret';
const now = new Date('2026-11-26T08:00:00.000Z');
const agent: Agent = {
  id: 'VAPI_AGENT',
  organizationId: ORGANIZATION,
  name: 'Vapi caller',
  type: 'CALL',
  provider: 'vapi',
  settings: { assistantId: 'asst_1', phoneNumberId: 'pn_1' },
  credentialKeys: ['apiKey', 'serverSecret'],
  version: 1,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedAt: '2026-11-23T15:00:00.000Z',
};
/** A status update for a call that names no attempt of ours: verified, then ignored. */
const rawBody = JSON.stringify({
  message: { type: 'status-update', status: 'ringing', call: { id: 'call-1' } },
});

let table: InMemoryTable;
let secretsServer: Server;

function request(headers: Record<string, string>, overrides: Partial<ProviderRequest> = {}) {
  return {
    organizationId: ORGANIZATION,
    agentId: agent.id,
    rawBody,
    headers,
    url: 'https://api.example.com/hook',
    now,
    ...overrides,
  };
}

function hmacHeaders(secret: string, at: Date, body = rawBody) {
  const timestamp = String(at.getTime());
  const signature = signVapiRequest(
    { kind: 'hmac', secret },
    { rawBody: body, headers: {} },
    timestamp
  );
  return { 'x-signature': signature, 'x-timestamp': timestamp };
}

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  const secrets = new LocalSecrets(new TemplateResolver([{ Resources: {} }]), undefined);
  const endpoint = await startSecretsEndpoint(secrets);
  secretsServer = endpoint.server;
  Object.assign(process.env, {
    SECRETSMANAGER_ENDPOINT: endpoint.url,
    AGENT_SECRETS_PREFIX: 'OutreachTest/agents',
  });
  table = await startTable();
  await insertAgent(agent);
  await writeAgentCredentials(ORGANIZATION, agent.id, { apiKey: 'k', serverSecret: SECRET });
  await insertAgent({ ...agent, id: 'NO_SECRET', credentialKeys: ['apiKey'] });
  await writeAgentCredentials(ORGANIZATION, 'NO_SECRET', { apiKey: 'k' });
});
afterAll(async () => {
  await table.close();
  await new Promise((resolve) => secretsServer.close(resolve));
});

describe('Vapi server messages', () => {
  it.each([
    ['an HMAC signature (default plan)', hmacHeaders(SECRET, now)],
    ['a Bearer token', { authorization: `Bearer ${SECRET}` }],
    ['the legacy X-Vapi-Secret', { 'x-vapi-secret': SECRET }],
  ])('accepts %s made with the agent server secret', async (_, headers) => {
    expect(await receiveVapiMessage(request(headers))).toBe('ignored');
  });

  it.each([
    ['an HMAC signature with another secret', hmacHeaders('other', now)],
    ['an HMAC signature ten minutes old', hmacHeaders(SECRET, new Date(now.getTime() - 600_000))],
    ['an HMAC signature over another body', hmacHeaders(SECRET, now, `${rawBody} `)],
    ['another Bearer token', { authorization: 'Bearer other' }],
    ['no credential at all', {}],
  ])('refuses %s with a 401', async (_, headers) => {
    await expect(receiveVapiMessage(request(headers))).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it('refuses every message for an agent without a server secret, or in another organization', async () => {
    const bearer = { authorization: `Bearer ${SECRET}` };
    for (const overrides of [{ agentId: 'NO_SECRET' }, { organizationId: 'org-other' }])
      await expect(receiveVapiMessage(request(bearer, overrides))).rejects.toBeInstanceOf(
        UnauthorizedError
      );
  });

  it('answers 400 naming the field for a verified message without a call', async () => {
    const body = JSON.stringify({ message: { type: 'end-of-call-report' } });
    const headers = { authorization: `Bearer ${SECRET}` };
    await expect(receiveVapiMessage(request(headers, { rawBody: body }))).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('message.call'),
    });
  });
});
