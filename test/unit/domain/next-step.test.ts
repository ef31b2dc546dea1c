import { describe, expect, it } from 'vitest';
import { decideNext } from '../../../lambdas/domain/next-step.js';
import { weekScheduleSchema } from '../../../lambdas/schemas/schedule.js';
import { anExecution } from '../../helpers/execution-fixture.js';

const now = new Date('2026-11-23T15:00:00.000Z');

describe('decideNext', () => {
  it('plans the current step at once when every schedule is open, with the audit', () => {
    const next = decideNext(anExecution(), now);
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
    const next = decideNext(anExecution({ status: 'PAUSED', stepIndex: 1 }), now);
    expect(next).toEqual({
      plan: { action: 'PARK', stepIndex: 1, waitUntil: now.toISOString() },
    });
  });

  it('finishes a run that has ended', () => {
    for (const status of ['COMPLETED', 'FAILED', 'CANCELLED'] as const) {
      expect(decideNext(anExecution({ status }), now).plan.action).toBe('FINISH');
    }
  });

  it('finishes with the reasons when no window exists within the horizon', () => {
    const closed = weekScheduleSchema.parse({});
    const next = decideNext(anExecution({ workflowSchedule: closed }), now);
    expect(next.plan.action).toBe('FINISH');
    expect(next.noWindow).toMatch(
      /^No allowed contact window within 14 days of 2026-11-23T15:00:00.000Z: /
    );
  });

  it('caps the Wait at 7 days while nextRunAt keeps the real instant', () => {
    const later = anExecution({ startAt: '2026-12-20T15:00:00.000Z' });
    const next = decideNext(later, now);
    expect(next.plan.waitUntil).toBe('2026-11-30T15:00:00.000Z');
    expect(next.schedule?.nextRunAt).toBe('2026-12-20T15:00:00.000Z');
  });
});
