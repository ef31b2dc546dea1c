import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName, Update } from './table.js';
import { keys, withoutKeys } from './table-keys.js';

/** A stored answer: replayed byte for byte to a retry with the same key. */
export const storedResponseSchema = z.object({ status: z.int(), body: z.string() });
export type StoredResponse = z.infer<typeof storedResponseSchema>;

const recordSchema = z.object({
  requestHash: z.string(),
  /** Ids the first attempt reserved for what it creates, so a retry converges on them. */
  reservedIds: z.array(z.string()),
  createdAt: z.string(),
  response: storedResponseSchema.optional(),
});
export type IdempotencyRecord = z.infer<typeof recordSchema>;

export async function findIdempotencyRecord(
  organizationId: string,
  keyHash: string
): Promise<IdempotencyRecord | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.idempotency(organizationId, keyHash),
      ConsistentRead: true,
    })
  );
  return Item ? recordSchema.parse(withoutKeys(Item)) : undefined;
}

/**
 * Takes the key for a new request: only when nobody holds it, or its holder is older than
 * `expiredBefore` (keys live 24 hours). False when another request holds it.
 */
export function reserveIdempotencyRecord(
  organizationId: string,
  keyHash: string,
  record: IdempotencyRecord,
  expiredBefore: string
): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.idempotency(organizationId, keyHash), ...record },
        ConditionExpression: 'attribute_not_exists(pk) OR createdAt < :expired',
        ExpressionAttributeValues: { ':expired': expiredBefore },
      })
    )
  );
}

export async function storeIdempotentResponse(
  organizationId: string,
  keyHash: string,
  requestHash: string,
  response: StoredResponse
): Promise<void> {
  await new Update()
    .set('response', response)
    .whenEquals('requestHash', requestHash)
    .run(keys.idempotency(organizationId, keyHash));
}
