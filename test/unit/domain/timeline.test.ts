import { describe, expect, it } from 'vitest';
import { formatInstant, timelineOf } from '../../../lambdas/domain/timeline.js';
import type { ExecutionState, ScheduleDecision } from '../../../lambdas/schemas/execution.js';
import { anAttempt, anExecution, FIXTURE_CREATED_AT } from '../../helpers/execution-fixture.js';

const decision = (overrides: Partial<ScheduleDecision> = {}): ScheduleDecision => ({
  stepIndex: 0,
  attemptNo: 1,
  dueAt: FIXTURE_CREATED_AT,
  nextRunAt: FIXTURE_CREATED_AT,
  deferredBy: [],
  recipientZones: ['America/Los_Angeles'],
  recipientZoneSource: 'zipcode',
  decidedAt: FIXTURE_CREATED_AT,
  ...overrides,
});

const types = (entries: Array<{ type: string }>) => entries.map((entry) => entry.type);

describe('timelineOf', () => {
  it('puts what happened at one instant in causal order: outcome, then the decision it led to, then the end', () => {
    const at = '2026-11-23T15:05:00.000Z';
    const run = anExecution({
      status: 'COMPLETED',
      disposition: 'NO_ANSWER',
      completedAt: at,
      schedule: decision({ stepIndex: 1, decidedAt: at, dueAt: at, nextRunAt: at }),
      attempts: {
        '0-1': anAttempt({ status: 'COMPLETED', disposition: 'NO_ANSWER', completedAt: at }),
      },
    });
    const entries = timelineOf(run, [{ kind: 'DECISION', decision: decision() }]);
    expect(types(entries)).toEqual([
      'CREATED',
      'SCHEDULED',
      'DISPATCHED',
      'OUTCOME',
      'SCHEDULED',
      'COMPLETED',
    ]);
    expect(entries.at(-1)?.message).toBe('completed with NO_ANSWER');
  });

  it('shows a decision once whether it is still on the state item, kept as a record, or both', () => {
    const current = decision();
    const run = anExecution({ schedule: current });
    const once = timelineOf(run, []);
    const both = timelineOf(run, [{ kind: 'DECISION', decision: current }]);
    expect(types(once)).toEqual(['CREATED', 'SCHEDULED']);
    expect(both).toEqual(once);
  });

  it('words a deferral as the schedule check did, with the rules as they are', () => {
    const deferredBy = ['Texas, Sunday before 12:00 in America/Denver', 'a second rule'];
    const run = anExecution({
      schedule: decision({ nextRunAt: '2026-12-06T18:00:00.000Z', deferredBy }),
    });
    const deferral = timelineOf(run, []).find((entry) => entry.type === 'DEFERRED');
    expect(deferral).toMatchObject({
      at: FIXTURE_CREATED_AT,
      stepIndex: 0,
      attempt: 1,
      message:
        'deferred to 2026-12-06T18:00Z: Texas, Sunday before 12:00 in America/Denver; a second rule',
      rule: 'Texas, Sunday before 12:00 in America/Denver; a second rule',
      details: { deferredBy, nextRunAt: '2026-12-06T18:00:00.000Z' },
    });
  });

  it('names a retry by its attempt and a decision stored before attempts were recorded without one', () => {
    const run = anExecution({ schedule: decision({ attemptNo: 2 }) });
    const legacy = decision({ attemptNo: undefined, decidedAt: '2026-11-23T14:00:00.000Z' });
    const entries = timelineOf(run, [{ kind: 'DECISION', decision: legacy }]);
    const scheduled = entries.filter((entry) => entry.type === 'SCHEDULED');
    expect(scheduled.map((entry) => entry.attempt)).toEqual([undefined, 2]);
    expect(scheduled[1]?.message).toBe(
      'step 1 (CALL), attempt 2 scheduled for 2026-11-23T15:00Z: allowed when due'
    );
  });

  it('says who cancelled a run', () => {
    const by: Array<NonNullable<ExecutionState['cancelledBy']>> = [
      'api',
      'phone',
      'lead',
      'workflow',
    ];
    const messages = by.map((cancelledBy) => {
      const run = anExecution({
        status: 'CANCELLED',
        cancelledBy,
        completedAt: FIXTURE_CREATED_AT,
      });
      const entry = timelineOf(run, []).at(-1);
      expect(entry).toMatchObject({ type: 'CANCELLED', details: { cancelledBy } });
      return entry?.message;
    });
    expect(new Set(messages).size).toBe(by.length);
  });

  it('carries a failure reason and an attempt error as they were stored', () => {
    const run = anExecution({
      status: 'FAILED',
      error: 'state machine execution timed out',
      completedAt: '2026-11-24T00:00:00.000Z',
      attempts: {
        '0-1': anAttempt({
          status: 'FAILED',
          disposition: 'COULD_NOT_CONNECT',
          error: 'agent unreachable',
          completedAt: '2026-11-23T15:00:03.000Z',
        }),
      },
    });
    const entries = timelineOf(run, []);
    expect(entries.map((entry) => entry.message)).toEqual([
      'created',
      'step 1 (CALL) dispatched through simulator',
      'step 1 (CALL) ended COULD_NOT_CONNECT: agent unreachable',
      'failed: state machine execution timed out',
    ]);
  });

  it('orders pauses and resumes by when they happened, kept or current', () => {
    const run = anExecution({
      status: 'PAUSED',
      lastControl: { action: 'PAUSED', at: '2026-11-23T15:03:00.000Z', count: 3 },
    });
    const entries = timelineOf(run, [
      { kind: 'CONTROL', control: { action: 'RESUMED', at: '2026-11-23T15:02:00.000Z', count: 2 } },
      { kind: 'CONTROL', control: { action: 'PAUSED', at: '2026-11-23T15:01:00.000Z', count: 1 } },
    ]);
    expect(types(entries)).toEqual(['CREATED', 'PAUSED', 'RESUMED', 'PAUSED']);
  });

  it('mentions a start ahead on the creation entry', () => {
    const run = anExecution({ startAt: '2026-12-01T14:00:00.000Z' });
    expect(timelineOf(run, [])[0]).toMatchObject({
      type: 'CREATED',
      message: 'created; starts at 2026-12-01T14:00Z',
    });
  });
});

describe('formatInstant', () => {
  it('drops zero seconds only', () => {
    expect(formatInstant('2026-12-06T18:00:00.000Z')).toBe('2026-12-06T18:00Z');
    expect(formatInstant('2026-12-06T18:00:30.000Z')).toBe('2026-12-06T18:00:30.000Z');
  });
});
