import { readAgentCredentials } from '../adapters/agent-credentials.js';
import { getAgent } from '../adapters/agent-repository.js';
import {
  claimProviderEvent,
  type ProviderEventKey,
  releaseProviderEvent,
} from '../adapters/provider-events.js';
import { findStepExecutionPointer } from '../adapters/step-attempts.js';
import { twilioConsentChange } from '../domain/providers/opt-out.js';
import {
  correlationOf,
  type ProviderEvent,
  type StepContext,
} from '../domain/providers/outcome.js';
import { normaliseRetellWebhook } from '../domain/providers/retell-outcome.js';
import { verifyRetellWebhook } from '../domain/providers/retell-signature.js';
import type { Headers } from '../domain/providers/signing.js';
import {
  normaliseTwilioCall,
  normaliseTwilioMessage,
  twilioStepAttemptId,
} from '../domain/providers/twilio-outcome.js';
import { parseTwilioForm, verifyTwilioRequest } from '../domain/providers/twilio-signature.js';
import type { AgentProvider } from '../schemas/agent-providers.js';
import { retellWebhookSchema } from '../schemas/providers/retell.js';
import {
  twilioCallCallbackSchema,
  twilioInboundMessageSchema,
  twilioMessageCallbackSchema,
} from '../schemas/providers/twilio.js';
import { BadRequestError, UnauthorizedError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { parseWith } from '../shared/validate.js';
import { loadExecution } from './plan-step.js';
import { reportStepOutcome } from './report-outcome.js';
import { suppressNumber } from './suppressions.js';

/**
 * Provider webhooks in: verified with the agent's own secret on the raw body, then one terminal
 * event per attempt records its outcome through the outcome report; a second delivery of that
 * event is a no-op. Nothing here trusts the payload before its signature is checked.
 */

export interface ProviderRequest {
  organizationId: string;
  agentId: string;
  /** The body exactly as received: every scheme signs these bytes. */
  rawBody: string;
  headers: Headers;
  /** The public URL the provider called, query string included (Twilio signs it). */
  url: string;
  now: Date;
}

/** What a webhook did: for the logs and the tests, never for the provider. */
export type WebhookEffect =
  | 'recorded'
  | 'duplicate'
  | 'progress'
  | 'ignored'
  | 'suppressed'
  | 'subscribed';

/**
 * The agent's credentials, or a 401 that says no more than "invalid": an unknown agent, another
 * organization's or another provider's looks the same as a bad signature.
 */
export async function credentialsOf(request: ProviderRequest, provider: AgentProvider) {
  const agent = await getAgent(request.organizationId, request.agentId).catch(() => undefined);
  const credentials =
    agent?.provider === provider
      ? await readAgentCredentials(request.organizationId, agent.id)
      : undefined;
  if (!credentials) throw refusal(provider, 'unknown agent');
  return credentials;
}

export function refusal(provider: string, reason: string): Error {
  logger.warn('provider webhook refused', { provider, reason });
  return new UnauthorizedError('Invalid provider signature');
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new BadRequestError('Request body is not valid JSON');
  }
}

/**
 * Finds the attempt the event names (in this organization only), normalises the event for its
 * step, and records a terminal one once.
 */
export async function settleEvent(
  request: ProviderRequest,
  key: ProviderEventKey,
  stepAttemptId: string | undefined,
  normalise: (step: StepContext) => ProviderEvent
): Promise<WebhookEffect> {
  const pointer = stepAttemptId ? await findStepExecutionPointer(stepAttemptId) : undefined;
  if (!stepAttemptId || pointer?.organizationId !== request.organizationId) {
    logger.warn('provider event names no attempt of this organization', { ...key });
    return 'ignored';
  }
  const execution = await loadExecution(pointer.executionId);
  const step = execution.definition.steps[pointer.stepIndex];
  if (!step) return 'ignored';
  const event = normalise({ channel: step.type, leaveVoicemail: step.leaveVoicemail ?? false });
  if (!event.terminal) return 'progress';
  if (!(await claimProviderEvent(key, request.now))) return 'duplicate';
  if (event.alert) logger.warn('provider outcome needs a look', { detail: event.detail });
  try {
    const agentCall = { id: event.providerId, status: 'ENDED', summary: event.detail };
    const report = { stepExecutionId: stepAttemptId, organizationId: request.organizationId };
    const result = await reportStepOutcome(
      { ...report, disposition: event.disposition, agentCall },
      request.now
    );
    return result.duplicate ? 'duplicate' : 'recorded';
  } catch (error) {
    // Let the provider's retry do it again: the outcome report itself is idempotent.
    await releaseProviderEvent(key);
    throw error;
  }
}

/** Retell's webhook (`x-retell-signature`): `call_analyzed` settles the attempt. */
export async function receiveRetellWebhook(request: ProviderRequest): Promise<WebhookEffect> {
  const credentials = await credentialsOf(request, 'retell');
  const verification = verifyRetellWebhook({
    rawBody: request.rawBody,
    headers: request.headers,
    apiKey: credentials.webhookSigningKey ?? credentials.apiKey ?? '',
    now: request.now,
  });
  if (!verification.valid) throw refusal('retell', verification.reason);
  const webhook = parseWith(retellWebhookSchema, parseJson(request.rawBody), 'request body');
  const key = { provider: 'retell', providerId: webhook.call.call_id, eventType: webhook.event };
  const stepAttemptId = correlationOf(webhook.call.metadata);
  return settleEvent(request, key, stepAttemptId, (step) => normaliseRetellWebhook(webhook, step));
}

/** Form parameters after X-Twilio-Signature checked them with the agent's Auth Token. */
async function verifiedTwilioForm(request: ProviderRequest) {
  const credentials = await credentialsOf(request, 'twilio');
  const params = parseTwilioForm(request.rawBody);
  const verification = verifyTwilioRequest({
    authToken: credentials.authToken ?? '',
    headers: request.headers,
    url: request.url,
    params,
  });
  if (!verification.valid) throw refusal('twilio', verification.reason);
  return params;
}

/** A Twilio message or call status callback: a final status settles the attempt. */
export async function receiveTwilioStatus(request: ProviderRequest): Promise<WebhookEffect> {
  const params = await verifiedTwilioForm(request);
  const stepAttemptId = twilioStepAttemptId(request.url);
  if ('MessageSid' in params) {
    const callback = parseWith(twilioMessageCallbackSchema, params, 'request body');
    const key = {
      provider: 'twilio',
      providerId: callback.MessageSid,
      eventType: callback.MessageStatus,
    };
    return settleEvent(request, key, stepAttemptId, (step) =>
      normaliseTwilioMessage(callback, request.url, step)
    );
  }
  const callback = parseWith(twilioCallCallbackSchema, params, 'request body');
  const key = {
    provider: 'twilio',
    providerId: callback.CallSid,
    eventType: callback.CallStatus ?? 'amd',
  };
  return settleEvent(request, key, stepAttemptId, (step) =>
    normaliseTwilioCall(callback, request.url, step)
  );
}

/**
 * A text to one of the agent's numbers: an opt-out keyword puts the sender on the
 * organization's do-not-contact list and cancels every run for that number. Idempotent, so a
 * repeated delivery needs no dedupe record.
 */
export async function receiveTwilioInbound(request: ProviderRequest): Promise<WebhookEffect> {
  const params = await verifiedTwilioForm(request);
  const message = parseWith(twilioInboundMessageSchema, params, 'request body');
  const change = twilioConsentChange(message);
  if (change?.intent !== 'optOut') return 'ignored';
  const reason = `inbound opt-out text to Twilio agent ${request.agentId}`;
  await suppressNumber(request.organizationId, change.phone, reason, request.now);
  return 'suppressed';
}
