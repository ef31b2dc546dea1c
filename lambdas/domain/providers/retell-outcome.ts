import type { RetellDisconnectionReason, RetellWebhook } from '../../schemas/providers/retell.js';
import {
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
  VOICEMAIL_HANGUP,
  VOICEMAIL_MESSAGE,
} from './outcome.js';

/**
 * Retell `disconnection_reason` → signal. Meanings: https://docs.retellai.com/reliability/debug-call-disconnect.
 * Typed over every known reason, so a reason added to the schema's list must get a row here.
 */
export const RETELL_DISCONNECTION_TABLE: Record<RetellDisconnectionReason, Signal> = {
  dial_busy: telephony('LINE_BUSY'),
  dial_no_answer: telephony('NO_ANSWER'),
  // A declined mobile call rings out for the caller: the person did not pick up.
  user_declined: telephony('NO_ANSWER'),
  invalid_destination: telephony('BAD_NUMBER'),
  // May be a dead number, may be our caller id marked as spam: one failure proves neither.
  dial_failed: telephony('COULD_NOT_CONNECT'),
  // Our trunk or caller id is at fault, not the person's number.
  telephony_provider_permission_denied: telephony('COULD_NOT_CONNECT', true),
  telephony_provider_unavailable: telephony('COULD_NOT_CONNECT', true),
  sip_routing_error: telephony('COULD_NOT_CONNECT', true),
  marked_as_spam: telephony('COULD_NOT_CONNECT', true),
  // Retell flagged our agent, not the lead; retrying would trip it again.
  scam_detected: telephony('COULD_NOT_CONNECT', true),
  // An IVR answered and the agent hung up: the person was never reached.
  ivr_reached: telephony('COULD_NOT_CONNECT'),
  voicemail_reached: VOICEMAIL_MESSAGE,
  machine_detected: VOICEMAIL_HANGUP,
  call_transfer: TRANSFERRED,
  transfer_bridged: TRANSFERRED,
  call_take_over: TRANSFERRED,
  // The person wanted a human and the transfer fell through.
  transfer_cancelled: TRANSFER_FAILED,
  inactivity: SILENCE,
  user_hangup: CONVERSATION,
  agent_hangup: CONVERSATION,
  max_duration_reached: CONVERSATION,
  manual_stopped: CONVERSATION,
  // Account and platform failures: Retell's docs advise retrying with exponential backoff.
  concurrency_limit_reached: PROVIDER_FAULT,
  no_concurrency_fallback: PROVIDER_FAULT,
  no_valid_payment: PROVIDER_FAULT,
  registered_call_timeout: PROVIDER_FAULT,
  error_llm_websocket_open: PROVIDER_FAULT,
  error_llm_websocket_lost_connection: PROVIDER_FAULT,
  error_llm_websocket_runtime: PROVIDER_FAULT,
  error_llm_websocket_corrupt_payload: PROVIDER_FAULT,
  error_no_audio_received: PROVIDER_FAULT,
  error_asr: PROVIDER_FAULT,
  error_retell: PROVIDER_FAULT,
  error_unknown: PROVIDER_FAULT,
  error_user_not_joined: PROVIDER_FAULT,
  error_inbound_webhook: PROVIDER_FAULT,
};

/** Only `call_analyzed` carries the analysis; Retell sends it for calls that never connected too. */
export const RETELL_TERMINAL_EVENT = 'call_analyzed';

/** A reason this code does not know yet, read through the call's status. */
function unknownReasonSignal(callStatus: string | undefined): Signal {
  if (callStatus === 'not_connected') return telephony('COULD_NOT_CONNECT');
  if (callStatus === 'error') return PROVIDER_FAULT;
  return CONVERSATION;
}

export function retellSignal(reason: string | null | undefined, callStatus?: string): Signal {
  if (reason && Object.hasOwn(RETELL_DISCONNECTION_TABLE, reason))
    return RETELL_DISCONNECTION_TABLE[reason as RetellDisconnectionReason];
  return unknownReasonSignal(callStatus);
}

/** Normalises one Retell webhook: `call_analyzed` settles the attempt, every other event is progress. */
export function normaliseRetellWebhook(webhook: RetellWebhook, step: StepContext): ProviderEvent {
  const { call } = webhook;
  const reason = call.disconnection_reason ?? undefined;
  const base = {
    provider: 'retell' as const,
    providerId: call.call_id,
    stepAttemptId: correlationOf(call.metadata),
    detail: `retell ${webhook.event}: status ${call.call_status ?? '?'}, reason ${reason ?? 'none'}`,
  };
  if (webhook.event !== RETELL_TERMINAL_EVENT) return providerEvent(base, PROGRESS, {}, step);
  const analysis = call.call_analysis;
  return providerEvent(
    base,
    retellSignal(reason, call.call_status),
    {
      inVoicemail: analysis?.in_voicemail === true,
      analysis: outcomeValues(analysis?.custom_analysis_data),
    },
    step
  );
}
