import type { AwsSmsEvent } from '../../schemas/providers/aws-sms.js';
import {
  CORRELATION_KEY,
  DELIVERED,
  PROGRESS,
  type ProviderEvent,
  providerEvent,
  type Signal,
  type StepContext,
  telephony,
} from './outcome.js';

/**
 * AWS End User Messaging `eventType` → signal (`EventType` in the pinpoint-sms-voice-v2 model;
 * meanings in https://docs.aws.amazon.com/sms-voice/latest/userguide/configuration-sets-event-types.html).
 * A row only settles the attempt when the event says `isFinal`: AWS retries temporary failures
 * and reports the final state later.
 */
export const AWS_SMS_EVENT_TABLE: Readonly<Record<string, Signal>> = {
  TEXT_PENDING: PROGRESS,
  TEXT_QUEUED: PROGRESS,
  TEXT_SENT: PROGRESS,
  // Countries report one or the other: both mean the carrier took it.
  TEXT_SUCCESSFUL: DELIVERED,
  TEXT_DELIVERED: DELIVERED,
  TEXT_INVALID: telephony('BAD_NUMBER'),
  TEXT_UNREACHABLE: telephony('COULD_NOT_CONNECT'),
  TEXT_CARRIER_UNREACHABLE: telephony('COULD_NOT_CONNECT'),
  TEXT_TTL_EXPIRED: telephony('COULD_NOT_CONNECT'),
  TEXT_UNKNOWN: telephony('COULD_NOT_CONNECT'),
  // Our message body, content or registration is at fault: someone should look.
  TEXT_INVALID_MESSAGE: telephony('COULD_NOT_CONNECT', true),
  TEXT_BLOCKED: telephony('COULD_NOT_CONNECT', true),
  TEXT_CARRIER_BLOCKED: telephony('COULD_NOT_CONNECT', true),
  TEXT_SPAM: telephony('COULD_NOT_CONNECT', true),
  TEXT_PROTECT_BLOCKED: telephony('COULD_NOT_CONNECT', true),
  VOICE_INITIATED: PROGRESS,
  VOICE_RINGING: PROGRESS,
  VOICE_ANSWERED: PROGRESS,
  // The message played, to a person or a machine: AWS cannot tell which.
  VOICE_COMPLETED: DELIVERED,
  VOICE_BUSY: telephony('LINE_BUSY'),
  VOICE_NO_ANSWER: telephony('NO_ANSWER'),
  VOICE_FAILED: telephony('COULD_NOT_CONNECT'),
  VOICE_TTL_EXPIRED: telephony('COULD_NOT_CONNECT'),
};

/** A final event of a type this code does not know: the message did not demonstrably arrive. */
const UNKNOWN_FINAL: Signal = telephony('COULD_NOT_CONNECT');

export function awsSmsSignal(event: AwsSmsEvent): Signal {
  if (event.isFinal !== true) return PROGRESS;
  return AWS_SMS_EVENT_TABLE[event.eventType] ?? UNKNOWN_FINAL;
}

/** Normalises a delivery event (an SNS message body or an EventBridge `detail`). */
export function normaliseAwsSmsEvent(event: AwsSmsEvent, step: StepContext): ProviderEvent {
  const base = {
    provider: 'aws-sms' as const,
    providerId: event.messageId,
    stepAttemptId: event.context?.[CORRELATION_KEY],
    detail: `aws-sms ${event.eventType}${event.isFinal ? ' (final)' : ''}: ${event.messageStatus ?? '?'}`,
  };
  return providerEvent(base, awsSmsSignal(event), {}, step);
}
