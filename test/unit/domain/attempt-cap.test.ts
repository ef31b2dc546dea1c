import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  capDeferral,
  checkCaps,
  pruneAttempts,
  workflowCap,
} from '../../../lambdas/domain/attempt-cap.js';
import {
  attemptCapsFor,
  candidateStatesOf,
  LEGAL_ATTEMPT_CAP,
} from '../../../lambdas/domain/contact-rules.js';
import { createWorkflowSchema } from '../../../lambdas/schemas/workflow.js';

const HOUR = 3_600_000;
const t0 = Date.parse('2026-11-23T15:00:00.000Z');
const at = (hours: number) => new Date(t0 + hours * HOUR);

describe('checkCaps', () => {
  it('allows three attempts in 24 h, then defers the fourth until the oldest leaves the window', () => {
    const recent = { a: t0, b: t0 + HOUR, c: t0 + 2 * HOUR };
    expect(checkCaps({ a: t0, b: t0 + HOUR }, [LEGAL_ATTEMPT_CAP], at(2))).toEqual({
      allowed: true,
    });
    const verdict = checkCaps(recent, [LEGAL_ATTEMPT_CAP], at(3));
    expect(verdict).toEqual({ allowed: false, nextAt: at(24), cap: LEGAL_ATTEMPT_CAP });
    // The oldest has left: one slot is free again.
    expect(checkCaps(recent, [LEGAL_ATTEMPT_CAP], at(24))).toEqual({ allowed: true });
    if (verdict.allowed) throw new Error('unreachable');
    expect(capDeferral('+14155550123', verdict)).toBe(
      'attempt cap: 3 in 24 h for +14155550123, next at 2026-11-24T15:00:00.000Z'
    );
  });

  it('holds the attempt for the cap that frees up last (Maine calls: one per 8 h)', () => {
    const caps = attemptCapsFor(['ME'], 'CALL');
    expect(caps.map((cap) => cap.label)).toEqual(['3 in 24 h', '1 in 8 h (Maine)']);
    expect(attemptCapsFor(['ME'], 'TEXT')).toEqual([LEGAL_ATTEMPT_CAP]);
    const verdict = checkCaps({ a: t0 }, caps, at(1));
    expect(verdict).toMatchObject({ allowed: false, nextAt: at(8) });
    // Both full: the attempt waits for the later one, whichever cap it is.
    const recent = { a: t0, b: t0 + HOUR, c: t0 + 20 * HOUR };
    expect(checkCaps(recent, caps, at(21))).toMatchObject({ allowed: false, nextAt: at(28) });
    expect(checkCaps({ a: t0, b: t0 + HOUR, c: t0 + 2 * HOUR }, caps, at(12))).toMatchObject({
      allowed: false,
      nextAt: at(24),
      cap: LEGAL_ATTEMPT_CAP,
    });
  });

  it("applies a workflow's stricter cap, never a looser one", () => {
    const one = workflowCap(1);
    expect(one).toMatchObject({ limit: 1, windowMs: 24 * HOUR, label: '1 in 24 h (workflow)' });
    expect(workflowCap(3)).toBeUndefined();
    expect(workflowCap(undefined)).toBeUndefined();
    expect(checkCaps({ a: t0 }, [LEGAL_ATTEMPT_CAP, ...(one ? [one] : [])], at(5))).toMatchObject({
      allowed: false,
      nextAt: at(24),
    });
  });

  it('never lets more than the limit into any window, whatever the order of tries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 72 * 60 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 3 }),
        (minutes, limit) => {
          const cap = { ...LEGAL_ATTEMPT_CAP, limit };
          let recent: Record<string, number> = {};
          const admitted: number[] = [];
          for (const [i, minute] of [...minutes].sort((a, b) => a - b).entries()) {
            const now = new Date(t0 + minute * 60_000);
            if (!checkCaps(recent, [cap], now).allowed) continue;
            recent = { ...pruneAttempts(recent, [cap], now), [`a${i}`]: now.getTime() };
            admitted.push(now.getTime());
          }
          for (const start of admitted) {
            const inWindow = admitted.filter((t) => t >= start && t < start + cap.windowMs);
            expect(inWindow.length).toBeLessThanOrEqual(limit);
          }
        }
      )
    );
  });

  it('keeps only the attempts that can still count', () => {
    const recent = { old: t0, fresh: t0 + 10 * HOUR };
    expect(pruneAttempts(recent, [LEGAL_ATTEMPT_CAP], at(25))).toEqual({ fresh: t0 + 10 * HOUR });
  });
});

describe('the candidate states and the state rows behind the caps', () => {
  it('takes the address state, the ZIP and the area code as candidate states', () => {
    // A New Orleans number at a Texas address: both states' caps and stops apply.
    expect(candidateStatesOf({ primaryPhone: '+15045550100', state: 'tx' })).toEqual(['LA', 'TX']);
    expect(candidateStatesOf({ primaryPhone: '+12075550100', zipcode: '04101' })).toEqual(['ME']);
  });

  it("takes Florida's 3 per 24 h, which is the default, and Maine's spacing for calls only", () => {
    expect(attemptCapsFor(['FL'], 'CALL')).toEqual([LEGAL_ATTEMPT_CAP]);
    expect(attemptCapsFor(['FL', 'ME'], 'CALL').map((cap) => cap.windowMs)).toEqual([
      24 * HOUR,
      8 * HOUR,
    ]);
  });
});

describe('maxAttemptsPer24h on a workflow', () => {
  const workflow = {
    name: 'Capped',
    timezone: 'America/New_York',
    definition: {
      steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'agent' }],
    },
  };

  it('accepts 1 to 3 and refuses more than the legal cap, naming the field', () => {
    expect(createWorkflowSchema.parse({ ...workflow, maxAttemptsPer24h: 2 })).toMatchObject({
      maxAttemptsPer24h: 2,
    });
    const refused = createWorkflowSchema.safeParse({ ...workflow, maxAttemptsPer24h: 4 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['maxAttemptsPer24h'],
      message: 'must be at most 3, the legal cap per phone number per 24 h',
    });
  });
});
