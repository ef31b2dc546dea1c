import { z } from 'zod';
import {
  type AgentProvider,
  agentProviders,
  parseCredentials,
  providerSettingsSchemas,
  providerTypeIssue,
} from './agent-providers.js';
import { isoDateTimeSchema, pageQueryWith } from './common.js';
import { stepTypeSchema } from './workflow.js';

/**
 * An agent: what a step's `agentId` names. It says which provider carries the step and with
 * which settings; its credentials live in Secrets Manager and are never part of these shapes'
 * output except on the way in.
 */

/**
 * Caller-chosen ids (Feather's examples use `CALL_AGENT_ID`) become part of a sort key and of a
 * Secrets Manager name, so they keep to characters both take as they are.
 */
export const agentIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, {
  error: 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit',
});

/** Beyond this, a per-agent cap is a typo rather than a plan (the organization's is the same). */
const MAX_CONCURRENT_CALLS = 10_000;

const agentFields = {
  name: z.string().trim().min(1).max(200),
  type: stepTypeSchema,
  /** Read by pacing: at most this many of the agent's calls at once. */
  maxConcurrentCalls: z.int().min(1).max(MAX_CONCURRENT_CALLS).optional(),
};

function providerOption<P extends AgentProvider, T extends z.ZodRawShape>(provider: P, shape: T) {
  return z.strictObject({
    ...shape,
    provider: z.literal(provider),
    settings: providerSettingsSchemas[provider],
  });
}

/** `shape` plus `provider` and that provider's `settings`, one union member per provider. */
function agentUnion<T extends z.ZodRawShape>(shape: T) {
  return z.discriminatedUnion(
    'provider',
    [
      providerOption('retell', shape),
      providerOption('vapi', shape),
      providerOption('twilio', shape),
      providerOption('aws-sms', shape),
      providerOption('webhook', shape),
      providerOption('simulator', shape),
      providerOption('manual', shape),
    ],
    { error: `must be one of ${agentProviders.join(', ')}` }
  );
}

/** The provider carries the agent's step type, with the settings that type needs. */
function checkProviderType(
  agent: { provider: AgentProvider; type: z.infer<typeof stepTypeSchema>; settings: object },
  ctx: z.RefinementCtx
): void {
  const issue = providerTypeIssue(
    agent.provider,
    agent.type,
    agent.settings as Record<string, unknown>
  );
  if (issue) ctx.addIssue({ code: 'custom', ...issue });
}

/** An agent's stored fields without its identity: what a PATCH result is checked against. */
export const agentConfigSchema = agentUnion(agentFields).superRefine(checkProviderType);
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** `POST /api/v1/agents`. Credentials come out parsed, for the secret only. */
export const createAgentSchema = agentUnion({
  id: agentIdSchema.optional(),
  ...agentFields,
  credentials: z.unknown().optional(),
})
  .superRefine(checkProviderType)
  .transform((body, ctx) => {
    const { valid, credentials } = parseCredentials(body.provider, body.credentials, ctx, {
      required: true,
    });
    return valid ? { ...body, credentials } : z.NEVER;
  });
export type CreateAgent = z.infer<typeof createAgentSchema>;

/**
 * `PATCH /api/v1/agents/{agentId}`: the fields to change. `settings` merge into the stored ones
 * while the provider stays (a null removes one) and replace them when it changes; the result
 * must be a valid agent (agentConfigSchema). `credentials` replace the stored set whole (they are
 * write-only, so there is nothing to merge with); null removes them. `maxConcurrentCalls: null`
 * removes the cap.
 */
export const updateAgentSchema = z
  .strictObject({
    name: agentFields.name.optional(),
    type: stepTypeSchema.optional(),
    provider: z.enum(agentProviders).optional(),
    settings: z.record(z.string(), z.unknown()).optional(),
    credentials: z.unknown().optional(),
    maxConcurrentCalls: agentFields.maxConcurrentCalls.nullable(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: 'at least one field is required',
  });
export type UpdateAgent = z.infer<typeof updateAgentSchema>;

/**
 * The credentials a PATCH sends for the agent's (new) `provider`, checked as on create: a
 * provider that needs credentials gets an issue when none come.
 */
export function credentialsFor(provider: AgentProvider) {
  return z.object({ credentials: z.unknown() }).transform((body, ctx) => {
    const { valid, credentials } = parseCredentials(provider, body.credentials, ctx, {
      required: true,
    });
    return valid ? credentials : z.NEVER;
  });
}

/** An agent as stored: no credential values, only the names of those set. */
export const agentSchema = agentUnion({
  id: agentIdSchema,
  organizationId: z.string().min(1),
  ...agentFields,
  credentialKeys: z.array(z.string()),
  /** Bumped by every update; an update made from an older read is refused and retried. */
  version: z.int().min(1),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Agent = z.infer<typeof agentSchema>;

export const listAgentsQuerySchema = pageQueryWith({});
