import type { Agent } from '../../schemas/agent.js';
import { type AgentProvider, providerNeedsCredentials } from '../../schemas/agent-providers.js';
import type { Disposition } from '../../schemas/common.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import { logger } from '../../shared/logger.js';
import { countProviderRetriesExhausted } from '../../shared/metrics.js';
import { readAgentCredentials } from '../agent-credentials.js';
import { getAgent } from '../agent-repository.js';
import { recordProviderId } from '../step-attempts.js';
import type { Channel, ChannelContext } from './channel.js';

/**
 * What the provider channels (Retell, Vapi, Twilio, AWS SMS) share: the step's agent and its credentials,
 * where the provider's id is kept, and one HTTP exchange with bounded retries.
 */

/** Per request; a provider that takes longer is treated as a network failure and retried. */
const REQUEST_TIMEOUT_MS = 10_000;

/** How a provider refused: its HTTP answer (status, body code, Retry-After) or no answer. */
export type ProviderFailure =
  | { kind: 'http'; status: number; code?: string | number; retryAfterSeconds?: number }
  | { kind: 'network' }
  /** An AWS SDK error: its `name`, the `Reason` some exceptions carry, its HTTP status. */
  | { kind: 'aws'; name: string; reason?: string; httpStatus?: number };

/** What to do after failed try `attempt` (1 = the first): wait and try again, or settle. */
export type RetryDecision =
  | { retryInMs: number }
  | { settle: Disposition; retriesExhausted: boolean; reason: string };

/**
 * The provider error policy (classification, backoff, how many tries), passed in by the use
 * case that owns it: adapters carry requests, they do not decide what an error means.
 */
export type RetryPolicy = (failure: ProviderFailure, attempt: number) => RetryDecision;

export interface ProviderAgent {
  agent: Agent;
  credentials: Record<string, string>;
}

/** The seams a test replaces: storage, and time (never sleep for real in a test). */
export interface ProviderDeps {
  loadAgent(context: ChannelContext, provider: AgentProvider): Promise<ProviderAgent>;
  recordProviderId(context: ChannelContext, providerId: string): Promise<void>;
  sleep(ms: number): Promise<void>;
  retryPolicy: RetryPolicy;
}

async function loadAgent(context: ChannelContext, provider: AgentProvider) {
  const { organizationId } = context.execution;
  const agentId = context.step.agentId;
  const agent = agentId ? await getAgent(organizationId, agentId) : undefined;
  // Chosen at the claim; deleted or changed since, the attempt cannot be placed as chosen.
  if (!agent || agent.provider !== provider)
    throw new Error(`Agent ${agentId ?? '(none)'} is no longer a ${provider} agent`);
  if (!providerNeedsCredentials(provider)) return { agent, credentials: {} };
  const credentials = await readAgentCredentials(organizationId, agent.id);
  if (!credentials) throw new Error(`Agent ${agent.id} has no ${provider} credentials`);
  return { agent, credentials };
}

/** The real storage and clock, with the caller's error policy. */
export function providerDeps(retryPolicy: RetryPolicy): ProviderDeps {
  return {
    loadAgent,
    recordProviderId: (context, providerId) =>
      recordProviderId(context.execution.id, context.attempt, providerId),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    retryPolicy,
  };
}

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
  if (failure.kind === 'aws') return `${failure.name} ${failure.reason ?? ''}`.trim();
  return 'no answer';
}

/** One try's result: the provider's answer, or how it refused. */
export type TryResult = { body: unknown } | { failure: ProviderFailure };

async function tryOnce(send: (signal: AbortSignal) => Promise<Response>): Promise<TryResult> {
  try {
    const response = await send(AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    if (response.ok) return { body: await response.json() };
    return { failure: await failureOf(response) };
  } catch {
    return { failure: { kind: 'network' } };
  }
}

/**
 * One request to `provider`, tried again while the retry policy says so (provider trouble:
 * limits, auth, billing, outage, network); a refusal that names the number or our request
 * settles at once. The answer is the parsed body, or the outcome the attempt settles with.
 */
export function requestProvider(
  provider: string,
  send: (signal: AbortSignal) => Promise<Response>,
  deps: ProviderDeps
): Promise<ProviderAnswer> {
  return retryProvider(provider, () => tryOnce(send), deps);
}

/** The retry loop of `requestProvider`, for any way of asking (an HTTP request, an SDK command). */
export async function retryProvider(
  provider: string,
  tryOnce: () => Promise<TryResult>,
  deps: ProviderDeps
): Promise<ProviderAnswer> {
  for (let attempt = 1; ; attempt++) {
    const tried = await tryOnce();
    if ('body' in tried) return { ok: true, body: tried.body };
    const decision = deps.retryPolicy(tried.failure, attempt);
    if ('settle' in decision) {
      if (decision.retriesExhausted) countProviderRetriesExhausted(provider);
      const error = `${provider} refused (${decision.reason}) after ${attempt} tries: ${describe(tried.failure)}`;
      return { ok: false, outcome: { disposition: decision.settle, error } };
    }
    logger.warn('provider request failed, retrying', { provider, attempt });
    await deps.sleep(decision.retryInMs);
  }
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

/**
 * How a provider whose webhook brings the outcome is driven: place the contact, or ask the
 * provider for the one already placed for this attempt.
 */
export interface ProviderPlacement {
  provider: AgentProvider;
  place(
    context: ChannelContext,
    agent: ProviderAgent,
    deps: ProviderDeps
  ): Promise<Outcome | undefined>;
  placed(
    context: ChannelContext,
    agent: ProviderAgent,
    deps: ProviderDeps
  ): Promise<{ providerId?: string; outcome?: Outcome }>;
}

/**
 * A channel for such a provider. A redelivery after a crash places the contact only when the
 * provider has none for this attempt, and keeps the id it found. `follow` answers nothing: the
 * outcome comes in through the provider's webhook.
 */
export function placingChannel(
  name: string,
  placement: ProviderPlacement,
  deps: ProviderDeps
): Channel {
  return {
    name,
    async deliver(context) {
      return placement.place(context, await deps.loadAgent(context, placement.provider), deps);
    },
    async redeliver(context) {
      const agent = await deps.loadAgent(context, placement.provider);
      // Its id was kept: it was placed, and only its outcome is awaited.
      if (context.attempt.providerId) return undefined;
      const { providerId, outcome } = await placement.placed(context, agent, deps);
      if (outcome) return outcome;
      if (!providerId) return placement.place(context, agent, deps);
      await deps.recordProviderId(context, providerId);
      return undefined;
    },
    async follow() {
      return undefined;
    },
  };
}
