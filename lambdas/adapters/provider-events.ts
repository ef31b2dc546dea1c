import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName } from './table.js';
import { keys } from './table-keys.js';

/**
 * Provider webhooks seen, one item per (provider, provider call or message id, event type):
 * providers retry and may send an event twice, and Twilio signs no timestamp, so this
 * conditional put is what makes a second delivery a no-op.
 */
export interface ProviderEventKey {
  provider: string;
  providerId: string;
  eventType: string;
}

/** True the first time this event is seen; false for a duplicate. */
export function claimProviderEvent(event: ProviderEventKey, now: Date): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.providerEvent(event.provider, event.providerId, event.eventType),
          receivedAt: now.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
}

/** Forgets an event whose handling failed, so the provider's retry is handled again. */
export async function releaseProviderEvent(event: ProviderEventKey): Promise<void> {
  await dynamo().send(
    new DeleteCommand({
      TableName: tableName(),
      Key: keys.providerEvent(event.provider, event.providerId, event.eventType),
    })
  );
}
