import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LIFECYCLE_EVENT_SOURCE, type LifecycleEvent } from '../schemas/lifecycle-events.js';
import { config } from '../shared/config.js';
import { eventBridge } from './aws-clients.js';

/** Whether this deployment publishes lifecycle events (its functions know the bus). */
export function eventBusConfigured(): boolean {
  return config().EVENT_BUS_NAME !== undefined;
}

/**
 * Puts one lifecycle event on the deployment's bus (EventBridge PutEvents): detail-type is the
 * event type, detail the envelope plus `webhooks` (whether a subscription of the organization
 * wants it; the webhook rule matches only those). PutEvents answers 200 with per-entry
 * failures, so a failed entry is thrown here like a failed call.
 */
export async function putLifecycleEvent(event: LifecycleEvent, webhooks: boolean): Promise<void> {
  const output = await eventBridge().send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: config().EVENT_BUS_NAME,
          Source: LIFECYCLE_EVENT_SOURCE,
          DetailType: event.type,
          Detail: JSON.stringify({ ...event, webhooks }),
          Time: new Date(event.timestamp),
        },
      ],
    })
  );
  const failed = output.Entries?.find((entry) => entry.ErrorCode);
  if (output.FailedEntryCount || failed) {
    throw new Error(`PutEvents refused ${event.type} ${event.id}: ${failed?.ErrorCode}`);
  }
}
