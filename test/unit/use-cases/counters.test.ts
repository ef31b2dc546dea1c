import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Execution } from '../../../lambdas/schemas/execution.js';
import { createExecutionSchema } from '../../../lambdas/schemas/execution.js';
import { alwaysOpenSchedule } from '../../../lambdas/schemas/schedule.js';
import type { Workflow } from '../../../lambdas/schemas/workflow.js';
import { captureEmf, type EmfLine, published } from '../../helpers/emf.js';
import {
  aRun,
  type InMemoryTable,
  seed,
  startTable,
  useSimulator,
} from '../../helpers/in-memory-table.js';

// Metrics on for this file (the test configuration turns them off), before any import builds them.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const { handler: dispatchHandler } = await import('../../../lambdas/handlers/dispatch-step.js');
const { observability } = await import('../../../lambdas/handlers/observability.js');
const { storeExecution } = await import('../../../lambdas/use-cases/executions.js');
const { dispatchStep } = await import('../../../lambdas/use-cases/dispatch-step.js');

const sfn = mockClient(SFNClient);
let table: InMemoryTable;
let ledger: ReturnType<typeof useSimulator>;
let capture: { lines: EmfLine[]; stop(): void };

beforeAll(async () => {
  table = await startTable();
  // The fixture's run starts at 07:00 in San Francisco, before federal quiet hours end; these
  // cases test dispatch mechanics against the workflow's schedules (the law has its own tests).
  process.env.STATE_CALLING_RULES = 'off';
});

afterAll(async () => {
  delete process.env.STATE_CALLING_RULES;
  sfn.restore();
  await table.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  ledger = useSimulator();
  capture = captureEmf();
});

afterEach(() => {
  capture.stop();
  ledger.cleanup();
});

/** Closed on Mondays; Monday 2026-11-23 18:00Z is 13:00 in New York. */
const closedMonday = {
  ...structuredClone(alwaysOpenSchedule),
  monday: { enabled: false, timeRanges: [] },
};
const monday = new Date('2026-11-23T18:00:00.000Z');

/** Runs `body` as one invocation of a handler with the project's middlewares. */
function invoke(body: () => Promise<void>): Promise<void> {
  return middy<unknown, void>().use(observability()).handler(body)({}, {} as Context);
}

function workflowOf(run: Execution): Workflow {
  return {
    id: run.workflowId,
    organizationId: run.organizationId,
    name: 'Counted',
    description: '',
    active: true,
    timezone: run.timezone,
    workflowSchedule: run.workflowSchedule,
    tcpaSchedule: run.tcpaSchedule,
    definition: run.definition,
    createdAt: run.createdAt,
    updatedAt: run.createdAt,
  };
}

describe('the use cases count', () => {
  it('a dispatched step and its outcome by disposition', async () => {
    const created = new Date(Date.now() - 60_000).toISOString();
    const run = await seed(aRun({ createdAt: created, updatedAt: created, priorityDate: created }));
    await dispatchHandler(
      { taskToken: 'token-1', executionId: run.id, stepIndex: 0 },
      {} as Context
    );

    expect(ledger.contacts()).toHaveLength(1);
    expect(published(capture.lines, 'StepsDispatched')).toEqual([
      expect.objectContaining({ value: 1 }),
    ]);
    expect(published(capture.lines, 'Outcomes')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ disposition: 'NO_ANSWER', value: 1 }),
        expect.objectContaining({ dimensions: [['service']], value: 1 }),
      ])
    );
    expect(published(capture.lines, 'Deferrals')).toEqual([]);
  });

  it('a step pushed later by a closed schedule, by the rule that closed it', async () => {
    const run = await seed(aRun({ workflowSchedule: closedMonday }));
    await invoke(() =>
      dispatchStep({ taskToken: 'token-1', executionId: run.id, stepIndex: 0 }, monday)
    );

    expect(ledger.contacts()).toEqual([]);
    expect(published(capture.lines, 'StepsDispatched')).toEqual([]);
    expect(published(capture.lines, 'Deferrals')).toEqual([
      expect.objectContaining({ rule: 'workflowSchedule', value: 1 }),
    ]);
  });

  it('a created run, and its first step deferred by the workflow schedule', async () => {
    const template = aRun({ workflowSchedule: closedMonday });
    const lead = createExecutionSchema.parse({
      customerLeadId: 'lead-1',
      primaryPhone: '+14155550123',
    });
    await invoke(async () => {
      await storeExecution(template.organizationId, workflowOf(template), lead, monday);
    });

    expect(published(capture.lines, 'ExecutionsCreated')).toEqual([
      expect.objectContaining({ value: 1 }),
    ]);
    expect(published(capture.lines, 'Deferrals')).toEqual([
      expect.objectContaining({ rule: 'workflowSchedule', value: 1 }),
    ]);
  });
});
