import { describe, expect, it } from 'vitest';
import {
  awsConsentChange,
  keywordIntent,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
  twilioConsentChange,
} from '../../../../lambdas/domain/providers/opt-out.js';
import { awsInboundSmsSchema } from '../../../../lambdas/schemas/providers/aws-sms.js';
import { twilioInboundMessageSchema } from '../../../../lambdas/schemas/providers/twilio.js';

const TWILIO_DEFAULTS = 'https://support.twilio.com/hc/en-us/articles/223134027';
const AWS_REQUIRED =
  'https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html';

/** [keyword, source]. */
const optOutRows: ReadonlyArray<readonly [string, string]> = [
  ['STOP', `${TWILIO_DEFAULTS}; ${AWS_REQUIRED}`],
  ['STOPALL', TWILIO_DEFAULTS],
  ['UNSUBSCRIBE', `${TWILIO_DEFAULTS}; ${AWS_REQUIRED}`],
  ['CANCEL', `${TWILIO_DEFAULTS}; ${AWS_REQUIRED}`],
  ['END', `${TWILIO_DEFAULTS}; ${AWS_REQUIRED}`],
  ['QUIT', `${TWILIO_DEFAULTS}; ${AWS_REQUIRED}`],
  ['ARRET', AWS_REQUIRED],
  ['OPT-OUT', AWS_REQUIRED],
  ['OPTOUT', AWS_REQUIRED],
  ['REMOVE', AWS_REQUIRED],
  ['TD', AWS_REQUIRED],
];

describe('keywordIntent', () => {
  it.each(optOutRows)('%s is an opt-out (source %s)', (keyword) => {
    expect(keywordIntent(keyword)).toBe('optOut');
    expect(keywordIntent(`  ${keyword.toLowerCase()}\n`)).toBe('optOut');
  });

  it.each(['START', 'YES', 'UNSTOP'])(`%s is an opt-in (${TWILIO_DEFAULTS})`, (keyword) => {
    expect(keywordIntent(keyword.toLowerCase())).toBe('optIn');
  });

  it('lists exactly the tested keywords', () => {
    expect([...OPT_OUT_KEYWORDS].sort()).toEqual(optOutRows.map(([keyword]) => keyword).sort());
    expect([...OPT_IN_KEYWORDS].sort()).toEqual(['START', 'UNSTOP', 'YES']);
  });

  it(`ignores a keyword inside a sentence: "STOP PLEASE" does not opt out (${TWILIO_DEFAULTS})`, () => {
    for (const text of ['STOP PLEASE', 'please stop', 'Stop.', 'the end', '', undefined]) {
      expect(keywordIntent(text)).toBeUndefined();
    }
  });
});

describe('twilioConsentChange', () => {
  // Inbound message webhook parameters (https://www.twilio.com/docs/messaging/guides/webhook-request).
  const inbound = (params: Record<string, string>) =>
    twilioInboundMessageSchema.parse({
      MessageSid: 'SM1',
      AccountSid: 'AC1',
      From: '+14155550123',
      To: '+18005551212',
      NumSegments: '1',
      ...params,
    });

  it('returns the sender to suppress for a default keyword', () => {
    expect(twilioConsentChange(inbound({ Body: 'Stop' }))).toEqual({
      intent: 'optOut',
      phone: '+14155550123',
    });
    expect(twilioConsentChange(inbound({ Body: 'unstop' }))).toEqual({
      intent: 'optIn',
      phone: '+14155550123',
    });
    expect(twilioConsentChange(inbound({ Body: 'Who is this?' }))).toBeUndefined();
  });

  it(`trusts Advanced Opt-Out's OptOutType for custom keywords (https://support.twilio.com/hc/en-us/articles/360034798533)`, () => {
    expect(twilioConsentChange(inbound({ Body: 'NOMORE', OptOutType: 'STOP' }))).toEqual({
      intent: 'optOut',
      phone: '+14155550123',
    });
    expect(twilioConsentChange(inbound({ Body: 'BEGIN', OptOutType: 'START' }))?.intent).toBe(
      'optIn'
    );
    expect(twilioConsentChange(inbound({ Body: 'HELP', OptOutType: 'HELP' }))).toBeUndefined();
  });
});

describe('awsConsentChange', () => {
  // The two-way payload on https://docs.aws.amazon.com/sms-voice/latest/userguide/two-way-sms-payload.html.
  const inbound = (fields: Record<string, string>) =>
    awsInboundSmsSchema.parse({
      originationNumber: '+14255550182',
      destinationNumber: '+12125550101',
      messageKeyword: 'JOIN',
      messageBody: 'Yes',
      inboundMessageId: 'cae173d2-66b9-564c-8309-21f858e9fb84',
      previousPublishedMessageId: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      ...fields,
    });

  it('returns the customer number for an opt-out keyword, matched or in the body', () => {
    expect(awsConsentChange(inbound({ messageKeyword: 'STOP', messageBody: 'stop' }))).toEqual({
      intent: 'optOut',
      phone: '+14255550182',
    });
    expect(awsConsentChange(inbound({ messageBody: ' Arret ' }))).toEqual({
      intent: 'optOut',
      phone: '+14255550182',
    });
  });

  it('reads a consent reply, and ignores conversation', () => {
    expect(awsConsentChange(inbound({}))?.intent).toBe('optIn');
    expect(awsConsentChange(inbound({ messageBody: 'Can you call me tomorrow?' }))).toBeUndefined();
  });
});
