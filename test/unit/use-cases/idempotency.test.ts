import { randomUUID } from 'node:crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listExecutionsOfWorkflow } from '../../../lambdas/adapters/execution-queries.js';
import { putWorkflow } from '../../../lambdas/adapters/workflow-repository.js';
import { alwaysOpenSchedule, federalTcpaSchedule } from '../../../lambdas/schemas/schedule.js';
import { IdempotencyKeyReusedError } from '../../../lambdas/shared/errors.js';
import { createExecution } from '../../../lambdas/use-cases/executions.js';
import { startIdempotent } from '../../../lambdas/use-cases/idempotency.js';
import { type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';

const sfn = mockClient(SFNClient);
let table: InMemoryTable;
const now = new Date('2026-11-23T15:00:00.000Z');

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  sfn.restore();
  await table.close();
});

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({});
});

async function aWorkflow(organizationId: string): Promise<string> {
  const id = randomUUID();
  await putWorkflow({
    id,
    organizationId,
    name: 'Idempotent',
    description: '',
    active: true,
    timezone: 'America/New_York',
    workflowSchedule: alwaysOpenSchedule,
    tcpaSchedule: federalTcpaSchedule,
    definition: {
      steps: [
        {
          id: randomUUID(),
          type: 'CALL',
          order: 1,
          delayInSecs: 0,
          agentId: 'A',
          leaveVoicemail: false,
          needsTCPACompliance: true,
          count: 1,
          finishOn: [],
        },
      ],
    },
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  return id;
}

const lead = {
  customerLeadId: 'lead-1',
  primaryPhone: '+14155550123',
  zipcode: '94107',
  variables: {},
  metadata: {},
  attempt: 0,
};

describe('startIdempotent', () => {
  it('replays the stored answer to a retry and refuses the key for another request', async () => {
    const org = randomUUID();
    const first = await startIdempotent(org, 'key-1', 'POST /x\n{"a":1}', 1, now);
    expect(first.kind).toBe('run');
    if (first.kind !== 'run') return;
    await first.finish({ status: 201, body: '{"id":"x"}' });
    const retry = await startIdempotent(org, 'key-1', 'POST /x\n{"a":1}', 1, now);
    expect(retry).toEqual({ kind: 'replay', response: { status: 201, body: '{"id":"x"}' } });
    await expect(startIdempotent(org, 'key-1', 'POST /x\n{"a":2}', 1, now)).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError
    );
    // Keys are per organization, and live 24 hours.
    expect((await startIdempotent(randomUUID(), 'key-1', 'POST /x\n{"a":2}', 1, now)).kind).toBe(
      'run'
    );
    const dayLater = new Date(now.getTime() + 24 * 3600_000 + 1);
    expect((await startIdempotent(org, 'key-1', 'POST /x\n{"a":2}', 1, dayLater)).kind).toBe('run');
  });

  it('makes a retry after a crash converge on the run the first attempt stored', async () => {
    const org = randomUUID();
    const workflowId = await aWorkflow(org);
    const first = await startIdempotent(org, 'key-2', 'create', 1, now);
    if (first.kind !== 'run') throw new Error('expected a run');
    // The first attempt stores its run, then dies before answering (finish never runs).
    const stored = await createExecution(org, workflowId, lead, now, first.reservedIds[0]);
    const retry = await startIdempotent(org, 'key-2', 'create', 1, now);
    if (retry.kind !== 'run') throw new Error('expected a run');
    expect(retry.reservedIds).toEqual(first.reservedIds);
    const again = await createExecution(org, workflowId, lead, now, retry.reservedIds[0]);
    expect(again.id).toBe(stored.id);
    const listed = await listExecutionsOfWorkflow(workflowId, {}, { limit: 10 });
    expect(listed.items.map((run) => run.id)).toEqual([stored.id]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });
});
