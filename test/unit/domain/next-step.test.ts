import { describe, expect, it } from 'vitest';
import { decideNext } from '../../../lambdas/domain/next-step.js';
import type { Execution } from '../../../lambdas/schemas/execution.js';
import { weekScheduleSchema } from '../../../lambdas/schemas/schedule.js';
import { anExecution } from '../../helpers/execution-fixture.js';

const now = new Date('2026-11-23T15:00:00.000Z');
const SPREAD_MS = 60_000;
/** These cases test the plan and the spread; state law is tested in compliance-rules.test.ts. */
const lawOff = { stateLaw: false };

const nineToFive = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 }],
};
/** Monday 09:00–17:00 in New York: opens at 14:00Z on 2026-11-23. */
const mondayMorning = weekScheduleSchema.parse({ monday: nineToFive });
const beforeOpening = new Date('2026-11-23T12:00:00.000Z');
const opening = Date.parse('2026-11-23T14:00:00.000Z');
/** A run created at 07:00 New York, before its workflow's window opens. */
const waitingForNine = (overrides: Partial<Execution> = {}) =>
  anExecution({
    workflowSchedule: mondayMorning,
    createdAt: beforeOpening.toISOString(),
    updatedAt: beforeOpening.toISOString(),
    ...overrides,
  });

describe('decideNext', () => {
  it('plans the current step at once when every schedule is open, with the audit', () => {
    const next = decideNext(anExecution(), now, SPREAD_MS, lawOff);
    expect(next.plan).toEqual({ action: 'STEP', stepIndex: 0, waitUntil: now.toISOString() });
    expect(next.schedule).toMatchObject({
      stepIndex: 0,
      nextRunAt: now.toISOString(),
      deferredBy: [],
      recipientZones: ['America/Los_Angeles'],
      recipientZoneSource: 'zipcode',
    });
    expect(next.noWindow).toBeUndefined();
  });

  it('parks a paused run on its current step, with no schedule to store', () => {
    const next = decideNext(
      anExecution({ status: 'PAUSED', stepIndex: 1 }),
      now,
      SPREAD_MS,
      lawOff
    );
    expect(next).toEqual({
      plan: { action: 'PARK', stepIndex: 1, waitUntil: now.toISOString() },
    });
  });

  it('finishes a run that has ended', () => {
    for (const status of ['COMPLETED', 'FAILED', 'CANCELLED'] as const) {
      expect(decideNext(anExecution({ status }), now, SPREAD_MS, lawOff).plan.action).toBe(
        'FINISH'
      );
    }
  });

  it('finishes with the reasons when no window exists within the horizon', () => {
    const closed = weekScheduleSchema.parse({});
    const next = decideNext(anExecution({ workflowSchedule: closed }), now, SPREAD_MS, lawOff);
    expect(next.plan.action).toBe('FINISH');
    expect(next.noWindow).toMatch(
      /^No allowed contact window within 14 days of 2026-11-23T15:00:00.000Z: /
    );
  });

  it('caps the Wait at 7 days while nextRunAt keeps the real instant', () => {
    const later = anExecution({ startAt: '2026-12-20T15:00:00.000Z' });
    const next = decideNext(later, now, SPREAD_MS, lawOff);
    expect(next.plan.waitUntil).toBe('2026-11-30T15:00:00.000Z');
    expect(next.schedule?.nextRunAt).toBe('2026-12-20T15:00:00.000Z');
  });

  it('spreads a step deferred to an opening past it, while nextRunAt stays the opening', () => {
    const next = decideNext(waitingForNine(), beforeOpening, SPREAD_MS, lawOff);
    const waitUntil = Date.parse(next.plan.waitUntil);
    expect(waitUntil).toBeGreaterThanOrEqual(opening);
    expect(waitUntil).toBeLessThan(opening + SPREAD_MS);
    expect(next.schedule?.nextRunAt).toBe(new Date(opening).toISOString());
  });

  it('dispatches a newer priorityDate before an older one', () => {
    const run = (id: string, priorityDate: string) =>
      Date.parse(
        decideNext(waitingForNine({ id, priorityDate }), beforeOpening, SPREAD_MS, lawOff).plan
          .waitUntil
      );
    const older = run('019ab1f0-0000-7000-8000-0000000000aa', '2026-10-01T00:00:00.000Z');
    const newer = run('019ab1f0-0000-7000-8000-0000000000bb', '2026-11-23T00:00:00.000Z');
    expect(newer).toBeLessThan(older);
  });

  it('dispatches at the opening with no spread configured', () => {
    const next = decideNext(waitingForNine(), beforeOpening, 0, lawOff);
    expect(next.plan.waitUntil).toBe(new Date(opening).toISOString());
  });
});
