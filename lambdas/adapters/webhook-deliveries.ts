import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws-clients.js';
import { EXPIRES_AT_ATTRIBUTE } from './request-counters.js';
import { conditionally, tableName } from './table.js';
import { keys } from './table-keys.js';

/** Kept long enough to outlive every retry and a redrive from the dead-letter queue (14 days). */
const DELIVERY_RECORD_DAYS = 15;

export type DeliveryClaim = 'claimed' | 'delivered' | 'busy';

/**
 * One item per (subscription, event): claimed while a POST is under way (a lease, so a copy of
 * the same event waits instead of posting alongside it), then marked delivered, so the same
 * event emitted or queued again is not sent again. The table's TTL attribute lets DynamoDB drop
 * it later; nothing depends on when.
 */
export async function claimDelivery(
  subscriptionId: string,
  eventId: string,
  now: Date,
  leaseSeconds: number
): Promise<DeliveryClaim> {
  const key = keys.webhookDelivery(subscriptionId, eventId);
  const claimed = await conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...key,
          status: 'SENDING',
          leaseUntil: now.getTime() + leaseSeconds * 1000,
          [EXPIRES_AT_ATTRIBUTE]: Math.floor(now.getTime() / 1000) + DELIVERY_RECORD_DAYS * 86_400,
        },
        ConditionExpression:
          'attribute_not_exists(pk) OR (#status = :sending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'SENDING', ':now': now.getTime() },
      })
    )
  );
  if (claimed) return 'claimed';
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true })
  );
  return Item?.status === 'DELIVERED' ? 'delivered' : 'busy';
}

export async function markDelivered(subscriptionId: string, eventId: string, now: Date) {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.webhookDelivery(subscriptionId, eventId),
      UpdateExpression: 'SET #status = :delivered, deliveredAt = :at REMOVE leaseUntil',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':delivered': 'DELIVERED', ':at': now.toISOString() },
    })
  );
}

/** After a failed POST: the next try may claim at once. */
export async function releaseDelivery(subscriptionId: string, eventId: string): Promise<void> {
  await conditionally(() =>
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.webhookDelivery(subscriptionId, eventId),
        ConditionExpression: '#status = :sending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'SENDING' },
      })
    )
  );
}
