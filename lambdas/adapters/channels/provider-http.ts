import type { Agent } from '../../schemas/agent.js';
import type { AgentProvider } from '../../schemas/agent-providers.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import {
  backoffDelayMs,
  classifyProviderError,
  DISPOSITION_AFTER_RETRIES,
  type ProviderFailure,
} from '../../domain/providers/provider-errors.js';
import { logger } from '../../shared/logger.js';
import { countProviderRetriesExhausted } from '../../shared/metrics.js';
import { readAgentCredentials } from '../agent-credentials.js';
import { getAgent } from '../agent-repository.js';
import { recordProviderId } from '../step-attempts.js';
import type { ChannelContext } from './channel.js';

/**
 * What the provider channels (Retell, Twilio) share: the step's agent and its credentials,
 * where the provider's id is kept, and one HTTP exchange with bounded retries.
 */

/** Tries per provider request: with the delay cap, all of them fit well inside Dispatch's 60 s. */
export const MAX_PROVIDER_TRIES = 3;
/** The longest wait between tries: the providers' own advice (up to a minute) does not fit a Lambda. */
export const MAX_RETRY_DELAY_MS = 8_000;
/** Per request; a provider that takes longer is treated as a network failure and retried. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface ProviderAgent {
  agent: Agent;
  credentials: Record<string, string>;
}

/** The seams a test replaces: storage, and time (never sleep for real in a test). */
export interface ProviderDeps {
  loadAgent(context: ChannelContext, provider: AgentProvider): Promise<ProviderAgent>;
  recordProviderId(context: ChannelContext, providerId: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** In [0, 1): the jitter of the backoff. */
  random(): number;
}

async function loadAgent(context: ChannelContext, provider: AgentProvider) {
  const { organizationId } = context.execution;
  const agentId = context.step.agentId;
  const agent = agentId ? await getAgent(organizationId, agentId) : undefined;
  // Chosen at the claim; deleted or changed since, the attempt cannot be placed as chosen.
  if (!agent || agent.provider !== provider)
    throw new Error(`Agent ${agentId ?? '(none)'} is no longer a ${provider} agent`);
  const credentials = await readAgentCredentials(organizationId, agent.id);
  if (!credentials) throw new Error(`Agent ${agent.id} has no ${provider} credentials`);
  return { agent, credentials };
}

export const providerDeps: ProviderDeps = {
  loadAgent,
  recordProviderId: (context, providerId) =>
    recordProviderId(context.execution.id, context.attempt, providerId),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

export type ProviderAnswer = { ok: true; body: unknown } | { ok: false; outcome: Outcome };

/** The error code a provider puts in its body: Twilio `code`, Retell and others a message. */
function bodyCode(body: unknown): string | number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  const code = fields.code ?? fields.error_code ?? fields.error ?? fields.message;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

async function failureOf(response: Response): Promise<ProviderFailure> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    kind: 'http',
    status: response.status,
    code: bodyCode(body),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 && { retryAfterSeconds: retryAfter }),
  };
}

function describe(failure: ProviderFailure): string {
  if (failure.kind === 'http') return `HTTP ${failure.status} ${failure.code ?? ''}`.trim();
  return failure.kind === 'network' ? 'no answer' : failure.name;
}

/**
 * One request to `provider`, tried again on provider trouble (limits, auth, billing, outage,
 * network) with backoff; a refusal that names the number or our request settles at once. The
 * answer is the parsed body, or the outcome the attempt settles with.
 */
export async function requestProvider(
  provider: string,
  send: (signal: AbortSignal) => Promise<Response>,
  deps: ProviderDeps
): Promise<ProviderAnswer> {
  let failure: ProviderFailure = { kind: 'network' };
  for (let attempt = 1; attempt <= MAX_PROVIDER_TRIES; attempt++) {
    try {
      const response = await send(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
      if (response.ok) return { ok: true, body: await response.json() };
      failure = await failureOf(response);
    } catch {
      failure = { kind: 'network' };
    }
    const verdict = classifyProviderError(failure);
    const error = `${provider} refused: ${describe(failure)}`;
    if (verdict.action === 'fail')
      return { ok: false, outcome: { disposition: verdict.disposition, error } };
    if (verdict.action === 'couldNotConnect')
      return { ok: false, outcome: { disposition: 'COULD_NOT_CONNECT', error } };
    logger.warn('provider request failed, retrying', { provider, attempt, reason: verdict.reason });
    if (attempt === MAX_PROVIDER_TRIES) break;
    const baseMs = Math.min(verdict.baseDelayMs, MAX_RETRY_DELAY_MS);
    await deps.sleep(
      backoffDelayMs({ attempt, baseMs, capMs: MAX_RETRY_DELAY_MS, jitter: deps.random() })
    );
  }
  countProviderRetriesExhausted(provider);
  return {
    ok: false,
    outcome: {
      disposition: DISPOSITION_AFTER_RETRIES,
      error: `${provider} kept refusing after ${MAX_PROVIDER_TRIES} tries: ${describe(failure)}`,
    },
  };
}

/** Provider variables are strings only (Retell dynamic variables): other JSON is serialised. */
export function stringVariables(variables: Record<string, unknown> | null | undefined) {
  return Object.fromEntries(
    Object.entries(variables ?? {}).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ])
  );
}
