import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../../../lambdas/domain/providers/outcome.js';
import {
  normaliseRetellWebhook,
  RETELL_DISCONNECTION_TABLE,
} from '../../../../lambdas/domain/providers/retell-outcome.js';
import { retellWebhookSchema } from '../../../../lambdas/schemas/providers/retell.js';

/**
 * The call object of the sample payload on https://docs.retellai.com/features/webhook-overview,
 * with `metadata` as our adapter sends it and `call_analysis` shaped as retell-sdk's
 * `CallResponse.call_analysis` (https://github.com/RetellAI/retell-typescript-sdk/blob/main/src/resources/call.ts).
 */
function retellWebhook(event: string, call: Record<string, unknown> = {}) {
  return retellWebhookSchema.parse({
    event,
    call: {
      call_type: 'phone_call',
      from_number: '+12137771234',
      to_number: '+12137771235',
      direction: 'outbound',
      call_id: 'Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6',
      agent_id: 'oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD',
      call_status: 'ended',
      metadata: { stepAttemptId: 'attempt-1' },
      start_timestamp: 1714608475945,
      end_timestamp: 1714608491736,
      disconnection_reason: 'user_hangup',
      transcript: '...',
      opt_out_sensitive_data_storage: false,
      ...call,
    },
  });
}

function analyzed(reason: string, analysis: Record<string, unknown> = {}) {
  return retellWebhook('call_analyzed', {
    disconnection_reason: reason,
    call_analysis: {
      call_summary: 'The agent called the lead.',
      in_voicemail: false,
      user_sentiment: 'Neutral',
      call_successful: true,
      ...analysis,
    },
  });
}

const CALL_LEAVING_VOICEMAIL: StepContext = { channel: 'CALL', leaveVoicemail: true };
const CALL_NO_VOICEMAIL: StepContext = { channel: 'CALL', leaveVoicemail: false };

const DISCONNECT_DOC = 'https://docs.retellai.com/reliability/debug-call-disconnect';
const SDK_TYPE = 'retell-sdk CallResponse.disconnection_reason';

/** [reason, disposition, kind, alert, source]: written out here, not read from the table under test. */
const expectedRows: ReadonlyArray<readonly [string, string, string, boolean, string]> = [
  ['dial_busy', 'LINE_BUSY', 'contact', false, DISCONNECT_DOC],
  ['dial_no_answer', 'NO_ANSWER', 'contact', false, DISCONNECT_DOC],
  ['user_declined', 'NO_ANSWER', 'contact', false, DISCONNECT_DOC],
  ['invalid_destination', 'BAD_NUMBER', 'contact', false, DISCONNECT_DOC],
  ['dial_failed', 'COULD_NOT_CONNECT', 'contact', false, DISCONNECT_DOC],
  ['telephony_provider_permission_denied', 'COULD_NOT_CONNECT', 'contact', true, DISCONNECT_DOC],
  ['telephony_provider_unavailable', 'COULD_NOT_CONNECT', 'contact', true, DISCONNECT_DOC],
  ['sip_routing_error', 'COULD_NOT_CONNECT', 'contact', true, DISCONNECT_DOC],
  ['marked_as_spam', 'COULD_NOT_CONNECT', 'contact', true, DISCONNECT_DOC],
  ['scam_detected', 'COULD_NOT_CONNECT', 'contact', true, SDK_TYPE],
  ['ivr_reached', 'COULD_NOT_CONNECT', 'contact', false, DISCONNECT_DOC],
  ['voicemail_reached', 'LEFT_VOICEMAIL', 'contact', false, DISCONNECT_DOC],
  [
    'machine_detected',
    'VOICEMAIL_DETECTED',
    'contact',
    false,
    'https://docs.retellai.com/api-references/create-phone-call_deprecated',
  ],
  ['call_transfer', 'WARM_TRANSFER', 'contact', false, DISCONNECT_DOC],
  ['transfer_bridged', 'WARM_TRANSFER', 'contact', false, SDK_TYPE],
  ['call_take_over', 'WARM_TRANSFER', 'contact', false, SDK_TYPE],
  ['transfer_cancelled', 'CALL_AGAIN', 'contact', false, SDK_TYPE],
  ['inactivity', 'SILENCE_TIMEOUT', 'contact', false, DISCONNECT_DOC],
  ['user_hangup', 'ENDED', 'contact', false, DISCONNECT_DOC],
  ['agent_hangup', 'ENDED', 'contact', false, DISCONNECT_DOC],
  ['max_duration_reached', 'ENDED', 'contact', false, DISCONNECT_DOC],
  ['manual_stopped', 'ENDED', 'contact', false, SDK_TYPE],
  ['concurrency_limit_reached', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  ['no_concurrency_fallback', 'COULD_NOT_CONNECT', 'providerFault', true, SDK_TYPE],
  ['no_valid_payment', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  ['registered_call_timeout', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  ['error_llm_websocket_open', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  [
    'error_llm_websocket_lost_connection',
    'COULD_NOT_CONNECT',
    'providerFault',
    true,
    DISCONNECT_DOC,
  ],
  ['error_llm_websocket_runtime', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  [
    'error_llm_websocket_corrupt_payload',
    'COULD_NOT_CONNECT',
    'providerFault',
    true,
    DISCONNECT_DOC,
  ],
  ['error_no_audio_received', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  ['error_asr', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  ['error_retell', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  ['error_unknown', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
  ['error_user_not_joined', 'COULD_NOT_CONNECT', 'providerFault', true, SDK_TYPE],
  ['error_inbound_webhook', 'COULD_NOT_CONNECT', 'providerFault', true, DISCONNECT_DOC],
];

describe('normaliseRetellWebhook: one row of the disconnection table each', () => {
  it.each(expectedRows)('%s → %s (%s, alert %s; source %s)', (reason, disposition, kind, alert) => {
    const event = normaliseRetellWebhook(analyzed(reason), CALL_LEAVING_VOICEMAIL);
    expect(event).toMatchObject({ terminal: true, disposition, kind, alert });
  });

  it('has a test row for every table row, and a table row for every tested reason', () => {
    expect(expectedRows.map(([reason]) => reason).sort()).toEqual(
      Object.keys(RETELL_DISCONNECTION_TABLE).sort()
    );
  });
});

describe('normaliseRetellWebhook', () => {
  it('reads the step attempt id from metadata and the call id as provider id', () => {
    expect(normaliseRetellWebhook(analyzed('dial_busy'), CALL_NO_VOICEMAIL)).toMatchObject({
      provider: 'retell',
      providerId: 'Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6',
      stepAttemptId: 'attempt-1',
      detail: 'retell call_analyzed: status ended, reason dial_busy',
    });
    const noMetadata = retellWebhook('call_analyzed', { metadata: undefined });
    expect(normaliseRetellWebhook(noMetadata, CALL_NO_VOICEMAIL).stepAttemptId).toBeUndefined();
  });

  it('treats call_started, call_ended and transcript updates as progress: only call_analyzed settles', () => {
    // https://docs.retellai.com/features/webhook-overview: call_ended has every field but call_analysis.
    for (const event of ['call_started', 'call_ended', 'transcript_updated', 'transfer_started']) {
      const normalised = normaliseRetellWebhook(retellWebhook(event), CALL_NO_VOICEMAIL);
      expect(normalised).toEqual(expect.objectContaining({ terminal: false }));
      expect(normalised).not.toHaveProperty('disposition');
    }
  });

  it('reads the event from event_type, as the post-call analysis docs page shows it', () => {
    // https://docs.retellai.com/features/post-call-analysis-consumption
    const body = retellWebhookSchema.parse({
      event_type: 'call_analyzed',
      call: { call_id: 'c1', disconnection_reason: 'dial_no_answer' },
    });
    expect(normaliseRetellWebhook(body, CALL_NO_VOICEMAIL)).toMatchObject({
      terminal: true,
      disposition: 'NO_ANSWER',
    });
  });

  it('leaves a voicemail only when the step asks for one', () => {
    const event = normaliseRetellWebhook(analyzed('voicemail_reached'), CALL_NO_VOICEMAIL);
    expect(event).toMatchObject({ disposition: 'VOICEMAIL_DETECTED' });
  });

  it('puts a machine the analysis heard before transfer and conversation outcomes', () => {
    const inVoicemail = { in_voicemail: true, custom_analysis_data: { outcome: 'CALENDLY' } };
    for (const reason of ['agent_hangup', 'call_transfer', 'inactivity']) {
      const event = normaliseRetellWebhook(analyzed(reason, inVoicemail), CALL_LEAVING_VOICEMAIL);
      expect(event).toMatchObject({ disposition: 'VOICEMAIL_DETECTED' });
    }
    // A telephony failure still comes first.
    const busy = normaliseRetellWebhook(analyzed('dial_busy', inVoicemail), CALL_NO_VOICEMAIL);
    expect(busy).toMatchObject({ disposition: 'LINE_BUSY' });
  });

  it('maps our post-call outcome enum, strongest first, and a transfer before it', () => {
    const said = (outcome: unknown) => ({ custom_analysis_data: { outcome } });
    const ended = (outcome: unknown, reason = 'user_hangup') =>
      normaliseRetellWebhook(analyzed(reason, said(outcome)), CALL_NO_VOICEMAIL);
    expect(ended('CALENDLY')).toMatchObject({ disposition: 'CALENDLY' });
    expect(ended('not_interested')).toMatchObject({ disposition: 'NOT_INTERESTED' });
    expect(ended(['CALENDLY', 'DNC'])).toMatchObject({ disposition: 'DNC' });
    expect(ended('NONE')).toMatchObject({ disposition: 'ENDED' });
    expect(ended('DNC', 'call_transfer')).toMatchObject({ disposition: 'WARM_TRANSFER' });
    expect(ended('DNC', 'inactivity')).toMatchObject({ disposition: 'SILENCE_TIMEOUT' });
  });

  it('reads an unknown reason through the call status', () => {
    const unknown = (call_status: string) =>
      normaliseRetellWebhook(
        retellWebhook('call_analyzed', { call_status, disconnection_reason: 'dial_teleported' }),
        CALL_NO_VOICEMAIL
      );
    expect(unknown('not_connected')).toMatchObject({
      disposition: 'COULD_NOT_CONNECT',
      kind: 'contact',
    });
    expect(unknown('error')).toMatchObject({ kind: 'providerFault' });
    expect(unknown('ended')).toMatchObject({ disposition: 'ENDED', kind: 'contact' });
  });

  it('keeps fields Retell adds later instead of refusing the webhook', () => {
    const body = retellWebhook('call_analyzed', { brand_new_field: { nested: true } });
    expect(body.call).toHaveProperty('brand_new_field');
  });
});
