import type { TwilioCallCallback, TwilioMessageCallback } from '../../schemas/providers/twilio.js';
import {
  CANCELLED,
  CONVERSATION,
  CORRELATION_KEY,
  DELIVERED,
  PROGRESS,
  type ProviderEvent,
  providerEvent,
  type Signal,
  type StepContext,
  telephony,
  VOICEMAIL_HANGUP,
  VOICEMAIL_MESSAGE,
} from './outcome.js';

/**
 * Twilio `CallStatus` → signal (`call_enum_status` in twilio-oai; meanings in
 * https://support.twilio.com/hc/en-us/articles/223132547). `completed` is read further through
 * `AnsweredBy`, `failed` through `SipResponseCode`.
 */
export const TWILIO_CALL_STATUS_TABLE: Readonly<Record<string, Signal>> = {
  queued: PROGRESS,
  initiated: PROGRESS,
  ringing: PROGRESS,
  'in-progress': PROGRESS,
  busy: telephony('LINE_BUSY'),
  'no-answer': telephony('NO_ANSWER'),
  failed: telephony('COULD_NOT_CONNECT'),
  canceled: CANCELLED,
  completed: CONVERSATION,
};

/**
 * `AnsweredBy` on a completed call (https://www.twilio.com/docs/voice/answering-machine-detection).
 * `machine_end_*` come from `DetectMessageEnd`, which waits for the beep so our TwiML can speak;
 * `machine_start` from `Enable`, after which we hang up.
 */
export const TWILIO_ANSWERED_BY_TABLE: Readonly<Record<string, Signal>> = {
  human: CONVERSATION,
  unknown: CONVERSATION,
  machine_start: VOICEMAIL_HANGUP,
  machine_end_beep: VOICEMAIL_MESSAGE,
  machine_end_silence: VOICEMAIL_MESSAGE,
  machine_end_other: VOICEMAIL_MESSAGE,
  fax: telephony('BAD_NUMBER'),
};

/** SIP final responses on a `failed` call that mean the number itself is wrong. */
export const TWILIO_BAD_NUMBER_SIP_CODES: ReadonlySet<string> = new Set([
  '404',
  '410',
  '484',
  '604',
]);

/**
 * Twilio `MessageStatus` → signal (`message_enum_status`;
 * https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks).
 * `sent` stays progress: `delivered` or `undelivered` follows where the carrier reports back.
 */
export const TWILIO_MESSAGE_STATUS_TABLE: Readonly<Record<string, Signal>> = {
  accepted: PROGRESS,
  scheduled: PROGRESS,
  queued: PROGRESS,
  sending: PROGRESS,
  sent: PROGRESS,
  delivered: DELIVERED,
  read: DELIVERED,
  partially_delivered: DELIVERED,
  undelivered: telephony('COULD_NOT_CONNECT'),
  failed: telephony('COULD_NOT_CONNECT'),
  canceled: CANCELLED,
};

/** `ErrorCode` on an undelivered or failed message that says more than "not delivered". */
export const TWILIO_MESSAGE_ERROR_TABLE: Readonly<Record<string, Signal>> = {
  // Unknown destination handset: inactive or out of service.
  '30005': telephony('BAD_NUMBER'),
  // Landline or unreachable carrier: this number cannot take texts.
  '30006': telephony('BAD_NUMBER'),
  // Invalid 'To' number.
  '21211': telephony('BAD_NUMBER'),
  // Filtered as spam or fraud: our content or sender registration needs a look.
  '30007': telephony('COULD_NOT_CONNECT', true),
};

/** Our step attempt id, from the query string of the StatusCallback URL we gave Twilio. */
export function twilioStepAttemptId(callbackUrl: string): string | undefined {
  try {
    return new URL(callbackUrl).searchParams.get(CORRELATION_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function twilioCallSignal(callback: TwilioCallCallback, answeredBy?: string): Signal {
  // An async AMD callback has no CallStatus: it informs, it does not end the call.
  const status = callback.CallStatus ?? 'in-progress';
  const signal = TWILIO_CALL_STATUS_TABLE[status] ?? PROGRESS;
  if (status === 'failed' && TWILIO_BAD_NUMBER_SIP_CODES.has(callback.SipResponseCode ?? ''))
    return telephony('BAD_NUMBER');
  if (status !== 'completed') return signal;
  return TWILIO_ANSWERED_BY_TABLE[callback.AnsweredBy ?? answeredBy ?? 'unknown'] ?? CONVERSATION;
}

/**
 * Normalises a voice status callback (or an async AMD callback). `answeredBy` is the AMD result
 * an earlier async AMD callback reported, for a final callback that does not repeat it. Twilio
 * has no agent of its own: a completed human call ends ENDED here unless our agent reports more.
 */
export function normaliseTwilioCall(
  callback: TwilioCallCallback,
  callbackUrl: string,
  step: StepContext,
  answeredBy?: string
): ProviderEvent {
  const base = {
    provider: 'twilio' as const,
    providerId: callback.CallSid,
    stepAttemptId: twilioStepAttemptId(callbackUrl),
    detail: `twilio call ${callback.CallStatus ?? 'amd'}: answered by ${
      callback.AnsweredBy ?? answeredBy ?? '?'
    }, sip ${callback.SipResponseCode ?? '-'}`,
  };
  return providerEvent(base, twilioCallSignal(callback, answeredBy), {}, step);
}

export function twilioMessageSignal(callback: TwilioMessageCallback): Signal {
  const signal = TWILIO_MESSAGE_STATUS_TABLE[callback.MessageStatus] ?? PROGRESS;
  if (signal.is !== 'telephony') return signal;
  return TWILIO_MESSAGE_ERROR_TABLE[callback.ErrorCode ?? ''] ?? signal;
}

/** Normalises a message status callback: delivered, undelivered, failed or canceled settle the attempt. */
export function normaliseTwilioMessage(
  callback: TwilioMessageCallback,
  callbackUrl: string,
  step: StepContext
): ProviderEvent {
  const base = {
    provider: 'twilio' as const,
    providerId: callback.MessageSid,
    stepAttemptId: twilioStepAttemptId(callbackUrl),
    detail: `twilio message ${callback.MessageStatus}: error ${callback.ErrorCode ?? '-'}`,
  };
  return providerEvent(base, twilioMessageSignal(callback), {}, step);
}
