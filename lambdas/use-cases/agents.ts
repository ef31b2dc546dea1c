import { v7 as uuidv7 } from 'uuid';
import { deleteAgentCredentials, writeAgentCredentials } from '../adapters/agent-credentials.js';
import {
  deleteAgent as deleteAgentItem,
  getAgent,
  insertAgent,
  listAgents,
  updateAgent as updateAgentItem,
} from '../adapters/agent-repository.js';
import type { Page, PageOptions } from '../adapters/pagination.js';
import {
  type Agent,
  type AgentConfig,
  agentConfigSchema,
  agentIdSchema,
  agentSchema,
  type CreateAgent,
  credentialsFor,
  type UpdateAgent,
} from '../schemas/agent.js';
import { AgentExistsError, AgentNotFoundError, ConcurrentUpdateError } from '../shared/errors.js';
import { parseWith } from '../shared/validate.js';

/** Fresh reads an update makes before it gives up on a stream of concurrent writes. */
const UPDATE_ATTEMPTS = 5;

/**
 * The agent a step's `agentId` names in this organization, or undefined: a step whose agent is
 * not registered goes to the deployment's default channel, as before agents existed. Dispatch
 * calls it; an id agents cannot have is simply not registered.
 */
export async function findAgent(
  organizationId: string,
  agentId: string
): Promise<Agent | undefined> {
  if (!agentIdSchema.safeParse(agentId).success) return undefined;
  return getAgent(organizationId, agentId);
}

export async function mustFindAgent(organizationId: string, agentId: string): Promise<Agent> {
  const agent = await getAgent(organizationId, agentId);
  if (!agent) throw new AgentNotFoundError(agentId);
  return agent;
}

/**
 * Stores the agent, then its credentials: the conditional put claims the id first, so a
 * duplicate never overwrites another agent's secret. An agent whose credentials could not be
 * stored is removed again, and the caller may simply retry.
 */
export async function createAgent(
  organizationId: string,
  input: CreateAgent,
  now: Date
): Promise<Agent> {
  const { id, credentials, ...config } = input;
  const timestamp = now.toISOString();
  const agent = agentSchema.parse({
    ...config,
    id: id ?? uuidv7(),
    organizationId,
    credentialKeys: Object.keys(credentials ?? {}).sort(),
    version: 1,
    createdAt: timestamp,
    updatedAt: timestamp,
  });
  if (!(await insertAgent(agent))) throw new AgentExistsError(agent.id);
  if (!credentials) return agent;
  try {
    await writeAgentCredentials(organizationId, agent.id, credentials);
  } catch (error) {
    await deleteAgentItem(organizationId, agent.id);
    throw error;
  }
  return agent;
}

export function listOrganizationAgents(
  organizationId: string,
  options: PageOptions
): Promise<Page<Agent>> {
  return listAgents(organizationId, options);
}

/** Settings merge while the provider stays (a null removes one); a new provider starts afresh. */
function mergedConfig(current: Agent, patch: UpdateAgent): AgentConfig {
  const provider = patch.provider ?? current.provider;
  const settings = {
    ...(provider === current.provider ? current.settings : {}),
    ...patch.settings,
  };
  const maxConcurrentCalls =
    patch.maxConcurrentCalls === null
      ? undefined
      : (patch.maxConcurrentCalls ?? current.maxConcurrentCalls);
  const merged = {
    name: patch.name ?? current.name,
    type: patch.type ?? current.type,
    provider,
    settings: Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== null)),
    ...(maxConcurrentCalls !== undefined && { maxConcurrentCalls }),
  };
  return parseWith(agentConfigSchema, merged, 'request body');
}

type SecretChange =
  | { kind: 'keep' }
  | { kind: 'write'; credentials: Record<string, string> }
  | { kind: 'delete' };

/**
 * Sent credentials replace the stored set whole. A provider change without credentials drops
 * the old provider's (a provider that needs some refuses that).
 */
function secretChangeOf(current: Agent, config: AgentConfig, patch: UpdateAgent): SecretChange {
  const providerChanged = config.provider !== current.provider;
  if (patch.credentials === undefined && !providerChanged) return { kind: 'keep' };
  const credentials = parseWith(
    credentialsFor(config.provider),
    { credentials: patch.credentials },
    'request body'
  );
  return credentials ? { kind: 'write', credentials } : { kind: 'delete' };
}

async function applySecretChange(organizationId: string, agentId: string, change: SecretChange) {
  if (change.kind === 'write')
    await writeAgentCredentials(organizationId, agentId, change.credentials);
  if (change.kind === 'delete') await deleteAgentCredentials(organizationId, agentId);
}

/**
 * Changes what the patch sends. The secret is written before the version-checked item update:
 * rewriting it on a retry is harmless, and if the agent was deleted meanwhile the secret
 * written for it is deleted again.
 */
export async function updateAgent(
  organizationId: string,
  agentId: string,
  patch: UpdateAgent,
  now: Date
): Promise<Agent> {
  for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
    const current = await mustFindAgent(organizationId, agentId);
    const config = mergedConfig(current, patch);
    const change = secretChangeOf(current, config, patch);
    await applySecretChange(organizationId, agentId, change);
    const credentialKeys =
      change.kind === 'keep'
        ? current.credentialKeys
        : Object.keys(change.kind === 'write' ? change.credentials : {}).sort();
    const updated = agentSchema.parse({
      ...config,
      id: current.id,
      organizationId,
      credentialKeys,
      version: current.version + 1,
      createdAt: current.createdAt,
      updatedAt: now.toISOString(),
    });
    if (await updateAgentItem(updated, current.version)) return updated;
    if (!(await getAgent(organizationId, agentId))) {
      if (change.kind === 'write') await deleteAgentCredentials(organizationId, agentId);
      throw new AgentNotFoundError(agentId);
    }
  }
  throw new ConcurrentUpdateError('Agent update');
}

/**
 * Deletes the agent and its secret. Steps that name it go to the deployment's default channel
 * from then on. The secret is deleted even when the item listed no keys: that also clears one
 * left by an update that failed half-way.
 */
export async function deleteAgent(organizationId: string, agentId: string): Promise<void> {
  const deleted = await deleteAgentItem(organizationId, agentId);
  if (!deleted) throw new AgentNotFoundError(agentId);
  await deleteAgentCredentials(organizationId, agentId);
}
