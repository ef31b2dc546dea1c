import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type WebhookSubscription, webhookSubscriptionSchema } from '../schemas/webhooks.js';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName } from './table.js';
import { keys, withoutKeys } from './table-keys.js';

/**
 * An organization's webhook subscriptions: one item each in the organization's partition, so
 * the fan-out reads them all with one small Query (at most ten items). The signing secret is
 * not here: the item names its Secrets Manager secret.
 */
export function putSubscription(subscription: WebhookSubscription): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.webhook(subscription.organizationId, subscription.id), ...subscription },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
}

export async function getSubscription(
  organizationId: string,
  subscriptionId: string
): Promise<WebhookSubscription | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.webhook(organizationId, subscriptionId) })
  );
  return Item ? webhookSubscriptionSchema.parse(withoutKeys(Item)) : undefined;
}

/** Oldest first (ids are UUIDv7). Strongly consistent: a subscription answered is listed. */
export async function listSubscriptions(organizationId: string): Promise<WebhookSubscription[]> {
  const { pk, skPrefix } = keys.webhookPrefix(organizationId);
  const { Items } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
      ConsistentRead: true,
    })
  );
  return (Items ?? []).map((item) => webhookSubscriptionSchema.parse(withoutKeys(item)));
}

/** False when there was no such subscription. */
export function deleteSubscription(organizationId: string, subscriptionId: string) {
  return conditionally(() =>
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.webhook(organizationId, subscriptionId),
        ConditionExpression: 'attribute_exists(pk)',
      })
    )
  );
}
