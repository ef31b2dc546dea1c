import { randomUUID } from 'node:crypto';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { weekdays } from '../../../lambdas/schemas/common.js';
import type { Execution } from '../../../lambdas/schemas/execution.js';
import { federalTcpaSchedule, type WeekSchedule } from '../../../lambdas/schemas/schedule.js';
import type { TaskOutput } from '../../../lambdas/schemas/state-machine.js';
import type { StepAttempt } from '../../../lambdas/schemas/step-attempt.js';
import { StepExecutionNotFoundError } from '../../../lambdas/shared/errors.js';
import { stepExecutionId } from '../../../lambdas/use-cases/dispatch-step.js';
import { reportStepOutcome } from '../../../lambdas/use-cases/report-outcome.js';
import { anAttempt } from '../../helpers/execution-fixture.js';
import {
  aRun,
  beforeNext,
  type InMemoryTable,
  mustRead,
  readRun,
  rewriteState,
  type SentCommand,
  seed,
  startTable,
} from '../../helpers/in-memory-table.js';

const sfn = mockClient(SFNClient);
let table: InMemoryTable;

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  sfn.restore();
  await table.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

/**
 * Open 01:00–02:00 in New York only: 22:00–23:00 in San Francisco, where the federal TCPA
 * schedule (08:00–21:00) is closed. The two never overlap: no window, ever.
 */
const nightOnly: WeekSchedule = Object.fromEntries(
  weekdays.map((day) => [
    day,
    { enabled: true, timeRanges: [{ startHour: 1, startMinute: 0, endHour: 2, endMinute: 0 }] },
  ])
) as WeekSchedule;

/** Five minutes after the fixture's creation (Monday 2026-11-23 15:00Z, always open). */
const now = new Date('2026-11-23T15:05:00.000Z');

function taskOutputs(): Array<{ token: string | undefined; output: TaskOutput }> {
  return sfn.commandCalls(SendTaskSuccessCommand).map((call) => ({
    token: call.args[0].input.taskToken,
    output: JSON.parse(call.args[0].input.output ?? 'null') as TaskOutput,
  }));
}

/** A run waiting on step `stepIndex`'s first attempt (handed over, token `token-<step>`). */
async function waitingRun(stepIndex = 0, overrides: Partial<Execution> = {}): Promise<Execution> {
  const run = aRun({
    status: 'RUNNING',
    version: 2 + stepIndex,
    stepIndex,
    startedAt: '2026-11-23T15:00:01.000Z',
    ...overrides,
  });
  const attempts: Record<string, StepAttempt> = {};
  for (let step = 0; step <= stepIndex; step++) {
    attempts[`${step}-1`] = anAttempt({
      id: stepExecutionId(run.id, step, 1),
      stepIndex: step,
      taskToken: `token-${step}`,
      ...(step < stepIndex && {
        status: 'COMPLETED',
        disposition: 'NO_ANSWER',
        completedAt: '2026-11-23T15:00:03.000Z',
      }),
    });
  }
  run.attempts = attempts;
  return seed(run);
}

describe('reportStepOutcome', () => {
  it('finishes the run on a finishOn disposition and tells the machine to finish', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    const result = await reportStepOutcome({ stepExecutionId: id, disposition: 'CALENDLY' }, now);

    expect(result.duplicate).toBe(false);
    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({
      status: 'COMPLETED',
      disposition: 'CALENDLY',
      completedAt: now.toISOString(),
      nextRunAt: null,
      stepIndex: 0,
    });
    expect(stored.version).toBeGreaterThan(run.version);
    expect(stored.attempts['0-1']).toMatchObject({
      status: 'COMPLETED',
      disposition: 'CALENDLY',
      completedAt: now.toISOString(),
    });
    expect(result.execution).toMatchObject({ status: 'COMPLETED', disposition: 'CALENDLY' });
    expect(result.attempt).toEqual(stored.attempts['0-1']);
    expect(taskOutputs()).toEqual([
      {
        token: 'token-0',
        output: {
          action: 'FINISH',
          stepIndex: 0,
          waitUntil: now.toISOString(),
          stepExecutionId: id,
          disposition: 'CALENDLY',
        },
      },
    ]);
  });

  it('finishes the run after the last step whatever the disposition', async () => {
    const run = await waitingRun(1);
    const id = stepExecutionId(run.id, 1, 1);
    await reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now);

    expect(await mustRead(run.id)).toMatchObject({
      status: 'COMPLETED',
      disposition: 'NO_ANSWER',
      stepIndex: 1,
    });
    expect(taskOutputs()).toEqual([
      {
        token: 'token-1',
        output: expect.objectContaining({ action: 'FINISH', disposition: 'NO_ANSWER' }),
      },
    ]);
  });

  it('moves the run to the next step with its schedule, and the machine waits for it', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    const agentCall = {
      id: 'call-1',
      status: 'ENDED',
      callStartedAt: '2026-11-23T15:00:02.000Z',
      callEndedAt: '2026-11-23T15:04:59.000Z',
      callDuration: 297,
      callEndedReason: 'NO_ANSWER' as const,
    };
    const result = await reportStepOutcome(
      { stepExecutionId: id, disposition: 'NO_ANSWER', agentCall },
      now
    );

    // The text is due a day after the call's outcome came in, at 07:05 in San Francisco: federal
    // quiet hours hold it until 08:00 there.
    const dueAt = '2026-11-24T15:05:00.000Z';
    const nextRunAt = '2026-11-24T16:00:00.000Z';
    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({
      status: 'RUNNING',
      stepIndex: 1,
      disposition: null,
      nextRunAt,
      schedule: {
        stepIndex: 1,
        dueAt,
        nextRunAt,
        deferredBy: ['Federal quiet hours, Tuesday before 08:00 in America/Los_Angeles'],
        recipientZones: ['America/Los_Angeles'],
        recipientZoneSource: 'zipcode',
        decidedAt: now.toISOString(),
      },
    });
    expect(stored.attempts['0-1']).toMatchObject({
      status: 'COMPLETED',
      disposition: 'NO_ANSWER',
      completedAt: now.toISOString(),
      agentCall,
    });
    expect(result.duplicate).toBe(false);
    expect(result.execution).toMatchObject({ status: 'RUNNING', stepIndex: 1 });
    expect(taskOutputs()).toEqual([
      {
        token: 'token-0',
        output: {
          action: 'STEP',
          stepIndex: 1,
          // Deferred to the opening: it waits its place in the dispatch spread after it.
          waitUntil: expect.stringMatching(/^2026-11-24T16:00:/),
          stepExecutionId: id,
          disposition: 'NO_ANSWER',
        },
      },
    ]);
  });

  it('records a channel failure with its error', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    await reportStepOutcome(
      {
        stepExecutionId: id,
        disposition: 'COULD_NOT_CONNECT',
        error: 'agent endpoint answered 500',
      },
      now
    );
    expect((await mustRead(run.id)).attempts['0-1']).toMatchObject({
      status: 'FAILED',
      disposition: 'COULD_NOT_CONNECT',
      error: 'agent endpoint answered 500',
    });
  });

  it('treats a second report as a no-op that re-sends the token', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    await reportStepOutcome({ stepExecutionId: id, disposition: 'CALENDLY' }, now);
    const before = await mustRead(run.id);

    const second = await reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now);
    expect(second.duplicate).toBe(true);
    expect(second.attempt.disposition).toBe('CALENDLY');
    expect(await mustRead(run.id)).toEqual(before);
    const [first, again, ...more] = taskOutputs();
    expect(more).toEqual([]);
    expect(again).toEqual(first);
    expect(again?.output).toMatchObject({ action: 'FINISH', disposition: 'CALENDLY' });
  });

  it('a report retried after a crash between its two writes still moves the run on', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    // The first report dies right after recording the outcome, before the run's write.
    beforeNext(
      'UpdateItemCommand',
      async () => {
        throw new Error('Lambda killed');
      },
      (command: SentCommand) => (command.input.Key as { sk: string }).sk === 'EXECUTION'
    );
    await expect(
      reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now)
    ).rejects.toThrow('Lambda killed');
    expect(await mustRead(run.id)).toMatchObject({ stepIndex: 0, version: run.version });

    const retried = await reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now);
    expect(retried.duplicate).toBe(true);
    expect(await mustRead(run.id)).toMatchObject({ status: 'RUNNING', stepIndex: 1 });
    expect(taskOutputs()).toEqual([
      { token: 'token-0', output: expect.objectContaining({ action: 'STEP', stepIndex: 1 }) },
    ]);
  });

  it("does not find another organization's step execution, and changes nothing", async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    await expect(
      reportStepOutcome(
        { stepExecutionId: id, disposition: 'CALENDLY', organizationId: randomUUID() },
        now
      )
    ).rejects.toBeInstanceOf(StepExecutionNotFoundError);
    await expect(
      reportStepOutcome({ stepExecutionId: randomUUID(), disposition: 'CALENDLY' }, now)
    ).rejects.toBeInstanceOf(StepExecutionNotFoundError);
    expect(await readRun(run.id)).toEqual(run);
    expect(taskOutputs()).toEqual([]);

    // Its own organization's report goes through.
    await reportStepOutcome(
      { stepExecutionId: id, disposition: 'CALENDLY', organizationId: run.organizationId },
      now
    );
    expect(await mustRead(run.id)).toMatchObject({ status: 'COMPLETED' });
  });

  it('of two reports racing, exactly one is recorded and the run follows it', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    const results = await Promise.all([
      reportStepOutcome({ stepExecutionId: id, disposition: 'CALENDLY' }, now),
      reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now),
    ]);

    const winners = results.filter((result) => !result.duplicate);
    expect(winners).toHaveLength(1);
    const winner = winners[0]?.attempt.disposition;
    const stored = await mustRead(run.id);
    expect(stored.attempts['0-1']?.disposition).toBe(winner);
    if (winner === 'CALENDLY') {
      expect(stored).toMatchObject({ status: 'COMPLETED', disposition: 'CALENDLY' });
    } else {
      expect(stored).toMatchObject({ status: 'RUNNING', stepIndex: 1 });
    }
    for (const result of results) expect(result.attempt.disposition).toBe(winner);
    expect(taskOutputs().map((task) => task.output.disposition)).toEqual([winner, winner]);
  });

  it('a report landing between a report’s read and its write wins; the loser is a duplicate', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    let rival: Awaited<ReturnType<typeof reportStepOutcome>> | undefined;
    const race = beforeNext(
      'UpdateItemCommand',
      async () => {
        rival = await reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now);
      },
      (command) => (command.input.Key as { sk: string }).sk.startsWith('ATTEMPT#')
    );
    const late = await reportStepOutcome({ stepExecutionId: id, disposition: 'CALENDLY' }, now);
    await race.ran;

    expect(rival?.duplicate).toBe(false);
    expect(late.duplicate).toBe(true);
    expect(late.attempt.disposition).toBe('NO_ANSWER');
    expect(await mustRead(run.id)).toMatchObject({ status: 'RUNNING', stepIndex: 1 });
    expect(taskOutputs().map((task) => task.output)).toEqual([
      expect.objectContaining({ action: 'STEP', stepIndex: 1, disposition: 'NO_ANSWER' }),
      expect.objectContaining({ action: 'STEP', stepIndex: 1, disposition: 'NO_ANSWER' }),
    ]);
  });

  it('a paused run moves past the reported step but stays paused', async () => {
    const run = await waitingRun(0, { status: 'PAUSED' });
    const id = stepExecutionId(run.id, 0, 1);
    await reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now);
    expect(await mustRead(run.id)).toMatchObject({ status: 'PAUSED', stepIndex: 1 });
    const [task] = taskOutputs();
    // Parked until resumed: no timer runs for a paused run.
    expect(task?.output).toMatchObject({ action: 'PARK', stepIndex: 1 });
  });

  it('fails the run when the next step has no window within the horizon', async () => {
    const run = await waitingRun(0, {
      workflowSchedule: nightOnly,
      tcpaSchedule: federalTcpaSchedule,
    });
    const id = stepExecutionId(run.id, 0, 1);
    await reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now);

    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({ status: 'FAILED', stepIndex: 1, nextRunAt: null });
    expect(stored.error).toMatch(/^No allowed contact window within 14 days/);
    expect(taskOutputs()).toEqual([
      { token: 'token-0', output: expect.objectContaining({ action: 'FINISH', stepIndex: 1 }) },
    ]);
  });

  it.each([
    ['moving on to the next step', {}],
    [
      'failing for want of a window',
      { workflowSchedule: nightOnly, tcpaSchedule: federalTcpaSchedule },
    ],
  ] as const)('returns the run as stored when %s', async (_case, overrides) => {
    const run = await waitingRun(0, overrides);
    const id = stepExecutionId(run.id, 0, 1);
    const result = await reportStepOutcome({ stepExecutionId: id, disposition: 'NO_ANSWER' }, now);
    expect(result.execution).toEqual(await mustRead(run.id));
  });

  it('returns the run as stored when it finishes', async () => {
    const run = await waitingRun();
    const id = stepExecutionId(run.id, 0, 1);
    const result = await reportStepOutcome({ stepExecutionId: id, disposition: 'CALENDLY' }, now);
    expect(result.execution).toEqual(await mustRead(run.id));
  });

  it('leaves a state that went back in time alone', async () => {
    const run = await waitingRun(1);
    await rewriteState(run.id, (state) => ({ ...state, stepIndex: 0 }));
    const before = await mustRead(run.id);
    await expect(
      reportStepOutcome(
        { stepExecutionId: stepExecutionId(run.id, 1, 1), disposition: 'NO_ANSWER' },
        now
      )
    ).rejects.toThrow(/behind its run/);
    expect(await mustRead(run.id)).toEqual(before);
    expect(taskOutputs()).toEqual([]);
  });
});
