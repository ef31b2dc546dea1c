import { z } from 'zod';

/**
 * Retell's webhook body, `{ event, call }` (https://docs.retellai.com/features/webhook), as far as
 * outcome mapping reads it. Loose objects: Retell adds fields often, and an unknown field is no
 * reason to refuse its webhook. Enumerations stay plain strings for the same reason; the known
 * values are listed below so the mapping table can be checked for completeness.
 */

/**
 * `CallResponse.disconnection_reason` in retell-sdk 5.60
 * (https://github.com/RetellAI/retell-typescript-sdk/blob/main/src/resources/call.ts), plus two
 * older values the docs still list.
 */
export const retellDisconnectionReasons = [
  'user_hangup',
  'agent_hangup',
  'call_transfer',
  'voicemail_reached',
  'ivr_reached',
  'inactivity',
  'max_duration_reached',
  'concurrency_limit_reached',
  'no_concurrency_fallback',
  'no_valid_payment',
  'scam_detected',
  'dial_busy',
  'dial_failed',
  'dial_no_answer',
  'invalid_destination',
  'telephony_provider_permission_denied',
  'telephony_provider_unavailable',
  'sip_routing_error',
  'marked_as_spam',
  'user_declined',
  'error_llm_websocket_open',
  'error_llm_websocket_lost_connection',
  'error_llm_websocket_runtime',
  'error_llm_websocket_corrupt_payload',
  'error_no_audio_received',
  'error_asr',
  'error_retell',
  'error_unknown',
  'error_user_not_joined',
  'registered_call_timeout',
  'transfer_bridged',
  'transfer_cancelled',
  'manual_stopped',
  'call_take_over',
  // Agents made with the deprecated v1 `drop_call_if_machine_detected`, and an older error.
  'machine_detected',
  'error_inbound_webhook',
] as const;
export type RetellDisconnectionReason = (typeof retellDisconnectionReasons)[number];

export const retellCallAnalysisSchema = z.looseObject({
  in_voicemail: z.boolean().nullish(),
  call_successful: z.boolean().nullish(),
  call_summary: z.string().nullish(),
  /** The agent's `post_call_analysis_data` results, where our `outcome` enum lands. */
  custom_analysis_data: z.unknown().optional(),
});

export const retellCallSchema = z.looseObject({
  call_id: z.string().min(1),
  /** `registered | not_connected | ongoing | ended | error`. */
  call_status: z.string().optional(),
  disconnection_reason: z.string().nullish(),
  /** Echoed from create-phone-call: where we put our step attempt id. */
  metadata: z.unknown().optional(),
  call_analysis: retellCallAnalysisSchema.nullish(),
  transfer_destination: z.string().nullish(),
  start_timestamp: z.number().nullish(),
  end_timestamp: z.number().nullish(),
  duration_ms: z.number().nullish(),
});

/** One docs page shows the event under `event_type`: read it there when `event` is absent. */
function eventTypeAsEvent(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || 'event' in body) return body;
  return { ...body, event: (body as { event_type?: unknown }).event_type };
}

export const retellWebhookSchema = z.preprocess(
  eventTypeAsEvent,
  z.looseObject({
    /** `call_started | call_ended | call_analyzed | transcript_updated | transfer_*`. */
    event: z.string().min(1),
    call: retellCallSchema,
  })
);
export type RetellWebhook = z.infer<typeof retellWebhookSchema>;
