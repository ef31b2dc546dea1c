import { describe, expect, it } from 'vitest';
import {
  CONVERSATION,
  correlationOf,
  outcomeValues,
  PROVIDER_FAULT,
  SILENCE,
  settle,
  strongestConversationOutcome,
  TRANSFERRED,
  telephony,
  VOICEMAIL_HANGUP,
  VOICEMAIL_MESSAGE,
} from '../../../../lambdas/domain/providers/outcome.js';

const CALL = { channel: 'CALL', leaveVoicemail: true } as const;

describe('strongestConversationOutcome', () => {
  it('ranks DNC > FRAUD > CALENDLY > TEXT_CONSENT > CALL_AGAIN > NOT_INTERESTED', () => {
    const ranked = ['NOT_INTERESTED', 'CALL_AGAIN', 'TEXT_CONSENT', 'CALENDLY', 'FRAUD', 'DNC'];
    for (let i = 0; i < ranked.length; i++) {
      expect(strongestConversationOutcome(ranked.slice(0, i + 1))).toBe(ranked[i]);
    }
  });

  it('ignores case, blanks, NONE and values that are no conversation outcome', () => {
    expect(strongestConversationOutcome([' calendly '])).toBe('CALENDLY');
    expect(strongestConversationOutcome(['NONE', 'LEFT_VOICEMAIL', 'ENDED'])).toBeUndefined();
  });
});

describe('settle: the precedence every provider shares', () => {
  const all = { inVoicemail: true, transferred: true, analysis: ['DNC'] };

  it('puts a telephony failure first, then voicemail, transfer, silence, analysis, ENDED', () => {
    expect(settle(telephony('LINE_BUSY'), all, CALL).disposition).toBe('LINE_BUSY');
    expect(settle(VOICEMAIL_MESSAGE, all, CALL).disposition).toBe('LEFT_VOICEMAIL');
    expect(settle(CONVERSATION, all, CALL).disposition).toBe('VOICEMAIL_DETECTED');
    const noMachine = { ...all, inVoicemail: false };
    expect(settle(CONVERSATION, noMachine, CALL).disposition).toBe('WARM_TRANSFER');
    expect(settle(TRANSFERRED, noMachine, CALL).disposition).toBe('WARM_TRANSFER');
    const noTransfer = { ...noMachine, transferred: false };
    expect(settle(SILENCE, noTransfer, CALL).disposition).toBe('SILENCE_TIMEOUT');
    expect(settle(CONVERSATION, noTransfer, CALL).disposition).toBe('DNC');
    expect(settle(CONVERSATION, {}, CALL).disposition).toBe('ENDED');
  });

  it('leaves a voicemail only when the step asks and the path plays the message', () => {
    const noMessage = { channel: 'CALL', leaveVoicemail: false } as const;
    expect(settle(VOICEMAIL_MESSAGE, {}, noMessage).disposition).toBe('VOICEMAIL_DETECTED');
    expect(settle(VOICEMAIL_HANGUP, {}, CALL).disposition).toBe('VOICEMAIL_DETECTED');
  });

  it('marks provider faults for a retry and an alert', () => {
    expect(settle(PROVIDER_FAULT, all, CALL)).toEqual({
      disposition: 'COULD_NOT_CONNECT',
      kind: 'providerFault',
      alert: true,
    });
  });
});

describe('outcomeValues and correlationOf', () => {
  it('reads a string or a list of strings from `outcome`, nothing else', () => {
    expect(outcomeValues({ outcome: 'CALENDLY' })).toEqual(['CALENDLY']);
    expect(outcomeValues({ outcome: ['DNC', 3, 'FRAUD'] })).toEqual(['DNC', 'FRAUD']);
    for (const value of [null, 'CALENDLY', { outcome: 7 }, { result: 'DNC' }]) {
      expect(outcomeValues(value)).toEqual([]);
    }
  });

  it('reads a non-empty stepAttemptId from metadata', () => {
    expect(correlationOf({ stepAttemptId: 'a-1', other: 2 })).toBe('a-1');
    for (const value of [undefined, 'a-1', { stepAttemptId: '' }, { stepAttemptId: 5 }]) {
      expect(correlationOf(value)).toBeUndefined();
    }
  });
});
