import { describe, expect, it } from 'vitest';
import {
  applyOutcome,
  checkDispatch,
  executionAfterOutcome,
  latestAttempt,
  planNextStep,
  scheduleLayers,
  stepDueAt,
} from '../../../lambdas/domain/step-progression.js';
import { type Execution, executionSchema } from '../../../lambdas/schemas/execution.js';
import { federalTcpaSchedule, type WeekSchedule } from '../../../lambdas/schemas/schedule.js';
import {
  anAttempt,
  anExecution,
  FIXTURE_CREATED_AT,
  FIXTURE_IDS,
} from '../../helpers/execution-fixture.js';

/**
 * These cases test step mechanics against the workflow's own schedules; state law (which keeps
 * the fixture's 07:00 San Francisco start until 08:00) is tested in compliance-rules.test.ts.
 */
const lawOff = { stateLaw: false };

const createdAt = new Date(FIXTURE_CREATED_AT); // Mon 2026-11-23 10:00 New York, 07:00 SF

/** Each day 06:00–07:00: in New York that is 03:00–04:00 in San Francisco, never 08–21 there. */
const sixToSeven: WeekSchedule = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [
    day,
    { enabled: true, timeRanges: [{ startHour: 6, startMinute: 0, endHour: 7, endMinute: 0 }] },
  ])
) as WeekSchedule;

/** The fixture after its CALL (attempt 0-1) completed at 15:05Z with NO_ANSWER: on step 1. */
function afterFirstCall(overrides: Partial<Execution> = {}): Execution {
  return anExecution({
    status: 'RUNNING',
    stepIndex: 1,
    startedAt: '2026-11-23T15:00:01.000Z',
    attempts: {
      '0-1': anAttempt({
        status: 'COMPLETED',
        disposition: 'NO_ANSWER',
        completedAt: '2026-11-23T15:05:00.000Z',
      }),
    },
    ...overrides,
  });
}

function iso(date: Date | undefined): string | undefined {
  return date?.toISOString();
}

describe('anExecution', () => {
  it('builds an execution that executionSchema accepts', () => {
    const parsed = executionSchema.safeParse(anExecution());
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.success).toBe(true);
  });

  it('replaces the fields given as overrides', () => {
    const run = anExecution({ zipcode: '10001', status: 'RUNNING' });
    expect([run.zipcode, run.status, run.createdAt]).toEqual([
      '10001',
      'RUNNING',
      '2026-11-23T15:00:00.000Z',
    ]);
  });
});

describe('latestAttempt', () => {
  const run = anExecution({
    attempts: {
      '0-2': anAttempt({ id: '019ab1f0-0000-7000-8000-0000000000a2', attemptNo: 2 }),
      '0-1': anAttempt({ id: '019ab1f0-0000-7000-8000-0000000000a1', attemptNo: 1 }),
      '1-1': anAttempt({ id: '019ab1f0-0000-7000-8000-0000000000b1', stepIndex: 1 }),
    },
  });

  it('returns the attempt of the step with the highest attempt number', () => {
    expect(latestAttempt(run, 0)?.id).toBe('019ab1f0-0000-7000-8000-0000000000a2');
  });

  it('returns only attempts of the requested step', () => {
    expect(latestAttempt(run, 1)?.id).toBe('019ab1f0-0000-7000-8000-0000000000b1');
  });

  it('returns undefined for a step never attempted', () => {
    expect(latestAttempt(run, 2)).toBeUndefined();
    expect(latestAttempt(anExecution(), 0)).toBeUndefined();
  });
});

describe('stepDueAt', () => {
  it('makes the first step due at creation plus its delay', () => {
    expect(iso(stepDueAt(anExecution(), 0))).toBe('2026-11-23T15:00:00.000Z');
  });

  it('adds the first step’s own delay to the creation time', () => {
    const base = anExecution();
    const [call, text] = base.definition.steps;
    if (!call || !text) throw new Error('fixture has two steps');
    const run = anExecution({ definition: { steps: [{ ...call, delayInSecs: 600 }, text] } });
    expect(iso(stepDueAt(run, 0))).toBe('2026-11-23T15:10:00.000Z');
  });

  it('makes the first step due at startAt instead of creation when given', () => {
    const run = anExecution({ startAt: '2026-12-01T14:00:00.000Z' });
    expect(iso(stepDueAt(run, 0))).toBe('2026-12-01T14:00:00.000Z');
  });

  it('makes a later step due at the previous attempt’s completedAt plus its delay', () => {
    expect(iso(stepDueAt(afterFirstCall(), 1))).toBe('2026-11-24T15:05:00.000Z');
  });

  it('counts a later step from the previous step’s end even when startAt is set', () => {
    const run = afterFirstCall({ startAt: '2026-11-23T14:00:00.000Z' });
    expect(iso(stepDueAt(run, 1))).toBe('2026-11-24T15:05:00.000Z');
  });

  it('counts from the latest attempt of the previous step', () => {
    const run = afterFirstCall();
    run.attempts['0-2'] = anAttempt({
      id: '019ab1f0-0000-7000-8000-0000000000a2',
      attemptNo: 2,
      status: 'COMPLETED',
      disposition: 'NO_ANSWER',
      completedAt: '2026-11-23T18:00:00.000Z',
    });
    expect(iso(stepDueAt(run, 1))).toBe('2026-11-24T18:00:00.000Z');
  });

  it('throws for a step the definition does not have', () => {
    expect(() => stepDueAt(anExecution(), 2)).toThrow(
      'Execution 019ab1f0-0000-7000-8000-000000000001 has no step 2'
    );
  });
});

describe('scheduleLayers', () => {
  const named = (layers: { rule: string; zone: string }[]) =>
    layers.map((layer) => `${layer.rule} ${layer.zone}`);

  it('reads the workflow schedule in the workflow zone and the TCPA schedule in the ZIP’s zone', () => {
    const run = anExecution({ tcpaSchedule: federalTcpaSchedule });
    expect(named(scheduleLayers(run, lawOff))).toEqual([
      'workflowSchedule America/New_York',
      'tcpaSchedule America/Los_Angeles',
    ]);
  });

  it('adds one TCPA layer per zone of a multi-zone state, and the area code’s zone', () => {
    const run = anExecution({ zipcode: undefined, state: 'TX' });
    expect(named(scheduleLayers(run, lawOff))).toEqual([
      'workflowSchedule America/New_York',
      'tcpaSchedule America/Chicago',
      'tcpaSchedule America/Denver',
      'tcpaSchedule America/Los_Angeles',
    ]);
  });

  it('takes the area code’s zone when no address locates the recipient', () => {
    expect(named(scheduleLayers(anExecution({ zipcode: undefined }), lawOff))).toEqual([
      'workflowSchedule America/New_York',
      'tcpaSchedule America/Los_Angeles',
    ]);
  });

  it('adds a TCPA layer for every US zone when nothing locates the recipient', () => {
    const run = anExecution({ zipcode: undefined, primaryPhone: '+442071234567' });
    const layers = scheduleLayers(run, lawOff);
    expect(layers).toHaveLength(23);
    expect(layers.slice(1).every((layer) => layer.rule === 'tcpaSchedule')).toBe(true);
    expect(layers.map((layer) => layer.zone)).toEqual(
      expect.arrayContaining(['America/New_York', 'Pacific/Honolulu', 'America/Adak'])
    );
  });
});

describe('planNextStep', () => {
  it.each(['COMPLETED', 'FAILED', 'CANCELLED'] as const)(
    'finishes an execution that is %s',
    (status) => {
      expect(planNextStep(anExecution({ status }), createdAt, lawOff)).toEqual({
        action: 'FINISH',
        reason: `execution is ${status}`,
      });
    }
  );

  it('finishes when the step index is past the last step', () => {
    expect(planNextStep(afterFirstCall({ stepIndex: 2 }), createdAt, lawOff)).toEqual({
      action: 'FINISH',
      reason: 'no steps left',
    });
  });

  it('runs the first step at once when every schedule is open', () => {
    expect(planNextStep(anExecution(), createdAt, lawOff)).toEqual({
      action: 'STEP',
      stepIndex: 0,
      dueAt: new Date('2026-11-23T15:00:00.000Z'),
      nextRunAt: new Date('2026-11-23T15:00:00.000Z'),
      waitUntil: new Date('2026-11-23T15:00:00.000Z'),
      // Always open: the window ends where the 14-day search does.
      windowClosesAt: new Date('2026-12-07T15:00:00.000Z'),
      deferredBy: [],
    });
  });

  it('plans a later step at its due time, one day after the previous step ended', () => {
    const now = new Date('2026-11-23T15:05:00.000Z');
    expect(planNextStep(afterFirstCall(), now, lawOff)).toEqual({
      action: 'STEP',
      stepIndex: 1,
      dueAt: new Date('2026-11-24T15:05:00.000Z'),
      nextRunAt: new Date('2026-11-24T15:05:00.000Z'),
      waitUntil: new Date('2026-11-24T15:05:00.000Z'),
      windowClosesAt: new Date('2026-12-08T15:05:00.000Z'),
      deferredBy: [],
    });
  });

  it('defers into the recipient’s TCPA window and names the rule that deferred it', () => {
    // Mon 09:30 New York is 06:30 in San Francisco: 08:00 PST is 16:00Z.
    const now = new Date('2026-11-23T14:30:00.000Z');
    const run = anExecution({
      tcpaSchedule: federalTcpaSchedule,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    expect(planNextStep(run, now, lawOff)).toEqual({
      action: 'STEP',
      stepIndex: 0,
      dueAt: new Date('2026-11-23T14:30:00.000Z'),
      nextRunAt: new Date('2026-11-23T16:00:00.000Z'),
      waitUntil: new Date('2026-11-23T16:00:00.000Z'),
      // 21:00 in San Francisco.
      windowClosesAt: new Date('2026-11-24T05:00:00.000Z'),
      deferredBy: ['tcpaSchedule, Monday before 08:00 in America/Los_Angeles'],
    });
  });

  it('caps the wait at 7 days when the step is due later', () => {
    const run = anExecution({ startAt: '2026-12-10T15:00:00.000Z' });
    const decision = planNextStep(run, createdAt, lawOff);
    expect(decision).toEqual({
      action: 'STEP',
      stepIndex: 0,
      dueAt: new Date('2026-12-10T15:00:00.000Z'),
      nextRunAt: new Date('2026-12-10T15:00:00.000Z'),
      waitUntil: new Date('2026-11-30T15:00:00.000Z'),
      windowClosesAt: new Date('2026-12-24T15:00:00.000Z'),
      deferredBy: [],
    });
  });

  it('answers NO_WINDOW when the schedules never meet within 14 days', () => {
    const run = anExecution({ workflowSchedule: sixToSeven, tcpaSchedule: federalTcpaSchedule });
    expect(planNextStep(run, createdAt, lawOff)).toEqual({
      action: 'NO_WINDOW',
      stepIndex: 0,
      dueAt: new Date('2026-11-23T15:00:00.000Z'),
      deferredBy: [
        'workflowSchedule, Monday after 07:00 in America/New_York',
        'tcpaSchedule, Monday before 08:00 in America/Los_Angeles',
      ],
    });
  });
});

describe('checkDispatch', () => {
  it.each(['PAUSED', 'CANCELLED', 'COMPLETED', 'FAILED'] as const)(
    'refuses an execution that is %s',
    (status) => {
      expect(checkDispatch(anExecution({ status }), 0, createdAt, lawOff)).toEqual({
        ok: false,
        reason: `execution is ${status}`,
      });
    }
  );

  it('refuses a step that is no longer current', () => {
    expect(
      checkDispatch(afterFirstCall(), 0, new Date('2026-11-24T16:00:00.000Z'), lawOff)
    ).toEqual({
      ok: false,
      reason: 'step 0 is no longer current (now 1)',
    });
  });

  it('refuses before the window opens and says when it does', () => {
    const run = anExecution({ tcpaSchedule: federalTcpaSchedule });
    expect(checkDispatch(run, 0, new Date('2026-11-23T15:59:00.000Z'), lawOff)).toEqual({
      ok: false,
      reason: 'not allowed before 2026-11-23T16:00:00.000Z',
    });
  });

  it('refuses a later step before its delay has passed', () => {
    expect(
      checkDispatch(afterFirstCall(), 1, new Date('2026-11-24T15:04:59.000Z'), lawOff)
    ).toEqual({
      ok: false,
      reason: 'not allowed before 2026-11-24T15:05:00.000Z',
    });
  });

  it('refuses when no window exists', () => {
    const run = anExecution({ workflowSchedule: sixToSeven, tcpaSchedule: federalTcpaSchedule });
    expect(checkDispatch(run, 0, createdAt, lawOff)).toEqual({
      ok: false,
      reason: 'no allowed window',
    });
  });

  it('allows a CREATED execution inside the window', () => {
    const run = anExecution({ tcpaSchedule: federalTcpaSchedule });
    // 08:00 in San Francisco; the federal window closes at 21:00 there (05:00Z).
    expect(checkDispatch(run, 0, new Date('2026-11-23T16:00:00.000Z'), lawOff)).toEqual({
      ok: true,
      windowClosesAt: new Date('2026-11-24T05:00:00.000Z'),
    });
  });

  it('allows a RUNNING execution on its current step inside the window', () => {
    expect(
      checkDispatch(afterFirstCall(), 1, new Date('2026-11-24T15:05:00.000Z'), lawOff)
      // Always open: the window runs to the end of the 14-day search horizon.
    ).toEqual({ ok: true, windowClosesAt: new Date('2026-12-08T15:05:00.000Z') });
  });
});

describe('applyOutcome', () => {
  it('ends the run when the disposition is in the step’s finishOn', () => {
    expect(applyOutcome(anExecution(), 0, 'CALENDLY')).toEqual({
      finished: true,
      nextStepIndex: 0,
      nextAttemptNo: 1,
      reason: 'finishOn',
    });
  });

  it('moves to the next step when the disposition is not in finishOn', () => {
    expect(applyOutcome(anExecution(), 0, 'NO_ANSWER')).toEqual({
      finished: false,
      nextStepIndex: 1,
      nextAttemptNo: 1,
      reason: 'next',
    });
  });

  describe('with count: 3 on the call', () => {
    const triedTwice = (attemptNo: number) => {
      const run = anExecution({ attemptNo });
      const [call, text] = run.definition.steps;
      if (!call || !text) throw new Error('fixture has two steps');
      return { ...run, definition: { steps: [{ ...call, count: 3 }, text] } };
    };

    it.each([
      'NO_ANSWER',
      'LINE_BUSY',
      'VOICEMAIL_DETECTED',
      'LEFT_VOICEMAIL',
      'COULD_NOT_CONNECT',
    ] as const)('tries the step again after %s', (disposition) => {
      expect(applyOutcome(triedTwice(1), 0, disposition)).toEqual({
        finished: false,
        nextStepIndex: 0,
        nextAttemptNo: 2,
        reason: 'retry',
      });
    });

    it('moves on after a contact (not in finishOn) and after the last attempt', () => {
      expect(applyOutcome(triedTwice(1), 0, 'CALL_AGAIN')).toMatchObject({
        nextStepIndex: 1,
        reason: 'next',
      });
      expect(applyOutcome(triedTwice(3), 0, 'NO_ANSWER')).toMatchObject({
        nextStepIndex: 1,
        nextAttemptNo: 1,
      });
    });

    it('still ends on finishOn, whatever attempts are left', () => {
      expect(applyOutcome(triedTwice(1), 0, 'CALENDLY')).toMatchObject({
        finished: true,
        reason: 'finishOn',
      });
    });

    it('makes a further attempt due the step’s delay after the previous attempt ended', () => {
      const run = triedTwice(2);
      run.attempts['0-1'] = {
        id: 'a1',
        stepIndex: 0,
        attemptNo: 1,
        status: 'COMPLETED',
        channel: 'manual',
        taskToken: 't',
        startedAt: '2026-11-23T15:00:00.000Z',
        completedAt: '2026-11-23T15:10:00.000Z',
        disposition: 'NO_ANSWER',
      };
      const [call, text] = run.definition.steps;
      if (!call || !text) throw new Error('fixture has two steps');
      run.definition.steps = [{ ...call, delayInSecs: 3600 }, text];
      expect(stepDueAt(run, 0).toISOString()).toBe('2026-11-23T16:10:00.000Z');
    });
  });

  it('ends the run after the last step whatever the disposition', () => {
    expect(applyOutcome(afterFirstCall(), 1, 'TEXT_CONSENT')).toEqual({
      finished: true,
      nextStepIndex: 2,
      nextAttemptNo: 1,
      reason: 'lastStep',
    });
  });
});

describe('executionAfterOutcome', () => {
  const now = new Date('2026-11-23T15:05:00.000Z');
  const running = () =>
    anExecution({
      status: 'RUNNING',
      startedAt: '2026-11-23T15:00:01.000Z',
      attempts: { '0-1': anAttempt() },
    });

  it('completes the attempt and advances to the next step', () => {
    const before = running();
    const after = executionAfterOutcome(
      before,
      '0-1',
      { disposition: 'NO_ANSWER' },
      applyOutcome(before, 0, 'NO_ANSWER'),
      now
    );
    expect(after).toEqual({
      ...before,
      stepIndex: 1,
      updatedAt: '2026-11-23T15:05:00.000Z',
      attempts: {
        '0-1': {
          ...anAttempt(),
          status: 'COMPLETED',
          disposition: 'NO_ANSWER',
          completedAt: '2026-11-23T15:05:00.000Z',
        },
      },
    });
  });

  it('marks the attempt FAILED with the error when the outcome carries one', () => {
    const after = executionAfterOutcome(
      running(),
      '0-1',
      { disposition: 'COULD_NOT_CONNECT', error: 'channel rejected the call' },
      undefined,
      now
    );
    expect(after.attempts['0-1']).toEqual({
      ...anAttempt(),
      status: 'FAILED',
      disposition: 'COULD_NOT_CONNECT',
      completedAt: '2026-11-23T15:05:00.000Z',
      error: 'channel rejected the call',
    });
    expect([after.status, after.stepIndex]).toEqual(['RUNNING', 0]);
  });

  it('records the agent call when given', () => {
    const agentCall = {
      id: 'call-1',
      callDuration: 42,
      callEndedReason: 'LEFT_VOICEMAIL' as const,
    };
    const after = executionAfterOutcome(
      running(),
      '0-1',
      { disposition: 'LEFT_VOICEMAIL', agentCall },
      undefined,
      now
    );
    expect(after.attempts['0-1']?.agentCall).toEqual(agentCall);
  });

  it('finishes the run: COMPLETED with the disposition and no next run', () => {
    const before = running();
    const after = executionAfterOutcome(
      before,
      '0-1',
      { disposition: 'CALENDLY' },
      applyOutcome(before, 0, 'CALENDLY'),
      now
    );
    expect({
      status: after.status,
      disposition: after.disposition,
      completedAt: after.completedAt,
      nextRunAt: after.nextRunAt,
      stepIndex: after.stepIndex,
      attempt: after.attempts['0-1']?.status,
    }).toEqual({
      status: 'COMPLETED',
      disposition: 'CALENDLY',
      completedAt: '2026-11-23T15:05:00.000Z',
      nextRunAt: null,
      stepIndex: 0,
      attempt: 'COMPLETED',
    });
  });

  it('leaves status and step alone without an effect', () => {
    const before = running();
    const after = executionAfterOutcome(
      before,
      '0-1',
      { disposition: 'NO_ANSWER' },
      undefined,
      now
    );
    expect([after.status, after.stepIndex, after.nextRunAt]).toEqual([
      'RUNNING',
      0,
      '2026-11-23T15:00:00.000Z',
    ]);
  });

  it('does not modify the execution it is given', () => {
    const before = running();
    const snapshot = structuredClone(before);
    executionAfterOutcome(
      before,
      '0-1',
      { disposition: 'CALENDLY' },
      applyOutcome(before, 0, 'CALENDLY'),
      now
    );
    expect(before).toEqual(snapshot);
  });

  it('lets the next step be planned from the recorded outcome', () => {
    const before = running();
    const after = executionAfterOutcome(
      before,
      '0-1',
      { disposition: 'NO_ANSWER' },
      applyOutcome(before, 0, 'NO_ANSWER'),
      now
    );
    const plan = planNextStep(after, now, lawOff);
    expect(plan.action === 'STEP' && iso(plan.nextRunAt)).toBe('2026-11-24T15:05:00.000Z');
  });

  it('throws for an attempt the execution does not have', () => {
    expect(() =>
      executionAfterOutcome(running(), '0-2', { disposition: 'NO_ANSWER' }, undefined, now)
    ).toThrow(`Execution ${FIXTURE_IDS.execution} has no attempt 0-2`);
  });
});
