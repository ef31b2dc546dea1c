import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../../../lambdas/domain/providers/outcome.js';
import {
  normaliseTwilioCall,
  TWILIO_ANSWERED_BY_TABLE,
  TWILIO_BAD_NUMBER_SIP_CODES,
  TWILIO_CALL_STATUS_TABLE,
} from '../../../../lambdas/domain/providers/twilio-outcome.js';
import { twilioCallCallbackSchema } from '../../../../lambdas/schemas/providers/twilio.js';

/**
 * Voice status callback parameters as https://www.twilio.com/docs/voice/api/call-resource lists
 * them (form fields, all strings), for an outbound API call with AMD.
 */
function callCallback(params: Record<string, string | undefined>) {
  return twilioCallCallbackSchema.parse({
    AccountSid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
    ApiVersion: '2010-04-01',
    CallSid: 'CA1234567890ABCDE',
    CallbackSource: 'call-progress-events',
    Called: '+14155550123',
    Caller: '+18005551212',
    Direction: 'outbound-api',
    From: '+18005551212',
    To: '+14155550123',
    SequenceNumber: '2',
    Timestamp: 'Mon, 23 Nov 2026 15:02:00 +0000',
    ...params,
  });
}

const CALLBACK_URL = 'https://api.example.com/prod/providers/twilio/status?stepAttemptId=attempt-3';
const LEAVE_VOICEMAIL: StepContext = { channel: 'CALL', leaveVoicemail: true };
const NO_VOICEMAIL: StepContext = { channel: 'CALL', leaveVoicemail: false };

const STATUS_DOC = 'https://support.twilio.com/hc/en-us/articles/223132547 (call_enum_status)';
const AMD_DOC = 'https://www.twilio.com/docs/voice/answering-machine-detection';

/** [CallStatus, terminal, disposition, kind] ('-': progress has neither). */
const callStatusRows: ReadonlyArray<readonly [string, boolean, string, string]> = [
  ['queued', false, '-', '-'],
  ['initiated', false, '-', '-'],
  ['ringing', false, '-', '-'],
  ['in-progress', false, '-', '-'],
  ['busy', true, 'LINE_BUSY', 'contact'],
  ['no-answer', true, 'NO_ANSWER', 'contact'],
  ['failed', true, 'COULD_NOT_CONNECT', 'contact'],
  ['canceled', true, 'COULD_NOT_CONNECT', 'cancelled'],
  ['completed', true, 'ENDED', 'contact'],
];

describe(`normaliseTwilioCall: one row of the CallStatus table each (${STATUS_DOC})`, () => {
  it.each(callStatusRows)(
    '%s → terminal %s, %s (%s)',
    (CallStatus, terminal, disposition, kind) => {
      const event = normaliseTwilioCall(callCallback({ CallStatus }), CALLBACK_URL, NO_VOICEMAIL);
      expect(event.terminal).toBe(terminal);
      if (terminal) expect(event).toMatchObject({ disposition, kind });
      else expect(event).not.toHaveProperty('disposition');
    }
  );

  it('has a test row for every table row', () => {
    expect(callStatusRows.map(([status]) => status).sort()).toEqual(
      Object.keys(TWILIO_CALL_STATUS_TABLE).sort()
    );
  });
});

/** [AnsweredBy, disposition when the step leaves a voicemail, disposition when it does not]. */
const answeredByRows: ReadonlyArray<readonly [string, string, string]> = [
  ['human', 'ENDED', 'ENDED'],
  ['unknown', 'ENDED', 'ENDED'],
  ['machine_start', 'VOICEMAIL_DETECTED', 'VOICEMAIL_DETECTED'],
  ['machine_end_beep', 'LEFT_VOICEMAIL', 'VOICEMAIL_DETECTED'],
  ['machine_end_silence', 'LEFT_VOICEMAIL', 'VOICEMAIL_DETECTED'],
  ['machine_end_other', 'LEFT_VOICEMAIL', 'VOICEMAIL_DETECTED'],
  ['fax', 'BAD_NUMBER', 'BAD_NUMBER'],
];

describe(`normaliseTwilioCall: one row of the AnsweredBy table each (${AMD_DOC})`, () => {
  it.each(answeredByRows)(
    'completed + %s → %s with a voicemail message, %s without',
    (AnsweredBy, leaving, notLeaving) => {
      const callback = callCallback({ CallStatus: 'completed', AnsweredBy, CallDuration: '31' });
      expect(normaliseTwilioCall(callback, CALLBACK_URL, LEAVE_VOICEMAIL)).toMatchObject({
        terminal: true,
        disposition: leaving,
      });
      expect(normaliseTwilioCall(callback, CALLBACK_URL, NO_VOICEMAIL)).toMatchObject({
        disposition: notLeaving,
      });
    }
  );

  it('has a test row for every table row', () => {
    expect(answeredByRows.map(([value]) => value).sort()).toEqual(
      Object.keys(TWILIO_ANSWERED_BY_TABLE).sort()
    );
  });
});

describe('normaliseTwilioCall: SIP codes on a failed call (general SIP meanings, RFC 3261 §21)', () => {
  it.each(['404', '410', '484', '604'])(
    'failed + SipResponseCode %s → BAD_NUMBER',
    (SipResponseCode) => {
      const callback = callCallback({ CallStatus: 'failed', SipResponseCode });
      expect(normaliseTwilioCall(callback, CALLBACK_URL, NO_VOICEMAIL)).toMatchObject({
        disposition: 'BAD_NUMBER',
      });
    }
  );

  it('keeps COULD_NOT_CONNECT for other codes, and lists exactly the tested codes', () => {
    const callback = callCallback({ CallStatus: 'failed', SipResponseCode: '503' });
    expect(normaliseTwilioCall(callback, CALLBACK_URL, NO_VOICEMAIL)).toMatchObject({
      disposition: 'COULD_NOT_CONNECT',
    });
    expect([...TWILIO_BAD_NUMBER_SIP_CODES].sort()).toEqual(['404', '410', '484', '604']);
  });
});

describe('normaliseTwilioCall', () => {
  it('reads the step attempt id from the callback URL and the CallSid as provider id', () => {
    const event = normaliseTwilioCall(
      callCallback({ CallStatus: 'busy' }),
      CALLBACK_URL,
      NO_VOICEMAIL
    );
    expect(event).toMatchObject({
      provider: 'twilio',
      providerId: 'CA1234567890ABCDE',
      stepAttemptId: 'attempt-3',
      detail: 'twilio call busy: answered by ?, sip -',
    });
    const bare = normaliseTwilioCall(
      callCallback({ CallStatus: 'busy' }),
      'not a url',
      NO_VOICEMAIL
    );
    expect(bare.stepAttemptId).toBeUndefined();
  });

  it('treats an async AMD callback as progress, and uses its result on the final callback', () => {
    // Async AMD posts CallSid, AnsweredBy and MachineDetectionDuration, without CallStatus.
    const amd = callCallback({ AnsweredBy: 'machine_end_beep', MachineDetectionDuration: '4200' });
    expect(normaliseTwilioCall(amd, CALLBACK_URL, LEAVE_VOICEMAIL)).toMatchObject({
      terminal: false,
      detail: 'twilio call amd: answered by machine_end_beep, sip -',
    });
    const final = callCallback({ CallStatus: 'completed' });
    expect(
      normaliseTwilioCall(final, CALLBACK_URL, LEAVE_VOICEMAIL, 'machine_end_beep')
    ).toMatchObject({
      disposition: 'LEFT_VOICEMAIL',
    });
  });

  it('treats a status it does not know as progress', () => {
    const event = normaliseTwilioCall(
      callCallback({ CallStatus: 'teleporting' }),
      CALLBACK_URL,
      NO_VOICEMAIL
    );
    expect(event.terminal).toBe(false);
  });
});
