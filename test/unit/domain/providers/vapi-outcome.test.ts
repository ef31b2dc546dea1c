import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../../../lambdas/domain/providers/outcome.js';
import {
  normaliseVapiMessage,
  VAPI_ENDED_REASON_FAMILIES,
  VAPI_ENDED_REASON_TABLE,
} from '../../../../lambdas/domain/providers/vapi-outcome.js';
import { vapiServerMessageSchema } from '../../../../lambdas/schemas/providers/vapi.js';

/**
 * An `end-of-call-report` as https://docs.vapi.ai/server-url/events shows it (`{ message: { type,
 * endedReason, call, … } }`), with the fields of @vapi-ai/server-sdk's `ServerMessageEndOfCallReport`
 * and the `Call` our adapter creates (`assistantOverrides.metadata`, `customer.externalId`).
 */
function vapiMessage(message: Record<string, unknown>) {
  return vapiServerMessageSchema.parse({
    message: {
      type: 'end-of-call-report',
      timestamp: 1714608491736,
      startedAt: '2026-11-23T15:00:00.000Z',
      endedAt: '2026-11-23T15:02:00.000Z',
      cost: 0.12,
      call: {
        id: 'b2f4d6a8-1c3e-4a5b-9d7f-0e1f2a3b4c5d',
        orgId: 'org-1',
        type: 'outboundPhoneCall',
        status: 'ended',
        phoneNumberId: 'pn-1',
        assistantId: 'asst-1',
        assistantOverrides: { metadata: { stepAttemptId: 'attempt-7' } },
        customer: { number: '+14155550123', externalId: 'attempt-7' },
      },
      artifact: { transcript: 'AI: Hi…', messages: [] },
      ...message,
    },
  });
}

const report = (endedReason: string, extra: Record<string, unknown> = {}) =>
  vapiMessage({ endedReason, ...extra });

const LEAVE_VOICEMAIL: StepContext = { channel: 'CALL', leaveVoicemail: true };
const NO_VOICEMAIL: StepContext = { channel: 'CALL', leaveVoicemail: false };

const ENDED_DOC = 'https://docs.vapi.ai/calls/call-ended-reason';
const SDK_TYPE = 'ServerMessageEndOfCallReportEndedReason';
const SIP = 'call.in-progress.error-providerfault-outbound-sip-';

/** [endedReason, disposition, kind, source]: written out here, not read from the tables under test. */
const exactRows: ReadonlyArray<readonly [string, string, string, string]> = [
  ['customer-busy', 'LINE_BUSY', 'contact', ENDED_DOC],
  ['customer-did-not-answer', 'NO_ANSWER', 'contact', ENDED_DOC],
  ['twilio-reported-customer-misdialed', 'BAD_NUMBER', 'contact', ENDED_DOC],
  ['twilio-failed-to-connect-call', 'COULD_NOT_CONNECT', 'contact', ENDED_DOC],
  ['vonage-failed-to-connect-call', 'COULD_NOT_CONNECT', 'contact', ENDED_DOC],
  ['vonage-rejected', 'COULD_NOT_CONNECT', 'contact', ENDED_DOC],
  [
    'call.in-progress.error-sip-outbound-call-failed-to-connect',
    'COULD_NOT_CONNECT',
    'contact',
    SDK_TYPE,
  ],
  [`${SIP}403-forbidden`, 'COULD_NOT_CONNECT', 'contact', SDK_TYPE],
  [`${SIP}407-proxy-authentication-required`, 'COULD_NOT_CONNECT', 'contact', SDK_TYPE],
  [`${SIP}503-service-unavailable`, 'COULD_NOT_CONNECT', 'contact', SDK_TYPE],
  [`${SIP}408-request-timeout`, 'NO_ANSWER', 'contact', SDK_TYPE],
  [`${SIP}480-temporarily-unavailable`, 'NO_ANSWER', 'contact', SDK_TYPE],
  ['call.start.error-fraud-check-failed', 'COULD_NOT_CONNECT', 'contact', SDK_TYPE],
  ['voicemail', 'LEFT_VOICEMAIL', 'contact', ENDED_DOC],
  ['assistant-forwarded-call', 'WARM_TRANSFER', 'contact', ENDED_DOC],
  ['call.in-progress.error-transfer-failed', 'CALL_AGAIN', 'contact', SDK_TYPE],
  ['customer-ended-call-before-warm-transfer', 'CALL_AGAIN', 'contact', SDK_TYPE],
  ['customer-ended-call-after-warm-transfer-attempt', 'CALL_AGAIN', 'contact', SDK_TYPE],
  ['customer-ended-call-during-transfer', 'CALL_AGAIN', 'contact', SDK_TYPE],
  ['silence-timed-out', 'SILENCE_TIMEOUT', 'contact', ENDED_DOC],
  ['customer-ended-call', 'ENDED', 'contact', ENDED_DOC],
  ['assistant-ended-call', 'ENDED', 'contact', ENDED_DOC],
  ['assistant-ended-call-after-message-spoken', 'ENDED', 'contact', SDK_TYPE],
  ['assistant-ended-call-with-hangup-task', 'ENDED', 'contact', SDK_TYPE],
  ['assistant-said-end-call-phrase', 'ENDED', 'contact', ENDED_DOC],
  ['exceeded-max-duration', 'ENDED', 'contact', ENDED_DOC],
  ['call.in-progress.twilio-completed-call', 'ENDED', 'contact', SDK_TYPE],
  ['call.in-progress.sip-completed-call', 'ENDED', 'contact', SDK_TYPE],
  ['vonage-completed', 'ENDED', 'contact', SDK_TYPE],
  ['vonage-disconnected', 'ENDED', 'contact', SDK_TYPE],
  ['manually-canceled', 'COULD_NOT_CONNECT', 'cancelled', ENDED_DOC],
  ['call-deleted', 'COULD_NOT_CONNECT', 'cancelled', SDK_TYPE],
  ['scheduled-call-deleted', 'COULD_NOT_CONNECT', 'cancelled', SDK_TYPE],
  ['worker-shutdown', 'COULD_NOT_CONNECT', 'providerFault', ENDED_DOC],
  ['phone-call-provider-closed-websocket', 'COULD_NOT_CONNECT', 'providerFault', ENDED_DOC],
  ['assistant-not-found', 'COULD_NOT_CONNECT', 'providerFault', ENDED_DOC],
  ['assistant-not-valid', 'COULD_NOT_CONNECT', 'providerFault', SDK_TYPE],
  ['assistant-join-timed-out', 'COULD_NOT_CONNECT', 'providerFault', SDK_TYPE],
];

/** One real value per family (all from the SDK type), with its disposition and kind. */
const familyRows: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    'call.in-progress.error-warm-transfer-max-duration',
    '^call\\.in-progress\\.error-warm-transfer-',
    'CALL_AGAIN',
    'contact',
  ],
  [
    'call.in-progress.error-vapifault-transport-never-connected',
    'transport-never-connected$',
    'COULD_NOT_CONNECT',
    'contact',
  ],
  [
    'call.start.error-subscription-concurrency-limit-reached',
    '^call\\.start\\.error-',
    'COULD_NOT_CONNECT',
    'providerFault',
  ],
  ['assistant-request-failed', '^assistant-request-', 'COULD_NOT_CONNECT', 'providerFault'],
  [
    'pipeline-error-openai-llm-failed',
    '^pipeline-error-|^call\\.in-progress\\.error-pipeline-',
    'COULD_NOT_CONNECT',
    'providerFault',
  ],
  [
    'call.in-progress.error-pipeline-no-available-llm-model',
    '^pipeline-error-|^call\\.in-progress\\.error-pipeline-',
    'COULD_NOT_CONNECT',
    'providerFault',
  ],
  [
    'call.in-progress.error-vapifault-worker-died',
    'vapifault',
    'COULD_NOT_CONNECT',
    'providerFault',
  ],
  [
    'call.in-progress.error-providerfault-openai-llm-failed',
    'providerfault',
    'COULD_NOT_CONNECT',
    'providerFault',
  ],
];

describe(`normaliseVapiMessage: one row of the endedReason table each (${SDK_TYPE})`, () => {
  it.each(exactRows)('%s → %s (%s; source %s)', (endedReason, disposition, kind) => {
    const event = normaliseVapiMessage(report(endedReason), LEAVE_VOICEMAIL);
    expect(event).toMatchObject({ terminal: true, disposition, kind });
  });

  it('has a test row for every exact table row', () => {
    expect(exactRows.map(([reason]) => reason).sort()).toEqual(
      Object.keys(VAPI_ENDED_REASON_TABLE).sort()
    );
  });

  it.each(familyRows)(
    '%s matches family /%s/ → %s (%s)',
    (endedReason, family, disposition, kind) => {
      const event = normaliseVapiMessage(report(endedReason), LEAVE_VOICEMAIL);
      expect(event).toMatchObject({ terminal: true, disposition, kind });
      const matched = VAPI_ENDED_REASON_FAMILIES.find(([pattern]) => pattern.test(endedReason));
      expect(matched?.[0].source).toBe(family);
    }
  );

  it('has a test row for every family', () => {
    expect([...new Set(familyRows.map(([, family]) => family))]).toEqual(
      VAPI_ENDED_REASON_FAMILIES.map(([pattern]) => pattern.source)
    );
  });
});

describe('normaliseVapiMessage', () => {
  it('correlates through assistantOverrides.metadata, then customer.externalId', () => {
    expect(normaliseVapiMessage(report('customer-busy'), NO_VOICEMAIL)).toMatchObject({
      provider: 'vapi',
      providerId: 'b2f4d6a8-1c3e-4a5b-9d7f-0e1f2a3b4c5d',
      stepAttemptId: 'attempt-7',
      detail: 'vapi end-of-call-report: customer-busy',
    });
    const onlyExternalId = report('customer-busy', {
      call: { id: 'call-2', customer: { number: '+14155550123', externalId: 'attempt-8' } },
    });
    expect(normaliseVapiMessage(onlyExternalId, NO_VOICEMAIL).stepAttemptId).toBe('attempt-8');
  });

  it('treats status-update and every other message as progress', () => {
    // https://docs.vapi.ai/server-url/events: status-update carries `status`.
    for (const [type, status] of [
      ['status-update', 'ringing'],
      ['status-update', 'ended'],
      ['speech-update', undefined],
    ] as const) {
      const event = normaliseVapiMessage(vapiMessage({ type, status }), NO_VOICEMAIL);
      expect(event).toEqual(expect.objectContaining({ terminal: false }));
    }
  });

  it('leaves a voicemail only when the step asks for one', () => {
    expect(normaliseVapiMessage(report('voicemail'), NO_VOICEMAIL)).toMatchObject({
      disposition: 'VOICEMAIL_DETECTED',
    });
  });

  it('reads our outcome from structured outputs, the deprecated structuredData, strongest first', () => {
    const outputs = {
      'so-1': { name: 'outcome', result: 'TEXT_CONSENT' },
      'so-2': { name: 'lead', result: { outcome: 'CALL_AGAIN', budget: 'high' } },
    };
    const withOutputs = report('customer-ended-call', { artifact: { structuredOutputs: outputs } });
    expect(normaliseVapiMessage(withOutputs, NO_VOICEMAIL)).toMatchObject({
      disposition: 'TEXT_CONSENT',
    });
    const legacy = report('assistant-ended-call', {
      analysis: { structuredData: { outcome: 'fraud' } },
    });
    expect(normaliseVapiMessage(legacy, NO_VOICEMAIL)).toMatchObject({ disposition: 'FRAUD' });
  });

  it('counts a recorded transfer as WARM_TRANSFER whatever the ended reason', () => {
    const transferred = report('customer-ended-call', {
      artifact: { transfers: [{ destination: '+14155550999' }] },
      analysis: { structuredData: { outcome: 'NOT_INTERESTED' } },
    });
    expect(normaliseVapiMessage(transferred, NO_VOICEMAIL)).toMatchObject({
      disposition: 'WARM_TRANSFER',
    });
  });

  it('reads an unknown reason by how long the call lasted', () => {
    const long = report('some-future-reason');
    expect(normaliseVapiMessage(long, NO_VOICEMAIL)).toMatchObject({ disposition: 'ENDED' });
    const short = report('some-future-reason', { endedAt: '2026-11-23T15:00:05.000Z' });
    expect(normaliseVapiMessage(short, NO_VOICEMAIL)).toMatchObject({
      disposition: 'COULD_NOT_CONNECT',
      kind: 'contact',
    });
    const noTimes = report('some-future-reason', { startedAt: null, endedAt: null });
    expect(normaliseVapiMessage(noTimes, NO_VOICEMAIL)).toMatchObject({
      disposition: 'COULD_NOT_CONNECT',
    });
  });

  it('does not mistake an inherited property name for a table row', () => {
    expect(
      normaliseVapiMessage(report('constructor', { startedAt: null }), NO_VOICEMAIL)
    ).toMatchObject({
      disposition: 'COULD_NOT_CONNECT',
    });
  });
});
