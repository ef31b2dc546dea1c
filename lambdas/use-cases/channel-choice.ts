import { activeChannel, channelRegistry } from '../adapters/channels/index.js';
import type { ProviderFailure, RetryDecision } from '../adapters/channels/provider-http.js';
import {
  backoffDelayMs,
  classifyProviderError,
  DISPOSITION_AFTER_RETRIES,
} from '../domain/providers/provider-errors.js';
import type { AgentProvider } from '../schemas/agent-providers.js';
import type { Execution } from '../schemas/execution.js';
import type { StepType } from '../schemas/workflow.js';
import { findAgent } from './agents.js';

/** Tries per provider request: with the delay cap, all of them fit well inside Dispatch's 60 s. */
export const MAX_PROVIDER_TRIES = 3;
/** The longest wait between tries: the providers' own advice (up to a minute) does not fit a Lambda. */
export const MAX_RETRY_DELAY_MS = 8_000;

/**
 * Provider errors are not outcomes: trouble on the provider's side (limits, auth, billing,
 * outage, network) is tried again with backoff, bounded inside one Dispatch; only then does the
 * attempt settle COULD_NOT_CONNECT. A refusal that names the number settles at once.
 */
export function providerRetryPolicy(jitter: () => number = Math.random) {
  return (failure: ProviderFailure, attempt: number): RetryDecision => {
    const verdict = classifyProviderError(failure);
    if (verdict.action === 'fail')
      return { settle: verdict.disposition, retriesExhausted: false, reason: verdict.reason };
    if (verdict.action === 'couldNotConnect')
      return { settle: 'COULD_NOT_CONNECT', retriesExhausted: false, reason: 'refused' };
    if (attempt >= MAX_PROVIDER_TRIES)
      return { settle: DISPOSITION_AFTER_RETRIES, retriesExhausted: true, reason: verdict.reason };
    const baseMs = Math.min(verdict.baseDelayMs, MAX_RETRY_DELAY_MS);
    return {
      retryInMs: backoffDelayMs({ attempt, baseMs, capMs: MAX_RETRY_DELAY_MS, jitter: jitter() }),
    };
  };
}

/** The channel an existing attempt was handed to. */
export const channelNamed = channelRegistry(providerRetryPolicy());

/**
 * The channel an agent's provider places a step type through. Providers without a channel yet
 * (a per-agent webhook) keep the deployment's default channel.
 */
const AGENT_CHANNELS: Partial<Record<AgentProvider, Partial<Record<StepType, string>>>> = {
  retell: { CALL: 'retell' },
  vapi: { CALL: 'vapi' },
  twilio: { CALL: 'twilio-voice', TEXT: 'twilio' },
  'aws-sms': { TEXT: 'aws-sms' },
  simulator: { CALL: 'simulator', TEXT: 'simulator' },
  manual: { CALL: 'manual', TEXT: 'manual' },
};

/**
 * Where a new attempt of step `stepIndex` goes: the channel of the agent its `agentId` names in
 * the run's organization, else the deployment's default (so Feather's examples, whose agent
 * ids nobody registered, keep working unchanged).
 */
export async function channelForStep(execution: Execution, stepIndex: number): Promise<string> {
  const step = execution.definition.steps[stepIndex];
  const agent = step?.agentId ? await findAgent(execution.organizationId, step.agentId) : undefined;
  const chosen = agent && step ? AGENT_CHANNELS[agent.provider]?.[step.type] : undefined;
  return chosen ?? activeChannel().name;
}
