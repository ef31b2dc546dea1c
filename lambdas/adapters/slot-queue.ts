import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { SlotKind } from '../schemas/pacing.js';
import { dynamo } from './aws-clients.js';
import { conditionally, readWholePartition, tableName, Update } from './table.js';
import { keys, withoutKeys } from './table-keys.js';

/**
 * Runs waiting for a slot: one item each in the organization's queue partition for the kind,
 * sorted by bucket, then priorityDate, then run, so reading a bucket backwards gives the newest
 * priorityDate first. The item holds the task token the run waits on (no transitions while it
 * waits). Whoever marks it granted (a conditional write) is the one who lets the run go on;
 * the item is deleted after that, and a grant that never finished is finished by the sweep.
 */
export const queuedAttemptSchema = z.object({
  executionId: z.string(),
  stepIndex: z.int(),
  attemptNo: z.int(),
  attemptId: z.string(),
  taskToken: z.string(),
  bucket: z.int(),
  priorityDate: z.string(),
  queuedAt: z.string(),
  /** When the contact window the run was queued in closes: never dispatched after it. */
  notAfter: z.string(),
  grantedAt: z.string().optional(),
});
export type QueuedAttempt = z.infer<typeof queuedAttemptSchema>;

export function queueKeyOf(organizationId: string, kind: SlotKind, entry: QueuedAttempt) {
  return keys.queuedAttempt(organizationId, kind, entry);
}

/** Queues the attempt, or points it at a new task token if it was queued already. */
export async function enqueueAttempt(
  organizationId: string,
  kind: SlotKind,
  entry: QueuedAttempt
): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...queueKeyOf(organizationId, kind, entry), ...entry },
    })
  );
}

/** The first `limit` queued attempts of one bucket, newest priorityDate first, strongly consistent. */
export async function headOfBucket(
  organizationId: string,
  kind: SlotKind,
  bucket: number,
  limit: number
): Promise<QueuedAttempt[]> {
  const { Items } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :bucket)',
      ExpressionAttributeValues: {
        ':pk': keys.slotQueuePartition(organizationId, kind),
        ':bucket': keys.slotQueueBucket(bucket),
      },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: limit,
    })
  );
  return (Items ?? []).map((item) => queuedAttemptSchema.parse(withoutKeys(item)));
}

/**
 * Claims the right to let a queued run go on; false when someone else claimed it first, or
 * when the item now waits on another token (a retried Dispatch queued the run again).
 */
export function markGranted(
  organizationId: string,
  kind: SlotKind,
  entry: QueuedAttempt,
  now: Date
): Promise<boolean> {
  return new Update()
    .set('grantedAt', now.toISOString())
    .whenEquals('taskToken', entry.taskToken)
    .whenAbsent('grantedAt')
    .run(queueKeyOf(organizationId, kind, entry));
}

/** Deletes the item if it still waits on `entry`'s token; false when it is gone or was replaced. */
export function removeQueued(
  organizationId: string,
  kind: SlotKind,
  entry: QueuedAttempt
): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: queueKeyOf(organizationId, kind, entry),
        ConditionExpression: 'taskToken = :token',
        ExpressionAttributeValues: { ':token': entry.taskToken },
      })
    )
  );
}

/** The queued attempt at `place`, strongly consistent; undefined when it is not queued. */
export async function findQueued(place: QueuePlace): Promise<QueuedAttempt | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.queuedAttempt(place.organizationId, place.kind, place),
      ConsistentRead: true,
    })
  );
  return Item ? queuedAttemptSchema.parse(withoutKeys(Item)) : undefined;
}

/** Every queued attempt of the kind, strongly consistent, one page at a time (the sweep's read). */
export async function readQueue(organizationId: string, kind: SlotKind): Promise<QueuedAttempt[]> {
  const items = await readWholePartition(keys.slotQueuePartition(organizationId, kind));
  return items.map((item) => queuedAttemptSchema.parse(withoutKeys(item)));
}

/** Counts the items a key condition selects, up to about `limit` (a COUNT still reads them). */
async function countItems(
  condition: string,
  values: Record<string, string>,
  limit: number
): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      })
    );
    count += page.Count ?? 0;
    startKey = count < limit ? page.LastEvaluatedKey : undefined;
  } while (startKey);
  return count;
}

export interface QueuePlace {
  organizationId: string;
  kind: SlotKind;
  bucket: number;
  priorityDate: string;
  executionId: string;
  stepIndex: number;
  attemptNo: number;
}

/**
 * The attempt's place in line (1: next in its bucket), or undefined when it is not queued (any
 * more). Counts the bucket's items from it to the bucket's end, itself included.
 */
export async function positionInQueue(
  place: QueuePlace,
  limit = 1_000
): Promise<number | undefined> {
  const key = keys.queuedAttempt(place.organizationId, place.kind, place);
  const queued = await findQueued(place);
  if (!queued || queued.grantedAt) return undefined;
  return countItems(
    'pk = :pk AND sk BETWEEN :mine AND :end',
    { ':pk': key.pk, ':mine': key.sk, ':end': `${keys.slotQueueBucket(place.bucket)}\uffff` },
    limit
  );
}

/**
 * How many attempts of this kind are queued, counted up to about `limit`: a COUNT still reads
 * every item (each holds a task token of about 1 KB), so a long queue is not read through.
 */
export function countQueued(
  organizationId: string,
  kind: SlotKind,
  limit = 1_000
): Promise<number> {
  return countItems('pk = :pk', { ':pk': keys.slotQueuePartition(organizationId, kind) }, limit);
}
