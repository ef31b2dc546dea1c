import { describe, expect, it } from 'vitest';
import {
  AWS_SMS_EVENT_TABLE,
  normaliseAwsSmsEvent,
} from '../../../../lambdas/domain/providers/aws-sms-outcome.js';
import type { StepContext } from '../../../../lambdas/domain/providers/outcome.js';
import { awsSmsEventSchema } from '../../../../lambdas/schemas/providers/aws-sms.js';

/**
 * The SMS example log on https://docs.aws.amazon.com/end-user-messaging/latest/userguide/nx-features-messaging-events.html,
 * with `context` as our adapter sends it.
 */
function smsEvent(eventType: string, isFinal: boolean, extra: Record<string, unknown> = {}) {
  return awsSmsEventSchema.parse({
    eventType,
    eventVersion: '1.0',
    eventTimestamp: 1686975103470,
    isFinal,
    originationPhoneNumber: '+12065550152',
    destinationPhoneNumber: '+14255550156',
    isInternationalSend: false,
    mcc: '310',
    mnc: '800',
    messageId: '862a8790-60c0-4430-9b2b-658bdexample',
    messageRequestTimestamp: 1686975103170,
    messageEncoding: 'GSM',
    messageType: 'TRANSACTIONAL',
    messageStatus: 'SUCCESSFUL',
    messageStatusDescription: 'Message has been accepted by phone carrier',
    context: { stepAttemptId: 'attempt-9' },
    totalMessageParts: 1,
    totalMessagePrice: 0.09582,
    totalCarrierFee: 0.0,
    ...extra,
  });
}

const TEXT: StepContext = { channel: 'TEXT', leaveVoicemail: false };
const EVENT_TYPES_DOC =
  'https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html';

/** [eventType, disposition when final (undefined: progress even when final), alert]. */
const rows: ReadonlyArray<readonly [string, string | undefined, boolean]> = [
  ['TEXT_PENDING', undefined, false],
  ['TEXT_QUEUED', undefined, false],
  ['TEXT_SENT', undefined, false],
  ['TEXT_SUCCESSFUL', 'ENDED', false],
  ['TEXT_DELIVERED', 'ENDED', false],
  ['TEXT_INVALID', 'BAD_NUMBER', false],
  ['TEXT_UNREACHABLE', 'COULD_NOT_CONNECT', false],
  ['TEXT_CARRIER_UNREACHABLE', 'COULD_NOT_CONNECT', false],
  ['TEXT_TTL_EXPIRED', 'COULD_NOT_CONNECT', false],
  ['TEXT_UNKNOWN', 'COULD_NOT_CONNECT', false],
  ['TEXT_INVALID_MESSAGE', 'COULD_NOT_CONNECT', true],
  ['TEXT_BLOCKED', 'COULD_NOT_CONNECT', true],
  ['TEXT_CARRIER_BLOCKED', 'COULD_NOT_CONNECT', true],
  ['TEXT_SPAM', 'COULD_NOT_CONNECT', true],
  ['TEXT_PROTECT_BLOCKED', 'COULD_NOT_CONNECT', true],
  ['VOICE_INITIATED', undefined, false],
  ['VOICE_RINGING', undefined, false],
  ['VOICE_ANSWERED', undefined, false],
  ['VOICE_COMPLETED', 'ENDED', false],
  ['VOICE_BUSY', 'LINE_BUSY', false],
  ['VOICE_NO_ANSWER', 'NO_ANSWER', false],
  ['VOICE_FAILED', 'COULD_NOT_CONNECT', false],
  ['VOICE_TTL_EXPIRED', 'COULD_NOT_CONNECT', false],
];

describe(`normaliseAwsSmsEvent: one row of the eventType table each (${EVENT_TYPES_DOC})`, () => {
  it.each(rows)('%s, final → %s (alert %s)', (eventType, disposition, alert) => {
    const event = normaliseAwsSmsEvent(smsEvent(eventType, true), TEXT);
    if (disposition === undefined) expect(event.terminal).toBe(false);
    else expect(event).toMatchObject({ terminal: true, disposition, alert, kind: 'contact' });
  });

  it('has a test row for every table row', () => {
    expect(rows.map(([type]) => type).sort()).toEqual(Object.keys(AWS_SMS_EVENT_TABLE).sort());
  });
});

describe('normaliseAwsSmsEvent', () => {
  it('settles nothing before the final event, even a failure AWS may still retry', () => {
    for (const eventType of ['TEXT_SUCCESSFUL', 'TEXT_CARRIER_UNREACHABLE', 'TEXT_INVALID']) {
      expect(normaliseAwsSmsEvent(smsEvent(eventType, false), TEXT).terminal).toBe(false);
    }
    const noFlag = awsSmsEventSchema.parse({ eventType: 'TEXT_DELIVERED', messageId: 'm-1' });
    expect(normaliseAwsSmsEvent(noFlag, TEXT).terminal).toBe(false);
  });

  it('reads the step attempt id from context and the message id as provider id', () => {
    expect(normaliseAwsSmsEvent(smsEvent('TEXT_DELIVERED', true), TEXT)).toEqual({
      provider: 'aws-sms',
      providerId: '862a8790-60c0-4430-9b2b-658bdexample',
      stepAttemptId: 'attempt-9',
      detail: 'aws-sms TEXT_DELIVERED (final): SUCCESSFUL',
      terminal: true,
      disposition: 'ENDED',
      kind: 'contact',
      alert: false,
    });
    const noContext = smsEvent('TEXT_DELIVERED', true, { context: undefined });
    expect(normaliseAwsSmsEvent(noContext, TEXT).stepAttemptId).toBeUndefined();
  });

  it('settles a final event of an unknown type as COULD_NOT_CONNECT', () => {
    expect(normaliseAwsSmsEvent(smsEvent('MEDIA_SOMETHING_NEW', true), TEXT)).toMatchObject({
      disposition: 'COULD_NOT_CONNECT',
    });
  });

  it('reads the EventBridge detail of a delivered text the same way', () => {
    // https://docs.aws.amazon.com/sms-voice/latest/userguide/monitor-event-bridge.html
    const detail = awsSmsEventSchema.parse({
      eventType: 'TEXT_SUCCESSFUL',
      eventVersion: '1.0',
      eventTimestamp: 1759342841377,
      isFinal: true,
      originationPhoneNumber: 'VAJZNBLLDX',
      isoCountryCode: 'ES',
      isInternationalSend: false,
      carrierName: 'Movistar',
      messageId: 'ed23196c-75ce-4727-93ee-7bf72b64998f',
      messageType: 'TRANSACTIONAL',
    });
    expect(normaliseAwsSmsEvent(detail, TEXT)).toMatchObject({
      terminal: true,
      disposition: 'ENDED',
    });
  });
});
