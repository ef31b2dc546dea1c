import { randomUUID } from 'node:crypto';
import {
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { putWorkflow } from '../../../lambdas/adapters/workflow-repository.js';
import { formatInstant } from '../../../lambdas/domain/timeline.js';
import {
  federalTcpaSchedule,
  type WeekSchedule,
  weekScheduleSchema,
} from '../../../lambdas/schemas/schedule.js';
import { MAX_TIMELINE_RECORDS, type TimelineEntry } from '../../../lambdas/schemas/timeline.js';
import {
  AppError,
  ExecutionNotFoundError,
  WorkflowNotFoundError,
} from '../../../lambdas/shared/errors.js';
import { cancelByContact } from '../../../lambdas/use-cases/bulk-controls.js';
import {
  type ControlAction,
  controlExecution,
  deleteExecution,
} from '../../../lambdas/use-cases/controls.js';
import { dispatchStep, stepExecutionId } from '../../../lambdas/use-cases/dispatch-step.js';
import { createExecution } from '../../../lambdas/use-cases/executions.js';
import { failRun } from '../../../lambdas/use-cases/fail-execution.js';
import { reconciledError } from '../../../lambdas/use-cases/reconcile-run.js';
import { reportStepOutcome } from '../../../lambdas/use-cases/report-outcome.js';
import { executionTimeline } from '../../../lambdas/use-cases/timeline.js';
import {
  beforeNext,
  type InMemoryTable,
  mustRead,
  partitionItems,
  recordCommands,
  rewriteState,
  startTable,
} from '../../helpers/in-memory-table.js';

const sfn = mockClient(SFNClient);
let table: InMemoryTable;

beforeAll(async () => {
  table = await startTable();
  process.env.OUTREACH_CHANNEL = 'manual';
});

afterAll(async () => {
  sfn.restore();
  await table.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({});
  sfn.on(StopExecutionCommand).resolves({});
  sfn.on(SendTaskSuccessCommand).resolves({});
});

/** Sunday 2026-11-29 08:00 in El Paso (ZIP 79901, Mountain time). */
const SUNDAY_EIGHT = new Date('2026-11-29T15:00:00.000Z');
/** 12:00 Mountain that Sunday. */
const SUNDAY_NOON = Date.parse('2026-11-29T19:00:00.000Z');
const minutesAfterNoon = (minutes: number) => new Date(SUNDAY_NOON + minutes * 60_000);

/**
 * The federal hours, but Sundays only from 12:00: what Texas law asks on Sundays, written here
 * as the workflow's own TCPA schedule so the test holds whichever layer enforces it.
 */
const sundayAfternoons = weekScheduleSchema.parse({
  ...federalTcpaSchedule,
  sunday: {
    enabled: true,
    timeRanges: [{ startHour: 12, startMinute: 0, endHour: 21, endMinute: 0 }],
  },
});

interface Run {
  organizationId: string;
  workflowId: string;
  id: string;
}

/** A run of a call (tried twice) then a text a day later, created Sunday 08:00 in El Paso. */
async function aRun(tcpaSchedule: WeekSchedule = sundayAfternoons): Promise<Run> {
  const organizationId = randomUUID();
  const workflowId = randomUUID();
  const step = {
    leaveVoicemail: false,
    needsTCPACompliance: true,
    finishOn: ['CALENDLY' as const],
  };
  await putWorkflow({
    id: workflowId,
    organizationId,
    name: 'Timeline',
    description: '',
    active: true,
    timezone: 'America/Denver',
    workflowSchedule: weekScheduleSchema.parse(federalTcpaSchedule),
    tcpaSchedule,
    definition: {
      steps: [
        {
          ...step,
          id: randomUUID(),
          type: 'CALL',
          order: 1,
          delayInSecs: 0,
          agentId: 'A',
          count: 2,
        },
        {
          ...step,
          id: randomUUID(),
          type: 'TEXT',
          order: 2,
          delayInSecs: 86_400,
          agentId: 'B',
          initialMessage: 'Hi',
          count: 1,
        },
      ],
    },
    createdAt: SUNDAY_EIGHT.toISOString(),
    updatedAt: SUNDAY_EIGHT.toISOString(),
  });
  const lead = {
    customerLeadId: `lead-${randomUUID()}`,
    primaryPhone: '+19155550123',
    zipcode: '79901',
    variables: {},
    metadata: {},
    attempt: 0,
  };
  const created = await createExecution(organizationId, workflowId, lead, SUNDAY_EIGHT);
  return { organizationId, workflowId, id: created.id };
}

async function timelineOf(run: Run): Promise<TimelineEntry[]> {
  const page = await executionTimeline(run.organizationId, run.workflowId, run.id, { limit: 100 });
  expect(page.nextCursor).toBeNull();
  return page.items;
}

const types = (entries: TimelineEntry[]) => entries.map((entry) => entry.type);

async function recordsOf(run: Run) {
  return (await partitionItems(run.id)).filter((item) => String(item.sk).startsWith('TIMELINE#'));
}

function control(run: Run, action: ControlAction, at: Date) {
  return controlExecution(run.organizationId, run.id, action, at);
}

/** Dispatch's first attempt after the Sunday window opened, and its outcome ten minutes later. */
async function callAndReport(run: Run, disposition: 'NO_ANSWER' | 'CALENDLY') {
  await dispatchStep(
    { taskToken: 'token-1', executionId: run.id, stepIndex: 0 },
    minutesAfterNoon(2)
  );
  const stepExecution = stepExecutionId(run.id, 0, 1);
  await reportStepOutcome(
    { stepExecutionId: stepExecution, disposition, organizationId: run.organizationId },
    minutesAfterNoon(10)
  );
  return stepExecution;
}

describe('executionTimeline', () => {
  it('explains the first decision: a run created Sunday 08:00 in El Paso waits for noon, and says why', async () => {
    const run = await aRun();
    const { schedule } = await mustRead(run.id);
    expect(Date.parse(schedule?.nextRunAt ?? '')).toBeGreaterThanOrEqual(SUNDAY_NOON);
    const reasons = schedule?.deferredBy.join('; ') ?? '';
    expect(reasons).toContain('America/Denver');

    const entries = await timelineOf(run);
    expect(types(entries)).toEqual(['CREATED', 'DEFERRED']);
    expect(entries[1]).toMatchObject({
      at: SUNDAY_EIGHT.toISOString(),
      stepIndex: 0,
      attempt: 1,
      message: `deferred to ${formatInstant(schedule?.nextRunAt ?? '')}: ${reasons}`,
      rule: reasons,
    });
  });

  it('names Texas law in the entry when the workflow asks only for the federal hours', async () => {
    const run = await aRun(weekScheduleSchema.parse(federalTcpaSchedule));
    const entries = await timelineOf(run);
    expect(entries[1]).toMatchObject({
      type: 'DEFERRED',
      message: 'deferred to 2026-11-29T19:00Z: Texas, Sunday before 12:00 in America/Denver',
    });
  });

  it('adds dispatch and outcome from the attempt, and keeps the decision the next one replaced', async () => {
    const run = await aRun();
    const stepExecution = await callAndReport(run, 'NO_ANSWER');

    const entries = await timelineOf(run);
    expect(types(entries)).toEqual(['CREATED', 'DEFERRED', 'DISPATCHED', 'OUTCOME', 'SCHEDULED']);
    expect(entries[2]).toMatchObject({
      at: minutesAfterNoon(2).toISOString(),
      stepIndex: 0,
      attempt: 1,
      stepExecutionId: stepExecution,
      message: 'step 1 (CALL) dispatched through manual',
      details: { channel: 'manual' },
    });
    expect(entries[3]).toMatchObject({
      at: minutesAfterNoon(10).toISOString(),
      stepExecutionId: stepExecution,
      message: 'step 1 (CALL) ended NO_ANSWER',
      details: { disposition: 'NO_ANSWER' },
    });
    // The retry, planned by the outcome report: due at once, inside the window.
    expect(entries[4]).toMatchObject({
      at: minutesAfterNoon(10).toISOString(),
      stepIndex: 0,
      attempt: 2,
      message: `step 1 (CALL), attempt 2 scheduled for ${formatInstant(minutesAfterNoon(10).toISOString())}: allowed when due`,
    });
    // Only the replaced decision is stored; dispatch and outcome are read off the attempt item.
    const records = await recordsOf(run);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      kind: 'DECISION',
      decision: { stepIndex: 0, attemptNo: 1 },
    });
  });

  it('lists pauses and resumes, keeping each one the next replaced', async () => {
    const run = await aRun();
    const at = (minute: number) => new Date(SUNDAY_EIGHT.getTime() + minute * 60_000);
    await control(run, 'pause', at(1));
    await control(run, 'resume', at(2));
    await control(run, 'pause', at(3));
    await control(run, 'resume', at(4));

    const entries = await timelineOf(run);
    expect(types(entries)).toEqual([
      'CREATED',
      'DEFERRED',
      'PAUSED',
      'RESUMED',
      'PAUSED',
      'RESUMED',
    ]);
    expect(entries.slice(2).map((entry) => entry.at)).toEqual(
      [1, 2, 3, 4].map((minute) => at(minute).toISOString())
    );
    expect(await recordsOf(run)).toHaveLength(3);
  });

  it('says who cancelled a run, a cancel by phone number included', async () => {
    const run = await aRun();
    const { primaryPhone } = await mustRead(run.id);
    const cancelled = await cancelByContact(
      run.organizationId,
      { phoneNumber: primaryPhone },
      minutesAfterNoon(0)
    );
    expect(cancelled).toBe(1);

    const last = (await timelineOf(run)).at(-1);
    expect(last).toMatchObject({
      at: minutesAfterNoon(0).toISOString(),
      type: 'CANCELLED',
      message: 'cancelled with every active run of its phone number',
      details: { cancelledBy: 'phone' },
    });
  });

  it('ends a reconciled run with the reconciler’s reason', async () => {
    const run = await aRun();
    const reason = reconciledError('TIMED_OUT', {
      executionArn: `arn:aws:states:local-1:000000000000:execution:Outreach:${run.id}`,
      stateMachineArn: 'arn:aws:states:local-1:000000000000:stateMachine:Outreach',
      name: run.id,
      status: 'TIMED_OUT',
    });
    await failRun(run.id, reason, minutesAfterNoon(0));

    expect((await timelineOf(run)).at(-1)).toMatchObject({
      type: 'FAILED',
      message: 'failed: state machine execution timed out',
    });
  });

  it('ends a completed run with its disposition', async () => {
    const run = await aRun();
    await callAndReport(run, 'CALENDLY');

    const entries = await timelineOf(run);
    expect(types(entries)).toEqual(['CREATED', 'DEFERRED', 'DISPATCHED', 'OUTCOME', 'COMPLETED']);
    expect(entries.at(-1)?.message).toBe('completed with CALENDLY');
  });

  it('lets a repeated decision for the same attempt and instant replace the one before it', async () => {
    const run = await aRun();
    // Dispatch wakes at 09:00 (a wait cut short): "not now", the same noon again.
    const nine = new Date(SUNDAY_EIGHT.getTime() + 3600_000);
    await dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, nine);

    const entries = await timelineOf(run);
    expect(types(entries)).toEqual(['CREATED', 'DEFERRED']);
    expect(entries[1]?.at).toBe(nine.toISOString());
    expect(await recordsOf(run)).toEqual([]);
  });

  it('shows no decision whose write lost its race', async () => {
    const run = await aRun();
    await dispatchStep(
      { taskToken: 'token-1', executionId: run.id, stepIndex: 0 },
      minutesAfterNoon(2)
    );
    // A cancel lands between the outcome report's read and its write of the retry's decision.
    const cancel = beforeNext(
      'UpdateItemCommand',
      async () => void (await control(run, 'cancel', minutesAfterNoon(9))),
      (command) => String(command.input.UpdateExpression).includes('#schedule')
    );
    await reportStepOutcome(
      { stepExecutionId: stepExecutionId(run.id, 0, 1), disposition: 'NO_ANSWER' },
      minutesAfterNoon(10)
    );
    await cancel.ran;

    const entries = await timelineOf(run);
    expect(types(entries)).toEqual(['CREATED', 'DEFERRED', 'DISPATCHED', 'CANCELLED', 'OUTCOME']);
  });

  it('keeps at most the bounded number of records, still showing the latest control', async () => {
    const run = await aRun();
    await rewriteState(run.id, (state) => ({ ...state, timelineKept: MAX_TIMELINE_RECORDS }));
    await control(run, 'pause', minutesAfterNoon(0));
    await control(run, 'resume', minutesAfterNoon(1));

    expect(await recordsOf(run)).toEqual([]);
    expect(types(await timelineOf(run))).toEqual(['CREATED', 'DEFERRED', 'RESUMED']);
  });

  it('pages with a cursor or an offset, oldest first', async () => {
    const run = await aRun();
    for (let minute = 1; minute <= 6; minute++) {
      await control(
        run,
        minute % 2 === 1 ? 'pause' : 'resume',
        new Date(SUNDAY_EIGHT.getTime() + minute * 60_000)
      );
    }
    const all = await timelineOf(run);
    expect(all).toHaveLength(8);
    const { organizationId, workflowId, id } = run;

    const paged: TimelineEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await executionTimeline(organizationId, workflowId, id, { limit: 3, cursor });
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all);

    const offset = await executionTimeline(organizationId, workflowId, id, { limit: 2, offset: 3 });
    expect(offset.items).toEqual(all.slice(3, 5));
    await expect(
      executionTimeline(organizationId, workflowId, id, { limit: 2, cursor: 'not-a-cursor' })
    ).rejects.toMatchObject({ status: 400 });
  });

  it('answers not found for another organization, another workflow or a deleted run', async () => {
    const run = await aRun();
    const other = await aRun();
    const page = { limit: 10 };
    await expect(
      executionTimeline(other.organizationId, run.workflowId, run.id, page)
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
    await expect(
      executionTimeline(other.organizationId, other.workflowId, run.id, page)
    ).rejects.toBeInstanceOf(ExecutionNotFoundError);
    await deleteExecution(run.organizationId, run.workflowId, run.id, minutesAfterNoon(0));
    const deleted = executionTimeline(run.organizationId, run.workflowId, run.id, page);
    await expect(deleted).rejects.toBeInstanceOf(AppError);
    await expect(deleted).rejects.toMatchObject({ status: 404 });
  });

  it('is not read with the run: the run’s own read stops before its timeline records', async () => {
    const run = await aRun();
    await control(run, 'pause', minutesAfterNoon(0));
    await control(run, 'resume', minutesAfterNoon(1));
    const recorder = recordCommands();
    try {
      await mustRead(run.id);
    } finally {
      recorder.stop();
    }
    const queries = recorder.commands.filter((command) => command.name === 'QueryCommand');
    expect(queries.map((query) => query.input.KeyConditionExpression)).toEqual([
      'pk = :pk AND sk < :sk',
    ]);
  });
});
