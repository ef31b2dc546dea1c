import type { Disposition } from '../../schemas/common.js';

/**
 * What every provider's outcome mapping shares: the signals its tables name, the precedence that
 * turns a signal and the post-call analysis into one disposition, and the normalised event.
 */

// Where our step attempt id travels: shared with the channel adapters that send it.
export { CORRELATION_KEY, correlationOf } from '../../schemas/providers/correlation.js';

/** What the mapping needs to know about the step the attempt belongs to. */
export interface StepContext {
  channel: 'CALL' | 'TEXT';
  leaveVoicemail: boolean;
}

type TelephonyDisposition = Extract<
  Disposition,
  'COULD_NOT_CONNECT' | 'BAD_NUMBER' | 'LINE_BUSY' | 'NO_ANSWER'
>;

/** One row's meaning in a provider table, before precedence picks the disposition. */
export type Signal =
  /** Not the end yet: ringing, in progress, sent, a call that awaits its analysis. */
  | { is: 'progress' }
  /** The call or text never reached the person. `alert`: our number or sender is at fault. */
  | { is: 'telephony'; disposition: TelephonyDisposition; alert: boolean }
  /** The provider failed (limits, billing, its own errors): retry the dispatch, then COULD_NOT_CONNECT. */
  | { is: 'providerFault' }
  /** We cancelled it (a cancelled run): no contact outcome. */
  | { is: 'cancelled' }
  /** A machine answered. `messagePlayed`: this path plays the voicemail message when one is set. */
  | { is: 'voicemail'; messagePlayed: boolean }
  | { is: 'transfer'; disposition: 'WARM_TRANSFER' | 'CALL_AGAIN' }
  | { is: 'silence' }
  /** A conversation ended normally: the post-call analysis decides, else ENDED. */
  | { is: 'conversation' }
  /** A text reached the handset: nothing more will happen on this attempt. */
  | { is: 'delivered' };

export const PROGRESS = { is: 'progress' } as const satisfies Signal;
export const PROVIDER_FAULT = { is: 'providerFault' } as const satisfies Signal;
export const CANCELLED = { is: 'cancelled' } as const satisfies Signal;
export const VOICEMAIL_MESSAGE = { is: 'voicemail', messagePlayed: true } as const satisfies Signal;
export const VOICEMAIL_HANGUP = { is: 'voicemail', messagePlayed: false } as const satisfies Signal;
export const TRANSFERRED = {
  is: 'transfer',
  disposition: 'WARM_TRANSFER',
} as const satisfies Signal;
export const TRANSFER_FAILED = {
  is: 'transfer',
  disposition: 'CALL_AGAIN',
} as const satisfies Signal;
export const SILENCE = { is: 'silence' } as const satisfies Signal;
export const CONVERSATION = { is: 'conversation' } as const satisfies Signal;
export const DELIVERED = { is: 'delivered' } as const satisfies Signal;

export function telephony(
  disposition: TelephonyDisposition,
  alert = false
): Extract<Signal, { is: 'telephony' }> {
  return { is: 'telephony', disposition, alert };
}

/** Other evidence in the payload, beside the row's signal. */
export interface OutcomeFacts {
  /** The provider's analysis says a machine answered (Retell `in_voicemail`). */
  inVoicemail?: boolean;
  /** The provider recorded a transfer (Vapi `artifact.transfers`). */
  transferred?: boolean;
  /** Values of our post-call `outcome` enum, as the provider returned them. */
  analysis?: readonly string[];
}

/** How a terminal event should settle the attempt. */
export type OutcomeKind = 'contact' | 'providerFault' | 'cancelled';

interface EventBase {
  provider: 'retell' | 'vapi' | 'twilio' | 'aws-sms';
  /** The provider's call or message id: the dedupe key, and the match when metadata was lost. */
  providerId: string;
  stepAttemptId: string | undefined;
  /** What the provider said, for the step execution and the logs (no personal data). */
  detail: string;
}

export type ProviderEvent =
  | (EventBase & { terminal: false })
  | (EventBase & {
      terminal: true;
      disposition: Disposition;
      kind: OutcomeKind;
      /** Someone should look: our caller id, trunk, content or account is at fault. */
      alert: boolean;
    });

/** The post-call `outcome` choices, strongest first: a DNC request outranks a booked meeting. */
export const CONVERSATION_PRECEDENCE = [
  'DNC',
  'FRAUD',
  'CALENDLY',
  'TEXT_CONSENT',
  'CALL_AGAIN',
  'NOT_INTERESTED',
] as const satisfies readonly Disposition[];

/** The strongest conversation outcome among `values` (any case; unknown values and NONE ignored). */
export function strongestConversationOutcome(values: readonly string[]): Disposition | undefined {
  const named = new Set(values.map((value) => value.trim().toUpperCase()));
  return CONVERSATION_PRECEDENCE.find((outcome) => named.has(outcome));
}

/** The `outcome` field of an analysis object: a string or a list of strings. */
export function outcomeValues(analysis: unknown): string[] {
  if (typeof analysis !== 'object' || analysis === null) return [];
  const value = (analysis as Record<string, unknown>).outcome;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string');
  return [];
}

type Settlement = { disposition: Disposition; kind: OutcomeKind; alert: boolean };

const contact = (disposition: Disposition, alert = false): Settlement => ({
  disposition,
  kind: 'contact',
  alert,
});

/**
 * The precedence every provider shares: (1) the call never connected, (2) voicemail,
 * (3) transfer, (4) silence, (5) the post-call analysis, strongest first, (6) ENDED. A message
 * counts as left only when the step asked for one and the provider's path plays it; a machine
 * the analysis noticed on a call that ended otherwise was not confirmed to get the message.
 */
export function settle(
  signal: Exclude<Signal, { is: 'progress' }>,
  facts: OutcomeFacts,
  step: StepContext
): Settlement {
  switch (signal.is) {
    case 'telephony':
      return contact(signal.disposition, signal.alert);
    case 'providerFault':
      return { disposition: 'COULD_NOT_CONNECT', kind: 'providerFault', alert: true };
    case 'cancelled':
      return { disposition: 'COULD_NOT_CONNECT', kind: 'cancelled', alert: false };
    case 'voicemail':
      return contact(
        signal.messagePlayed && step.leaveVoicemail ? 'LEFT_VOICEMAIL' : 'VOICEMAIL_DETECTED'
      );
  }
  if (facts.inVoicemail) return contact('VOICEMAIL_DETECTED');
  if (signal.is === 'transfer') return contact(signal.disposition);
  if (facts.transferred) return contact('WARM_TRANSFER');
  if (signal.is === 'silence') return contact('SILENCE_TIMEOUT');
  return contact(strongestConversationOutcome(facts.analysis ?? []) ?? 'ENDED');
}

/** The normalised event for `signal`: terminal unless the signal is progress. */
export function providerEvent(
  base: EventBase,
  signal: Signal,
  facts: OutcomeFacts,
  step: StepContext
): ProviderEvent {
  if (signal.is === 'progress') return { ...base, terminal: false };
  return { ...base, terminal: true, ...settle(signal, facts, step) };
}
