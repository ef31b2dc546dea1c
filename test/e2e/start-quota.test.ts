import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../lambdas/adapters/aws-clients.js';
import { keys, PENDING_START_SHARDS } from '../../lambdas/adapters/table-keys.js';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  distinctPhone,
  featherExecution,
  featherWorkflow,
  waitFor,
} from '../helpers/local-api.js';

let api: ApiClient;
const RUNS = 2_000;

beforeAll(async () => {
  // A StartExecution bucket far smaller than the burst of creates (AWS: 1,300 and 300/s), and
  // a clock 60× faster so the start sweep (every minute, one minute's grace) runs every second.
  api = await bootLocalApi({
    timeScale: 60,
    startQuota: { burst: 10, perSecond: 25 },
    environment: { OUTREACH_CHANNEL: 'manual' },
  });
});

afterAll(async () => {
  await api.runtime.stop();
});

async function pendingStarts(): Promise<number> {
  let count = 0;
  for (let shard = 0; shard < PENDING_START_SHARDS; shard++) {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: process.env.TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.pendingStartPartition(shard) },
        Select: 'COUNT',
      })
    );
    count += page.Count ?? 0;
  }
  return count;
}

describe('bulk creates against the StartExecution quota', () => {
  it('starts every one of 2,000 runs, none lost to throttling', { timeout: 240_000 }, async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
    });
    const requests = Array.from({ length: RUNS / 25 }, (_, batch) =>
      Array.from({ length: 25 }, (_, i) => ({
        ...featherExecution,
        primaryPhone: distinctPhone(),
        customerLeadId: `quota-${batch * 25 + i}`,
      }))
    );
    const queue = [...requests];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let leads = queue.shift(); leads; leads = queue.shift()) {
          const answer = await api.request(
            'POST',
            `/api/v1/workflow/${workflow.body.id}/execution/bulk`,
            { leads }
          );
          expect(answer.body.successful).toBe(25);
        }
      })
    );
    const leftToSweep = await pendingStarts();
    // Every run reaches its first step (CREATED until claimed), then no marker is left.
    await waitFor(
      async () => api.runtime.engine.activeExecutions,
      (active) => active === RUNS,
      200_000
    );
    await waitFor(pendingStarts, (count) => count === 0, 60_000, 500);
    console.info(`${leftToSweep} of ${RUNS} starts were throttled at create and left to the sweep`);
    expect(leftToSweep).toBeGreaterThan(0);
  });
});
