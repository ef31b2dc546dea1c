import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName } from './table.js';
import { keys } from './table-keys.js';

/** The attribute the table's TTL reads: counters of past windows delete themselves. */
export const EXPIRES_AT_ATTRIBUTE = 'expiresAt';

/** One organization's counting window (domain/request-window.ts works it out). */
export interface CounterWindow {
  /** Epoch milliseconds the window starts at: names its counter item. */
  startMs: number;
  /** How many requests the window admits. */
  limit: number;
  /** Epoch seconds after which DynamoDB may delete the counter. */
  expiresAtSeconds: number;
}

/**
 * Counts one request in the organization's window, shared by every Lambda instance: one
 * conditional UpdateItem that adds 1 only while the count is below the window's limit. False
 * when the window is full (nothing is counted then). One write unit either way: DynamoDB bills
 * a refused conditional write like an accepted one.
 */
export function countRequest(organizationId: string, window: CounterWindow): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.requestCounter(organizationId, window.startMs),
        UpdateExpression: 'ADD #requests :one SET #expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(#requests) OR #requests < :limit',
        ExpressionAttributeNames: { '#requests': 'requests', '#expiresAt': EXPIRES_AT_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': window.limit,
          ':expiresAt': window.expiresAtSeconds,
        },
      })
    )
  );
}
