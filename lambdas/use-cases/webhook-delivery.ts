import { delayRetry, enqueueDeliveries } from '../adapters/delivery-queue.js';
import { claimDelivery, markDelivered, releaseDelivery } from '../adapters/webhook-deliveries.js';
import { postWebhook, WEBHOOK_TIMEOUT_MS } from '../adapters/webhook-endpoint.js';
import { signingSecret } from '../adapters/webhook-secrets.js';
import { getSubscription, listSubscriptions } from '../adapters/webhook-subscriptions.js';
import { webhookRetryDelaySeconds } from '../domain/lifecycle-events.js';
import { signStandardWebhook } from '../domain/providers/standard-webhooks.js';
import type { LifecycleEvent, WebhookDelivery } from '../schemas/lifecycle-events.js';
import { logger } from '../shared/logger.js';

/** A claim outlives the POST's timeout, so a copy waits for the first try's answer. */
const CLAIM_LEASE_SECONDS = WEBHOOK_TIMEOUT_MS / 1000 + 20;

/** Another copy of this delivery is being sent right now: try again later. */
export class DeliveryInProgressError extends Error {
  constructor(eventId: string) {
    super(`Event ${eventId} is being delivered to this subscription by another try`);
    this.name = 'DeliveryInProgressError';
  }
}

/**
 * The fan-out: one queue message per subscription of the event's organization that wants its
 * type, so each endpoint is retried on its own and a failing one never makes a healthy one
 * receive an event again. Answers how many were queued.
 */
export async function fanOutLifecycleEvent(event: LifecycleEvent): Promise<number> {
  const subscriptions = await listSubscriptions(event.organizationId);
  const deliveries = subscriptions
    .filter((subscription) => subscription.eventTypes.includes(event.type))
    .map((subscription) => ({ subscriptionId: subscription.id, event }));
  await enqueueDeliveries(deliveries);
  return deliveries.length;
}

export type DeliveryResult = 'delivered' | 'duplicate' | 'unsubscribed';

/**
 * Sends one event to one subscription, signed per Standard Webhooks with the subscription's
 * secret, `webhook-id` = the event's id.
 * 1. A subscription deleted since the fan-out: dropped.
 * 2. Claim the (subscription, event) pair: already delivered (the same event emitted twice, or
 *    a message redelivered after a lost acknowledgement) is a no-op; a claim held by another
 *    try is an error, so this copy comes back after the first has finished.
 * 3. POST; a non-2xx answer or a timeout releases the claim and throws, and the queue retries.
 */
export async function deliverWebhook(
  delivery: WebhookDelivery,
  now: Date
): Promise<DeliveryResult> {
  const { event, subscriptionId } = delivery;
  const subscription = await getSubscription(event.organizationId, subscriptionId);
  if (!subscription) return 'unsubscribed';
  const claim = await claimDelivery(subscriptionId, event.id, now, CLAIM_LEASE_SECONDS);
  if (claim === 'delivered') return 'duplicate';
  if (claim === 'busy') throw new DeliveryInProgressError(event.id);
  try {
    const secret = await signingSecret(subscription.secretId);
    const body = JSON.stringify(event);
    const headers = signStandardWebhook({ secret, id: event.id, rawBody: body, now });
    await postWebhook(subscription.url, { ...headers }, body);
  } catch (error) {
    await releaseDelivery(subscriptionId, event.id);
    throw error;
  }
  await markDelivered(subscriptionId, event.id, now);
  return 'delivered';
}

/**
 * A failed delivery comes back after the retry schedule's next delay (its visibility is changed
 * before it is reported back). Best effort: if that call fails, the queue's own visibility
 * timeout applies.
 */
export async function retryLater(receiptHandle: string, receives: number): Promise<void> {
  try {
    await delayRetry(receiptHandle, webhookRetryDelaySeconds(receives));
  } catch (error) {
    logger.warn('retry delay not set; the queue visibility timeout applies', { error });
  }
}
