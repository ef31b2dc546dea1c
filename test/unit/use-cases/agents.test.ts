import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentSecretName,
  readAgentCredentials,
} from '../../../lambdas/adapters/agent-credentials.js';
import { secretsManager } from '../../../lambdas/adapters/aws-clients.js';
import { keys } from '../../../lambdas/adapters/table-keys.js';
import { type CreateAgent, createAgentSchema } from '../../../lambdas/schemas/agent.js';
import {
  AgentExistsError,
  AgentNotFoundError,
  ValidationError,
} from '../../../lambdas/shared/errors.js';
import {
  createAgent,
  deleteAgent,
  findAgent,
  listOrganizationAgents,
  mustFindAgent,
  updateAgent,
} from '../../../lambdas/use-cases/agents.js';
import { LocalSecrets, startSecretsEndpoint } from '../../../local/secrets-endpoint.js';
import { TemplateResolver } from '../../../local/template.js';
import {
  beforeNext,
  getItem,
  type InMemoryTable,
  itemsOfPartition,
  startTable,
} from '../../helpers/in-memory-table.js';

let table: InMemoryTable;
let secretsServer: Server;
let secrets: LocalSecrets;
const now = new Date('2026-11-26T08:00:00.000Z');
const later = new Date('2026-11-26T09:00:00.000Z');

beforeAll(async () => {
  secrets = new LocalSecrets(new TemplateResolver([{ Resources: {} }]), undefined);
  const endpoint = await startSecretsEndpoint(secrets);
  secretsServer = endpoint.server;
  Object.assign(process.env, {
    SECRETSMANAGER_ENDPOINT: endpoint.url,
    AGENT_SECRETS_PREFIX: 'OutreachTest/agents',
  });
  table = await startTable();
});

afterAll(async () => {
  await table.close();
  await new Promise((resolve) => secretsServer.close(resolve));
});

const retellBody = (id?: string): CreateAgent =>
  createAgentSchema.parse({
    ...(id && { id }),
    name: 'Retell caller',
    type: 'CALL',
    provider: 'retell',
    settings: { agentId: 'agent_6b3f', fromNumber: '+14155550100' },
    credentials: { apiKey: 'key_live_secret', webhookSigningKey: 'key_webhook_secret' },
  });

const simulatorBody = (id: string): CreateAgent =>
  createAgentSchema.parse({ id, name: 'Simulated', type: 'TEXT', provider: 'simulator' });

/** Runs `action` once, just before the adapters' next Secrets Manager call goes out. */
function beforeNextSecretsCall(action: () => Promise<void>): void {
  const stack = secretsManager().middlewareStack;
  stack.add(
    (next) => async (args) => {
      if (stack.remove('secrets-race')) await action();
      return next(args);
    },
    { step: 'initialize', name: 'secrets-race' }
  );
}

/** The ValidationError's field paths, from a promise that must reject with one. */
async function validationPaths(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).details?.map((issue) => issue.path) ?? [];
}

describe('agents', () => {
  it('stores the agent in its organization’s partition and its credentials only in its secret', async () => {
    const org = randomUUID();
    const agent = await createAgent(org, retellBody('CALL_AGENT_ID'), now);
    expect(agent).toMatchObject({
      id: 'CALL_AGENT_ID',
      organizationId: org,
      credentialKeys: ['apiKey', 'webhookSigningKey'],
      version: 1,
      createdAt: now.toISOString(),
    });
    const item = await getItem(keys.agent(org, 'CALL_AGENT_ID'));
    expect(item).toMatchObject({ pk: `ORG#${org}`, sk: 'AGENT#CALL_AGENT_ID' });
    expect(JSON.stringify(item)).not.toContain('_secret');
    expect(secrets.value(`OutreachTest/agents/${org}/CALL_AGENT_ID/credentials`)).toBe(
      JSON.stringify({ apiKey: 'key_live_secret', webhookSigningKey: 'key_webhook_secret' })
    );
    expect(await readAgentCredentials(org, 'CALL_AGENT_ID')).toEqual({
      apiKey: 'key_live_secret',
      webhookSigningKey: 'key_webhook_secret',
    });
    expect(await mustFindAgent(org, 'CALL_AGENT_ID')).toEqual(agent);
  });

  it('generates an id when none is chosen', async () => {
    const agent = await createAgent(randomUUID(), retellBody(), now);
    expect(agent.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an id the organization already uses, leaving its agent and secret alone', async () => {
    const org = randomUUID();
    await createAgent(org, retellBody('CALL_AGENT_ID'), now);
    const other = createAgentSchema.parse({
      ...retellBody('CALL_AGENT_ID'),
      credentials: { apiKey: 'someone_else' },
    });
    await expect(createAgent(org, other, later)).rejects.toThrow(AgentExistsError);
    expect((await readAgentCredentials(org, 'CALL_AGENT_ID'))?.apiKey).toBe('key_live_secret');
  });

  it('keeps each organization’s agents apart: same ids, no reads across', async () => {
    const [mine, theirs] = [randomUUID(), randomUUID()];
    await createAgent(mine, retellBody('CALL_AGENT_ID'), now);
    await expect(mustFindAgent(theirs, 'CALL_AGENT_ID')).rejects.toThrow(AgentNotFoundError);
    await expect(updateAgent(theirs, 'CALL_AGENT_ID', { name: 'x' }, later)).rejects.toThrow(
      AgentNotFoundError
    );
    await expect(deleteAgent(theirs, 'CALL_AGENT_ID')).rejects.toThrow(AgentNotFoundError);
    expect(await findAgent(theirs, 'CALL_AGENT_ID')).toBeUndefined();
    await createAgent(theirs, simulatorBody('CALL_AGENT_ID'), now);
    expect((await mustFindAgent(mine, 'CALL_AGENT_ID')).provider).toBe('retell');
    expect((await listOrganizationAgents(theirs, { limit: 10 })).items).toHaveLength(1);
  });

  it('lists an organization’s agents in id order, a page at a time', async () => {
    const org = randomUUID();
    for (const id of ['c-agent', 'a-agent', 'b-agent'])
      await createAgent(org, simulatorBody(id), now);
    const first = await listOrganizationAgents(org, { limit: 2 });
    expect(first.items.map((agent) => agent.id)).toEqual(['a-agent', 'b-agent']);
    const rest = await listOrganizationAgents(org, {
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect(rest).toEqual({ items: [expect.objectContaining({ id: 'c-agent' })], nextCursor: null });
  });

  it('finds a registered agent for dispatch, and nothing for ids no agent can have', async () => {
    const org = randomUUID();
    await createAgent(org, simulatorBody('TEXT_AGENT_ID'), now);
    expect((await findAgent(org, 'TEXT_AGENT_ID'))?.provider).toBe('simulator');
    expect(await findAgent(org, 'CALL_AGENT_ID')).toBeUndefined();
    expect(await findAgent(org, 'agent with spaces#1')).toBeUndefined();
  });
});

describe('agent updates', () => {
  it('merges settings, removes a setting sent as null and the cap sent as null', async () => {
    const org = randomUUID();
    await createAgent(
      org,
      createAgentSchema.parse({
        id: 'texter',
        name: 'AWS texter',
        type: 'TEXT',
        provider: 'aws-sms',
        settings: { originationIdentity: 'pool-1', configurationSetName: 'events' },
        maxConcurrentCalls: 3,
      }),
      now
    );
    const patch = {
      settings: { originationIdentity: 'pool-2', configurationSetName: null },
      maxConcurrentCalls: null,
    };
    const updated = await updateAgent(org, 'texter', patch, later);
    expect(updated).toMatchObject({
      settings: { originationIdentity: 'pool-2' },
      version: 2,
      updatedAt: later.toISOString(),
    });
    expect(updated.maxConcurrentCalls).toBeUndefined();
    expect(await mustFindAgent(org, 'texter')).toEqual(updated);
  });

  it('replaces the credentials whole, and keeps them when none are sent', async () => {
    const org = randomUUID();
    await createAgent(org, retellBody('caller'), now);
    await updateAgent(org, 'caller', { name: 'Renamed' }, later);
    expect((await readAgentCredentials(org, 'caller'))?.apiKey).toBe('key_live_secret');
    const rotated = await updateAgent(org, 'caller', { credentials: { apiKey: 'rotated' } }, later);
    expect(rotated.credentialKeys).toEqual(['apiKey']);
    expect(await readAgentCredentials(org, 'caller')).toEqual({ apiKey: 'rotated' });
  });

  it('checks the merged agent and names the wrong field, changing nothing', async () => {
    const org = randomUUID();
    const created = await createAgent(org, retellBody('caller'), now);
    expect(await validationPaths(updateAgent(org, 'caller', { type: 'TEXT' }, later))).toEqual([
      'type',
    ]);
    const badNumber = { settings: { fromNumber: '555' } };
    expect(await validationPaths(updateAgent(org, 'caller', badNumber, later))).toEqual([
      'settings.fromNumber',
    ]);
    const badKey = { credentials: { apiKey: '' } };
    expect(await validationPaths(updateAgent(org, 'caller', badKey, later))).toEqual([
      'credentials.apiKey',
    ]);
    expect(await mustFindAgent(org, 'caller')).toEqual(created);
    expect((await readAgentCredentials(org, 'caller'))?.apiKey).toBe('key_live_secret');
  });

  it('starts settings and credentials afresh when the provider changes', async () => {
    const org = randomUUID();
    await createAgent(org, retellBody('caller'), now);
    const toVapi = {
      provider: 'vapi' as const,
      settings: { assistantId: 'a', phoneNumberId: 'p' },
    };
    expect(await validationPaths(updateAgent(org, 'caller', toVapi, later))).toEqual([
      'credentials',
    ]);
    const toSimulator = await updateAgent(org, 'caller', { provider: 'simulator' }, later);
    expect(toSimulator).toMatchObject({ provider: 'simulator', settings: {}, credentialKeys: [] });
    expect(await readAgentCredentials(org, 'caller')).toBeUndefined();
    const withCredentials = { ...toVapi, credentials: { apiKey: 'vapi-key' } };
    expect((await updateAgent(org, 'caller', withCredentials, later)).credentialKeys).toEqual([
      'apiKey',
    ]);
    expect(await readAgentCredentials(org, 'caller')).toEqual({ apiKey: 'vapi-key' });
  });

  it('loses neither of two updates that race', async () => {
    const org = randomUUID();
    await createAgent(org, retellBody('caller'), now);
    const { ran } = beforeNext('UpdateItemCommand', async () => {
      await updateAgent(org, 'caller', { maxConcurrentCalls: 4 }, later);
    });
    await updateAgent(org, 'caller', { name: 'Renamed' }, later);
    await ran;
    expect(await mustFindAgent(org, 'caller')).toMatchObject({
      name: 'Renamed',
      maxConcurrentCalls: 4,
      version: 3,
    });
  });

  it('leaves no secret behind when the agent is deleted during an update', async () => {
    const org = randomUUID();
    await createAgent(org, simulatorBody('hook'), now);
    // Deleted after the update read it, before it writes the secret.
    beforeNextSecretsCall(() => deleteAgent(org, 'hook'));
    const patch = {
      provider: 'webhook' as const,
      settings: { url: 'https://agent.example/steps' },
      credentials: { signingSecret: 'hmac' },
    };
    await expect(updateAgent(org, 'hook', patch, later)).rejects.toThrow(AgentNotFoundError);
    expect(await readAgentCredentials(org, 'hook')).toBeUndefined();
  });
});

describe('agent deletes', () => {
  it('deletes the agent and its secret; the id is free again', async () => {
    const org = randomUUID();
    await createAgent(org, retellBody('caller'), now);
    await deleteAgent(org, 'caller');
    expect(await findAgent(org, 'caller')).toBeUndefined();
    expect(secrets.value(agentSecretName(org, 'caller'))).toBeUndefined();
    await expect(deleteAgent(org, 'caller')).rejects.toThrow(AgentNotFoundError);
    await createAgent(org, retellBody('caller'), later);
    expect((await readAgentCredentials(org, 'caller'))?.apiKey).toBe('key_live_secret');
  });

  it('keeps no agent whose credentials could not be stored', async () => {
    const org = randomUUID();
    const stack = secretsManager().middlewareStack;
    stack.add(
      () => async () => {
        throw new Error('Secrets Manager is unavailable');
      },
      { step: 'initialize', name: 'secrets-down' }
    );
    try {
      await expect(createAgent(org, retellBody('caller'), now)).rejects.toThrow('unavailable');
    } finally {
      stack.remove('secrets-down');
    }
    expect(await itemsOfPartition(`ORG#${org}`)).toEqual([]);
  });
});
