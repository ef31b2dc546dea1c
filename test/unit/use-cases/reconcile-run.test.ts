import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../../lambdas/handlers/reconcile-runs.js';
import type { ExecutionStatusChange } from '../../../lambdas/schemas/execution-events.js';
import { reconcileRun } from '../../../lambdas/use-cases/reconcile-run.js';
import {
  aRun,
  beforeNext,
  type InMemoryTable,
  mustRead,
  readRun,
  readState,
  rewriteState,
  STATE_MACHINE_ARN,
  seed,
  startTable,
} from '../../helpers/in-memory-table.js';

let table: InMemoryTable;

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  await table.close();
});

const now = new Date('2026-11-24T15:00:00.000Z');

/** The event detail Step Functions sends when our execution for `executionId` ends. */
function ended(
  executionId: string,
  status: string,
  more: Partial<ExecutionStatusChange> = {}
): ExecutionStatusChange {
  return {
    executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${executionId}`,
    stateMachineArn: STATE_MACHINE_ARN,
    name: executionId,
    status,
    error: null,
    cause: null,
    ...more,
  };
}

describe('reconcileRun', () => {
  it('fails a running run whose execution timed out', async () => {
    const run = await seed(aRun({ status: 'RUNNING', version: 3 }));
    const result = await reconcileRun(ended(run.id, 'TIMED_OUT'), now);
    expect(result).toEqual({
      reconciled: true,
      executionId: run.id,
      ending: 'TIMED_OUT',
      previousStatus: 'RUNNING',
      error: 'state machine execution timed out',
    });
    expect(await mustRead(run.id)).toMatchObject({
      status: 'FAILED',
      error: 'state machine execution timed out',
      completedAt: now.toISOString(),
      nextRunAt: null,
      version: 4,
    });
  });

  it("names a failed execution's error and Lambda's message from its cause", async () => {
    const run = await seed(aRun({ status: 'CREATED' }));
    const cause = JSON.stringify({ errorType: 'Error', errorMessage: 'table unavailable' });
    await reconcileRun(ended(run.id, 'FAILED', { error: 'States.TaskFailed', cause }), now);
    expect((await mustRead(run.id)).error).toBe(
      'state machine execution failed: States.TaskFailed: table unavailable'
    );
  });

  it('fails a parked run stopped outside the API and lets go of its park token', async () => {
    const run = await seed(
      aRun({ status: 'PAUSED', pausedFrom: 'RUNNING', parkToken: 'park-token', version: 4 })
    );
    await reconcileRun(ended(run.id, 'ABORTED', { cause: 'stopped from the console' }), now);
    const state = await readState(run.id);
    expect(state).toMatchObject({
      status: 'FAILED',
      error: 'stopped outside the API: stopped from the console',
    });
    expect(state).not.toHaveProperty('parkToken');
    expect(state).not.toHaveProperty('pausedFrom');
  });

  it.each([
    ['COMPLETED', { disposition: 'CALENDLY' as const, completedAt: '2026-11-23T15:05:00.000Z' }],
    ['FAILED', { error: 'Error: earlier', completedAt: '2026-11-23T15:05:00.000Z' }],
    ['CANCELLED', { cancelledBy: 'api' as const, completedAt: '2026-11-23T15:05:00.000Z' }],
  ] as const)('leaves a %s run as it is, whatever the ending', async (status, fields) => {
    const run = await seed(aRun({ status, version: 5, nextRunAt: null, ...fields }));
    for (const ending of ['FAILED', 'TIMED_OUT', 'ABORTED']) {
      const result = await reconcileRun(ended(run.id, ending), now);
      expect(result).toEqual({
        reconciled: false,
        executionId: run.id,
        reason: `the run is already ${status}`,
      });
    }
    expect(await readRun(run.id)).toEqual(run);
  });

  it('leaves a run cancelled and deleted through the API as it is when its stop arrives', async () => {
    const run = await seed(
      aRun({
        status: 'CANCELLED',
        cancelledBy: 'api',
        completedAt: '2026-11-23T15:05:00.000Z',
        deletedAt: '2026-11-23T15:06:00.000Z',
        nextRunAt: null,
        version: 6,
      })
    );
    const before = await readState(run.id);
    const cause = 'Cancelled through the API';
    expect(await reconcileRun(ended(run.id, 'ABORTED', { cause }), now)).toMatchObject({
      reconciled: false,
    });
    expect(await readState(run.id)).toEqual(before);
  });

  it('ignores an execution of another state machine, another name, an unknown run or a success', async () => {
    const run = await seed(aRun({ status: 'RUNNING' }));
    const otherMachine = `${STATE_MACHINE_ARN}-other`;
    const results = await Promise.all([
      reconcileRun(ended(run.id, 'FAILED', { stateMachineArn: otherMachine }), now),
      reconcileRun(ended(run.id, 'FAILED', { name: 'console-test-run' }), now),
      reconcileRun(ended(randomUUID(), 'TIMED_OUT'), now),
      reconcileRun(ended(run.id, 'SUCCEEDED'), now),
    ]);
    expect(results.map((result) => result.reconciled)).toEqual([false, false, false, false]);
    expect(results[2]).toMatchObject({ reason: 'no such run is stored' });
    expect(await readRun(run.id)).toEqual(run);
  });

  it('is idempotent: the same end delivered twice changes the run once', async () => {
    const run = await seed(aRun({ status: 'RUNNING', version: 2 }));
    const event = ended(run.id, 'ABORTED', { error: 'Operator.Stop' });
    expect((await reconcileRun(event, now)).reconciled).toBe(true);
    const afterFirst = await readState(run.id);
    const later = new Date(now.getTime() + 60_000);
    expect(await reconcileRun(event, later)).toMatchObject({
      reconciled: false,
      reason: 'the run is already FAILED',
    });
    expect(await readState(run.id)).toEqual(afterFirst);
  });

  it('re-reads a run changed between its read and its write (version) and still fails it', async () => {
    const run = await seed(aRun({ status: 'RUNNING', version: 3 }));
    const pause = beforeNext('UpdateItemCommand', () =>
      rewriteState(run.id, (state) => ({ ...state, status: 'PAUSED', version: 4 }))
    );
    const result = await reconcileRun(ended(run.id, 'TIMED_OUT'), now);
    await pause.ran;
    expect(result).toMatchObject({ reconciled: true, previousStatus: 'PAUSED' });
    expect(await readState(run.id)).toMatchObject({ status: 'FAILED', version: 5 });
  });

  it('loses to a cancel written between its read and its write', async () => {
    const run = await seed(aRun({ status: 'RUNNING', version: 3 }));
    const cancel = beforeNext('UpdateItemCommand', () =>
      rewriteState(run.id, (state) => ({
        ...state,
        status: 'CANCELLED',
        cancelledBy: 'api',
        version: 4,
      }))
    );
    const result = await reconcileRun(ended(run.id, 'ABORTED'), now);
    await cancel.ran;
    expect(result).toMatchObject({ reconciled: false, reason: 'the run is already CANCELLED' });
    expect(await readState(run.id)).toMatchObject({ status: 'CANCELLED', version: 4 });
  });
});

describe('the ReconcileRuns handler (SQS)', () => {
  /** An SQS record whose body is the EventBridge event, as the rule's SQS target sends it. */
  function record(messageId: string, body: unknown) {
    return { messageId, body: typeof body === 'string' ? body : JSON.stringify(body) };
  }
  const event = (detail: ExecutionStatusChange) => ({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    resources: [detail.executionArn],
    detail,
  });

  it('reconciles each record and reports only the unreadable ones back to SQS', async () => {
    const run = await seed(aRun({ status: 'RUNNING' }));
    const response = await handler(
      {
        Records: [
          record('timed-out', event(ended(run.id, 'TIMED_OUT'))),
          record('not-json', '{"detail":'),
          record('not-an-execution-event', { source: 'aws.ec2', detail: {} }),
          record('unknown-run', event(ended(randomUUID(), 'ABORTED'))),
        ],
      },
      {} as Context
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'not-json' },
      { itemIdentifier: 'not-an-execution-event' },
    ]);
    expect((await mustRead(run.id)).status).toBe('FAILED');
  });

  it('reports a record whose write fails, so SQS delivers it again', async () => {
    const run = await seed(aRun({ status: 'RUNNING' }));
    const outage = beforeNext('GetItemCommand', async () => {
      throw new Error('table unavailable');
    });
    const response = await handler(
      { Records: [record('m-1', event(ended(run.id, 'FAILED')))] },
      {} as Context
    );
    await expect(outage.ran).rejects.toThrow('table unavailable');
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect((await mustRead(run.id)).status).toBe('RUNNING');
  });
});
