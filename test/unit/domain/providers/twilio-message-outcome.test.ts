import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../../../lambdas/domain/providers/outcome.js';
import {
  normaliseTwilioMessage,
  TWILIO_MESSAGE_ERROR_TABLE,
  TWILIO_MESSAGE_STATUS_TABLE,
} from '../../../../lambdas/domain/providers/twilio-outcome.js';
import { twilioMessageCallbackSchema } from '../../../../lambdas/schemas/providers/twilio.js';

/** Message status callback parameters (https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks). */
function messageCallback(params: Record<string, string | undefined>) {
  return twilioMessageCallbackSchema.parse({
    AccountSid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
    ApiVersion: '2010-04-01',
    MessageSid: 'SM1234567890ABCDE',
    SmsSid: 'SM1234567890ABCDE',
    SmsStatus: params.MessageStatus,
    From: '+18005551212',
    To: '+14155550123',
    ...params,
  });
}

const CALLBACK_URL = 'https://api.example.com/prod/providers/twilio/status?stepAttemptId=attempt-3';
const TEXT: StepContext = { channel: 'TEXT', leaveVoicemail: false };
const MESSAGE_DOC =
  'twilio-oai message_enum_status; https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks';

/** [MessageStatus, terminal, disposition, kind] ('-': progress has neither). */
const messageStatusRows: ReadonlyArray<readonly [string, boolean, string, string]> = [
  ['accepted', false, '-', '-'],
  ['scheduled', false, '-', '-'],
  ['queued', false, '-', '-'],
  ['sending', false, '-', '-'],
  ['sent', false, '-', '-'],
  ['delivered', true, 'ENDED', 'contact'],
  ['read', true, 'ENDED', 'contact'],
  ['partially_delivered', true, 'ENDED', 'contact'],
  ['undelivered', true, 'COULD_NOT_CONNECT', 'contact'],
  ['failed', true, 'COULD_NOT_CONNECT', 'contact'],
  ['canceled', true, 'COULD_NOT_CONNECT', 'cancelled'],
];

describe(`normaliseTwilioMessage: one row of the MessageStatus table each (${MESSAGE_DOC})`, () => {
  it.each(messageStatusRows)(
    '%s → terminal %s, %s (%s)',
    (MessageStatus, terminal, disposition, kind) => {
      const event = normaliseTwilioMessage(messageCallback({ MessageStatus }), CALLBACK_URL, TEXT);
      expect(event.terminal).toBe(terminal);
      if (terminal) expect(event).toMatchObject({ disposition, kind });
    }
  );

  it('has a test row for every table row', () => {
    expect(messageStatusRows.map(([status]) => status).sort()).toEqual(
      Object.keys(TWILIO_MESSAGE_STATUS_TABLE).sort()
    );
  });
});

/** [ErrorCode, disposition, alert, source]. */
const messageErrorRows: ReadonlyArray<readonly [string, string, boolean, string]> = [
  [
    '30005',
    'BAD_NUMBER',
    false,
    'https://www.twilio.com/docs/api/errors/30005 (unknown destination handset)',
  ],
  [
    '30006',
    'BAD_NUMBER',
    false,
    'https://www.twilio.com/docs/api/errors/30006 (landline or unreachable carrier)',
  ],
  [
    '21211',
    'BAD_NUMBER',
    false,
    "https://www.twilio.com/docs/api/errors/21211 (invalid 'To' number)",
  ],
  [
    '30007',
    'COULD_NOT_CONNECT',
    true,
    'https://www.twilio.com/docs/api/errors/30007 (message filtered)',
  ],
];

describe('normaliseTwilioMessage: one row of the ErrorCode table each', () => {
  it.each(messageErrorRows)(
    'undelivered + %s → %s (alert %s; source %s)',
    (ErrorCode, disposition, alert) => {
      for (const MessageStatus of ['undelivered', 'failed']) {
        const event = normaliseTwilioMessage(
          messageCallback({ MessageStatus, ErrorCode }),
          CALLBACK_URL,
          TEXT
        );
        expect(event).toMatchObject({ terminal: true, disposition, alert });
      }
    }
  );

  it('has a test row for every table row, and other codes stay COULD_NOT_CONNECT', () => {
    expect(messageErrorRows.map(([code]) => code).sort()).toEqual(
      Object.keys(TWILIO_MESSAGE_ERROR_TABLE).sort()
    );
    // https://www.twilio.com/docs/api/errors/30003: unreachable destination handset.
    const unreachable = messageCallback({ MessageStatus: 'undelivered', ErrorCode: '30003' });
    expect(normaliseTwilioMessage(unreachable, CALLBACK_URL, TEXT)).toMatchObject({
      disposition: 'COULD_NOT_CONNECT',
      alert: false,
    });
  });

  it('ignores an error code on a delivered message', () => {
    const delivered = messageCallback({ MessageStatus: 'delivered', ErrorCode: '30005' });
    expect(normaliseTwilioMessage(delivered, CALLBACK_URL, TEXT)).toMatchObject({
      disposition: 'ENDED',
    });
  });

  it('reads the step attempt id from the callback URL and the MessageSid as provider id', () => {
    const event = normaliseTwilioMessage(
      messageCallback({ MessageStatus: 'sent' }),
      CALLBACK_URL,
      TEXT
    );
    expect(event).toEqual({
      provider: 'twilio',
      providerId: 'SM1234567890ABCDE',
      stepAttemptId: 'attempt-3',
      detail: 'twilio message sent: error -',
      terminal: false,
    });
  });
});
