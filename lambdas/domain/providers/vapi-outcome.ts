import type { VapiServerMessage } from '../../schemas/providers/vapi.js';
import {
  CANCELLED,
  CONVERSATION,
  correlationOf,
  outcomeValues,
  PROGRESS,
  PROVIDER_FAULT,
  type ProviderEvent,
  providerEvent,
  SILENCE,
  type Signal,
  type StepContext,
  TRANSFER_FAILED,
  TRANSFERRED,
  telephony,
  VOICEMAIL_MESSAGE,
} from './outcome.js';

/**
 * Vapi `endedReason` → signal. Values from `ServerMessageEndOfCallReportEndedReason`
 * (@vapi-ai/server-sdk), meanings from https://docs.vapi.ai/calls/call-ended-reason. Exact values
 * first; the enum has hundreds of provider-failure values, matched by family below.
 */
export const VAPI_ENDED_REASON_TABLE: Readonly<Record<string, Signal>> = {
  'customer-busy': telephony('LINE_BUSY'),
  'customer-did-not-answer': telephony('NO_ANSWER'),
  'twilio-reported-customer-misdialed': telephony('BAD_NUMBER'),
  'twilio-failed-to-connect-call': telephony('COULD_NOT_CONNECT'),
  'vonage-failed-to-connect-call': telephony('COULD_NOT_CONNECT'),
  'vonage-rejected': telephony('COULD_NOT_CONNECT'),
  'call.in-progress.error-sip-outbound-call-failed-to-connect': telephony('COULD_NOT_CONNECT'),
  'call.in-progress.error-providerfault-outbound-sip-403-forbidden': telephony(
    'COULD_NOT_CONNECT',
    true
  ),
  'call.in-progress.error-providerfault-outbound-sip-407-proxy-authentication-required': telephony(
    'COULD_NOT_CONNECT',
    true
  ),
  'call.in-progress.error-providerfault-outbound-sip-503-service-unavailable':
    telephony('COULD_NOT_CONNECT'),
  // The callee's side timed out or was unavailable: nobody picked up.
  'call.in-progress.error-providerfault-outbound-sip-408-request-timeout': telephony('NO_ANSWER'),
  'call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable':
    telephony('NO_ANSWER'),
  // Vapi's own fraud check refused our call; retrying would trip it again.
  'call.start.error-fraud-check-failed': telephony('COULD_NOT_CONNECT', true),
  voicemail: VOICEMAIL_MESSAGE,
  'assistant-forwarded-call': TRANSFERRED,
  'call.in-progress.error-transfer-failed': TRANSFER_FAILED,
  'customer-ended-call-before-warm-transfer': TRANSFER_FAILED,
  'customer-ended-call-after-warm-transfer-attempt': TRANSFER_FAILED,
  'customer-ended-call-during-transfer': TRANSFER_FAILED,
  'silence-timed-out': SILENCE,
  'customer-ended-call': CONVERSATION,
  'assistant-ended-call': CONVERSATION,
  'assistant-ended-call-after-message-spoken': CONVERSATION,
  'assistant-ended-call-with-hangup-task': CONVERSATION,
  'assistant-said-end-call-phrase': CONVERSATION,
  'exceeded-max-duration': CONVERSATION,
  'call.in-progress.twilio-completed-call': CONVERSATION,
  'call.in-progress.sip-completed-call': CONVERSATION,
  'vonage-completed': CONVERSATION,
  'vonage-disconnected': CONVERSATION,
  'manually-canceled': CANCELLED,
  'call-deleted': CANCELLED,
  'scheduled-call-deleted': CANCELLED,
  // The docs say worker-shutdown "should be retried".
  'worker-shutdown': PROVIDER_FAULT,
  'phone-call-provider-closed-websocket': PROVIDER_FAULT,
  'assistant-not-found': PROVIDER_FAULT,
  'assistant-not-valid': PROVIDER_FAULT,
  'assistant-join-timed-out': PROVIDER_FAULT,
};

/** Families of `endedReason`, tried in order after the exact values. */
export const VAPI_ENDED_REASON_FAMILIES: ReadonlyArray<readonly [RegExp, Signal]> = [
  [/^call\.in-progress\.error-warm-transfer-/, TRANSFER_FAILED],
  [/transport-never-connected$/, telephony('COULD_NOT_CONNECT')],
  [/^call\.start\.error-/, PROVIDER_FAULT],
  [/^assistant-request-/, PROVIDER_FAULT],
  [/^pipeline-error-|^call\.in-progress\.error-pipeline-/, PROVIDER_FAULT],
  [/vapifault/, PROVIDER_FAULT],
  [/providerfault/, PROVIDER_FAULT],
];

/** A reason neither table knows: a call that went on this long reached someone. */
export const UNKNOWN_REASON_CONVERSATION_MS = 10_000;

function unknownReasonSignal(startedAt?: string | null, endedAt?: string | null): Signal {
  const lasted = Date.parse(endedAt ?? '') - Date.parse(startedAt ?? '');
  return lasted >= UNKNOWN_REASON_CONVERSATION_MS ? CONVERSATION : telephony('COULD_NOT_CONNECT');
}

export function vapiSignal(
  endedReason: string | null | undefined,
  startedAt?: string | null,
  endedAt?: string | null
): Signal {
  const reason = endedReason ?? '';
  if (Object.hasOwn(VAPI_ENDED_REASON_TABLE, reason))
    return VAPI_ENDED_REASON_TABLE[reason] as Signal;
  const family = VAPI_ENDED_REASON_FAMILIES.find(([pattern]) => pattern.test(reason));
  return family ? family[1] : unknownReasonSignal(startedAt, endedAt);
}

export const VAPI_TERMINAL_MESSAGE = 'end-of-call-report';

type VapiMessage = VapiServerMessage['message'];

/**
 * Our `outcome` from structured outputs (one named `outcome`, or objects with an `outcome`
 * field), and from the deprecated `analysis.structuredData`.
 */
function analysisOf(message: VapiMessage): string[] {
  const outputs = Object.values(message.artifact?.structuredOutputs ?? {});
  const fromOutputs = outputs.flatMap((output) => {
    if (output.name === 'outcome' && typeof output.result === 'string') return [output.result];
    return outcomeValues(output.result);
  });
  return [...fromOutputs, ...outcomeValues(message.analysis?.structuredData)];
}

function stepAttemptIdOf(message: VapiMessage): string | undefined {
  return (
    correlationOf(message.call.assistantOverrides?.metadata) ??
    message.call.customer?.externalId ??
    message.customer?.externalId ??
    undefined
  );
}

/** Normalises one Vapi server message: `end-of-call-report` settles the attempt, others are progress. */
export function normaliseVapiMessage(body: VapiServerMessage, step: StepContext): ProviderEvent {
  const { message } = body;
  const state = message.endedReason ?? message.status ?? 'none';
  const base = {
    provider: 'vapi' as const,
    providerId: message.call.id,
    stepAttemptId: stepAttemptIdOf(message),
    detail: `vapi ${message.type}: ${state}`,
  };
  if (message.type !== VAPI_TERMINAL_MESSAGE) return providerEvent(base, PROGRESS, {}, step);
  const signal = vapiSignal(message.endedReason, message.startedAt, message.endedAt);
  const transferred = (message.artifact?.transfers?.length ?? 0) > 0;
  return providerEvent(base, signal, { transferred, analysis: analysisOf(message) }, step);
}
