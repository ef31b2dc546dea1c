import { randomUUID } from 'node:crypto';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pendingStartFor, putPendingStart } from '../../../lambdas/adapters/pending-starts.js';
import { PENDING_START_SHARDS } from '../../../lambdas/adapters/table-keys.js';
import { handler as markFailedHandler } from '../../../lambdas/handlers/fail-execution.js';
import type { Execution } from '../../../lambdas/schemas/execution.js';
import type { RunInput } from '../../../lambdas/schemas/state-machine.js';
import { failExecution } from '../../../lambdas/use-cases/fail-execution.js';
import { startPendingRuns } from '../../../lambdas/use-cases/start-pending-runs.js';
import {
  aRun,
  deleteItem,
  type InMemoryTable,
  itemsOfPartition,
  mustRead,
  readRun,
  STATE_MACHINE_ARN,
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
});

describe('failExecution (Mark Failed)', () => {
  const now = new Date('2026-11-24T15:00:00.000Z');

  it("records the Lambda error's message, not its JSON document", async () => {
    const run = await seed(aRun({ status: 'RUNNING', version: 2 }));
    await failExecution(
      {
        executionId: run.id,
        error: {
          Error: 'States.Timeout',
          Cause: JSON.stringify({
            errorType: 'Error',
            errorMessage: 'Task timed out after 24 hours',
            trace: ['Error: Task timed out', '    at dispatch (index.js:1:1)'],
          }),
        },
      },
      now
    );
    const stored = await mustRead(run.id);
    expect(stored).toMatchObject({
      status: 'FAILED',
      error: 'States.Timeout: Task timed out after 24 hours',
      completedAt: now.toISOString(),
      nextRunAt: null,
      stepIndex: 0,
    });
    expect(stored.version).toBeGreaterThan(run.version);
  });

  it('keeps a cause that is not a Lambda error document as it is', async () => {
    const run = await seed(aRun({ status: 'CREATED' }));
    await failExecution(
      {
        executionId: run.id,
        error: {
          Error: 'ExecutionRegressedError',
          Cause: 'stored at step 0, but step 1 was reached',
        },
      },
      now
    );
    expect((await mustRead(run.id)).error).toBe(
      'ExecutionRegressedError: stored at step 0, but step 1 was reached'
    );
  });

  it('fails a paused run too', async () => {
    const run = await seed(aRun({ status: 'PAUSED', version: 3 }));
    await failExecution({ executionId: run.id, error: { Error: 'States.Timeout' } }, now);
    expect(await mustRead(run.id)).toMatchObject({ status: 'FAILED', error: 'States.Timeout: ' });
  });

  it.each([
    ['COMPLETED', { disposition: 'CALENDLY' as const, completedAt: '2026-11-23T15:05:00.000Z' }],
    ['FAILED', { error: 'Error: earlier', completedAt: '2026-11-23T15:05:00.000Z' }],
    ['CANCELLED', {}],
  ] as const)('leaves a %s run alone', async (status, fields) => {
    const run = await seed(aRun({ status, version: 5, nextRunAt: null, ...fields }));
    await failExecution(
      { executionId: run.id, error: { Error: 'States.Timeout', Cause: 'late' } },
      now
    );
    expect(await readRun(run.id)).toEqual(run);
  });

  it('does nothing for a run that was never stored', async () => {
    const id = randomUUID();
    await failExecution({ executionId: id, error: { Error: 'Error', Cause: 'x' } }, now);
    expect(await readRun(id)).toBeUndefined();
  });

  it('the handler rejects a malformed payload', async () => {
    await expect(markFailedHandler({ executionId: 'not-a-uuid' }, {} as Context)).rejects.toThrow();
  });
});

describe('startPendingRuns (the start sweep)', () => {
  const createdAt = '2026-11-23T15:00:00.000Z';
  const graceMs = 60_000;
  /** Two minutes after the create: past the grace. */
  const later = new Date('2026-11-23T15:02:00.000Z');

  beforeEach(async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:run', startDate: later });
    // Markers of earlier tests would be swept with these ones.
    for (let shard = 0; shard < PENDING_START_SHARDS; shard++) {
      for (const item of await itemsOfPartition(`STARTQ#${shard}`)) {
        await deleteItem({ pk: String(item.pk), sk: String(item.sk) });
      }
    }
  });

  async function markers(): Promise<string[]> {
    const found: string[] = [];
    for (let shard = 0; shard < PENDING_START_SHARDS; shard++) {
      for (const item of await itemsOfPartition(`STARTQ#${shard}`)) found.push(String(item.sk));
    }
    return found;
  }

  function inputOf(run: Execution): RunInput {
    return {
      executionId: run.id,
      plan: { action: 'STEP', stepIndex: 0, waitUntil: run.createdAt },
    };
  }

  /** A create that stored its run (or not) but never confirmed the start. */
  async function unconfirmedCreate(options: { stored: boolean; at?: string }): Promise<Execution> {
    const at = options.at ?? createdAt;
    const run = aRun({ createdAt: at, updatedAt: at });
    await putPendingStart(pendingStartFor(inputOf(run), at));
    if (options.stored) await seed(run);
    return run;
  }

  function starts() {
    return sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
  }

  it('starts a stored run whose start was not confirmed within the grace, once', async () => {
    const run = await unconfirmedCreate({ stored: true });
    expect(await startPendingRuns(later, graceMs)).toEqual({ started: 1, dropped: 0, failed: 0 });

    expect(starts()).toEqual([
      { stateMachineArn: STATE_MACHINE_ARN, name: run.id, input: JSON.stringify(inputOf(run)) },
    ]);
    expect(await markers()).toEqual([]);
    // The marker is gone: the next sweep starts nothing.
    expect(await startPendingRuns(new Date('2026-11-23T15:03:00.000Z'), graceMs)).toEqual({
      started: 0,
      dropped: 0,
      failed: 0,
    });
    expect(starts()).toHaveLength(1);
    expect(await mustRead(run.id)).toEqual(run);
  });

  it('drops the marker of a create that died before storing its run', async () => {
    await unconfirmedCreate({ stored: false });
    expect(await startPendingRuns(later, graceMs)).toEqual({ started: 0, dropped: 1, failed: 0 });
    expect(starts()).toEqual([]);
    expect(await markers()).toEqual([]);
  });

  it('leaves markers younger than the grace alone', async () => {
    const run = await unconfirmedCreate({ stored: true, at: '2026-11-23T15:01:30.000Z' });
    expect(await startPendingRuns(later, graceMs)).toEqual({ started: 0, dropped: 0, failed: 0 });
    expect(starts()).toEqual([]);
    expect(await markers()).toEqual([`2026-11-23T15:01:30.000Z#${run.id}`]);
  });

  it('treats a run that already exists as started', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));
    const run = await unconfirmedCreate({ stored: true });
    expect(await startPendingRuns(later, graceMs)).toEqual({ started: 1, dropped: 0, failed: 0 });
    expect(starts().map((start) => start.name)).toEqual([run.id]);
    expect(await markers()).toEqual([]);
  });

  it('keeps the marker for the next sweep when the start fails', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }))
      .resolves({ executionArn: 'arn:run', startDate: later });
    const run = await unconfirmedCreate({ stored: true });
    expect(await startPendingRuns(later, graceMs)).toEqual({ started: 0, dropped: 0, failed: 1 });
    expect(await markers()).toEqual([`${createdAt}#${run.id}`]);

    expect(await startPendingRuns(later, graceMs)).toEqual({ started: 1, dropped: 0, failed: 0 });
    expect(starts().map((start) => start.name)).toEqual([run.id, run.id]);
    expect(await markers()).toEqual([]);
  });

  it('sweeps several markers across shards in one pass', async () => {
    const runs = await Promise.all(
      Array.from({ length: 12 }, () => unconfirmedCreate({ stored: true }))
    );
    expect(await startPendingRuns(later, graceMs)).toEqual({ started: 12, dropped: 0, failed: 0 });
    expect(
      starts()
        .map((start) => start.name)
        .sort()
    ).toEqual(runs.map((run) => run.id).sort());
    expect(await markers()).toEqual([]);
  });
});
