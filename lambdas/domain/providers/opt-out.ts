import type { AwsInboundSms } from '../../schemas/providers/aws-sms.js';
import type { TwilioInboundMessage } from '../../schemas/providers/twilio.js';

/**
 * Inbound texts that change whether we may text a number. A message counts only when it is the
 * keyword alone (trimmed, any case): carriers and providers treat "STOP PLEASE" as conversation.
 */

/**
 * Twilio's default opt-out words (https://support.twilio.com/hc/en-us/articles/223134027) and the
 * words AWS End User Messaging requires for US and Canadian numbers
 * (https://docs.aws.amazon.com/sms-voice/latest/userguide/keywords-required.html).
 */
export const OPT_OUT_KEYWORDS: ReadonlySet<string> = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'ARRET',
  'OPT-OUT',
  'OPTOUT',
  'REMOVE',
  'TD',
]);

/** Twilio's default opt-in words, and AWS's re-subscribe words. */
export const OPT_IN_KEYWORDS: ReadonlySet<string> = new Set(['START', 'YES', 'UNSTOP']);

export type KeywordIntent = 'optOut' | 'optIn';

export interface ConsentChange {
  intent: KeywordIntent;
  /** The sender: the number to suppress (or release). */
  phone: string;
}

export function keywordIntent(text: string | undefined): KeywordIntent | undefined {
  const word = (text ?? '').trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.has(word)) return 'optOut';
  if (OPT_IN_KEYWORDS.has(word)) return 'optIn';
  return undefined;
}

/** Twilio Advanced Opt-Out's `OptOutType` (STOP, START, HELP) → intent. */
const TWILIO_OPT_OUT_TYPES: Readonly<Record<string, KeywordIntent>> = {
  STOP: 'optOut',
  START: 'optIn',
};

/**
 * An inbound Twilio text. With Advanced Opt-Out, Twilio has matched the keyword (including the
 * custom ones) and says so in `OptOutType`; without it, the default words apply.
 */
export function twilioConsentChange(message: TwilioInboundMessage): ConsentChange | undefined {
  const byType = TWILIO_OPT_OUT_TYPES[(message.OptOutType ?? '').toUpperCase()];
  const intent = byType ?? keywordIntent(message.Body);
  return intent ? { intent, phone: message.From } : undefined;
}

/**
 * An inbound AWS two-way text: the keyword AWS matched (`messageKeyword`), else the body. A
 * custom OPT_OUT keyword configured on our number must be added to the lists above too.
 */
export function awsConsentChange(message: AwsInboundSms): ConsentChange | undefined {
  const intent = keywordIntent(message.messageKeyword) ?? keywordIntent(message.messageBody);
  return intent ? { intent, phone: message.originationNumber } : undefined;
}
