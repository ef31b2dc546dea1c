import { randomUUID } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../lambdas/adapters/aws-clients.js';
import { listExecutionsOfWorkflow } from '../../../lambdas/adapters/execution-queries.js';
import type { ExecutionStatus } from '../../../lambdas/schemas/execution.js';
import {
  aRun,
  type InMemoryTable,
  rewriteState,
  seed,
  startTable,
  TABLE_NAME,
} from '../../helpers/in-memory-table.js';

let table: InMemoryTable;

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  await table.close();
});

/** Seven runs of one workflow, oldest first, with the statuses given. */
async function seedWorkflow(statuses: ExecutionStatus[]) {
  const workflowId = randomUUID();
  const ids: string[] = [];
  for (const [i, status] of statuses.entries()) {
    const run = aRun({ id: uuidv7(), workflowId, customerLeadId: `lead-${i % 2}` });
    await seed(run);
    await rewriteState(run.id, (state) => ({ ...state, status }));
    ids.push(run.id);
  }
  return { workflowId, newestFirst: ids.reverse() };
}

/** Every page of a list, `limit` at a time. */
async function listAll(
  workflowId: string,
  filter: Parameters<typeof listExecutionsOfWorkflow>[1],
  limit: number
) {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listExecutionsOfWorkflow(workflowId, filter, { limit, cursor });
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

const statuses: ExecutionStatus[] = [
  'RUNNING',
  'COMPLETED',
  'RUNNING',
  'PAUSED',
  'RUNNING',
  'CANCELLED',
  'RUNNING',
];

describe('the workflow index and its list', () => {
  it('projects only keys and customerLeadId, so state updates never write it', async () => {
    const { workflowId } = await seedWorkflow(['RUNNING']);
    const { Items } = await dynamo().send(
      new QueryCommand({
        TableName: TABLE_NAME,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :wf',
        ExpressionAttributeValues: { ':wf': `WORKFLOW#${workflowId}` },
      })
    );
    expect(Object.keys(Items?.[0] ?? {}).sort()).toEqual([
      'customerLeadId',
      'gsi1pk',
      'gsi1sk',
      'pk',
      'sk',
    ]);
  });

  it('lists full states newest first, filtered by status and lead, across short pages', async () => {
    const { workflowId, newestFirst } = await seedWorkflow(statuses);
    const running = newestFirst.filter((_, i) => statuses.at(-1 - i) === 'RUNNING');
    expect(await listAll(workflowId, {}, 3)).toEqual(newestFirst);
    expect(await listAll(workflowId, { status: 'RUNNING' }, 2)).toEqual(running);
    const lead0 = newestFirst.filter((_, i) => (statuses.length - 1 - i) % 2 === 0);
    expect(await listAll(workflowId, { customerLeadId: 'lead-0' }, 2)).toEqual(lead0);
    const page = await listExecutionsOfWorkflow(workflowId, { status: 'PAUSED' }, { limit: 5 });
    expect(page.items.map((run) => [run.status, run.primaryPhone])).toEqual([
      ['PAUSED', '+14155550123'],
    ]);
  });

  it('leaves out a run deleted after the index listed it', async () => {
    const { workflowId, newestFirst } = await seedWorkflow(['COMPLETED', 'COMPLETED']);
    // The index still lists it (its keys are removed later, eventually on AWS).
    await rewriteState(newestFirst[0] as string, (state) => ({
      ...state,
      deletedAt: new Date().toISOString(),
    }));
    expect(await listAll(workflowId, {}, 10)).toEqual(newestFirst.slice(1));
  });

  it('asks again for the keys BatchGetItem leaves unprocessed', async () => {
    const { workflowId, newestFirst } = await seedWorkflow(statuses);
    const stack = dynamo().middlewareStack;
    let throttled = 0;
    stack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName !== 'BatchGetItemCommand' || throttled > 0) return result;
        // The first answer holds only two items; the rest come back as unprocessed keys.
        const output = result.output as {
          Responses: Record<string, Record<string, unknown>[]>;
          UnprocessedKeys?: Record<string, { Keys: Record<string, unknown>[] }>;
        };
        const items = output.Responses[TABLE_NAME] ?? [];
        throttled = items.length - 2;
        output.Responses[TABLE_NAME] = items.slice(0, 2);
        output.UnprocessedKeys = {
          [TABLE_NAME]: { Keys: items.slice(2).map(({ pk, sk }) => ({ pk, sk })) },
        };
        return result;
      },
      { step: 'initialize', name: 'throttle-batch-get' }
    );
    try {
      expect(await listAll(workflowId, {}, 10)).toEqual(newestFirst);
      expect(throttled).toBe(statuses.length - 2);
    } finally {
      stack.remove('throttle-batch-get');
    }
  });
});
