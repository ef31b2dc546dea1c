import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type RunInput, runInputSchema } from '../schemas/state-machine.js';
import { dynamo } from './aws-clients.js';
import { tableName } from './table.js';
import { keys, PENDING_START_SHARDS } from './table-keys.js';

/**
 * A run stored but perhaps not started yet. Written before the run's items, removed once its
 * state machine execution is started; whatever dies in between (the api Lambda, the local
 * process), the sweep finds the marker and starts the run, idempotently by execution name.
 */
export interface PendingStart {
  shard: number;
  createdAt: string;
  input: RunInput;
  /** The run's own start, when it lies ahead: far enough ahead, it is scheduled, not started. */
  startAt?: string;
}

function shardOf(executionId: string): number {
  return createHash('sha256').update(executionId).digest().readUInt8(0) % PENDING_START_SHARDS;
}

export function pendingStartFor(
  input: RunInput,
  createdAt: string,
  startAt?: string
): PendingStart {
  return { shard: shardOf(input.executionId), createdAt, input, startAt };
}

export async function putPendingStart(pending: PendingStart): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.pendingStart(pending.shard, pending.createdAt, pending.input.executionId),
        input: JSON.stringify(pending.input),
        startAt: pending.startAt,
      },
    })
  );
}

export async function deletePendingStart(pending: PendingStart): Promise<void> {
  await dynamo().send(
    new DeleteCommand({
      TableName: tableName(),
      Key: keys.pendingStart(pending.shard, pending.createdAt, pending.input.executionId),
    })
  );
}

/** Markers written before `before`, oldest first, across every shard (at most `limit`). */
export async function listPendingStarts(before: Date, limit: number): Promise<PendingStart[]> {
  const found: PendingStart[] = [];
  for (let shard = 0; shard < PENDING_START_SHARDS && found.length < limit; shard++) {
    const { Items } = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk < :before',
        ExpressionAttributeValues: {
          ':pk': keys.pendingStartPartition(shard),
          ':before': before.toISOString(),
        },
        ConsistentRead: true,
        Limit: limit - found.length,
      })
    );
    for (const item of Items ?? []) {
      const input = runInputSchema.parse(JSON.parse(String(item.input)));
      const startAt = typeof item.startAt === 'string' ? item.startAt : undefined;
      found.push({ shard, createdAt: String(item.sk).split('#')[0] ?? '', input, startAt });
    }
  }
  return found;
}
