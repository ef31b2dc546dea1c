import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { createSigningSecret, deleteSigningSecret } from '../adapters/webhook-secrets.js';
import {
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  putSubscription,
} from '../adapters/webhook-subscriptions.js';
import { standardWebhookSecret } from '../domain/providers/standard-webhooks.js';
import {
  type CreateWebhook,
  MAX_WEBHOOK_SUBSCRIPTIONS,
  type WebhookSubscription,
} from '../schemas/webhooks.js';
import { config } from '../shared/config.js';
import {
  WebhookSubscriptionLimitError,
  WebhookSubscriptionNotFoundError,
} from '../shared/errors.js';
import { logger } from '../shared/logger.js';

/** Key bytes of a signing secret: within the 24 to 64 the Standard Webhooks spec allows. */
const SECRET_BYTES = 32;

export interface CreatedSubscription {
  subscription: WebhookSubscription;
  /** The signing secret, answered this once and never again. */
  secret: string;
}

/**
 * Subscribes an endpoint to the organization's lifecycle events.
 * 1. At most MAX_WEBHOOK_SUBSCRIPTIONS per organization (two creates racing at the limit may
 *    both pass: the limit bounds cost, it guards nothing).
 * 2. Draw a `whsec_` secret and store it in Secrets Manager first, then the subscription that
 *    names it: a subscription never exists without its secret. If the second write fails, the
 *    secret is removed again.
 */
export async function createWebhookSubscription(
  organizationId: string,
  input: CreateWebhook,
  now: Date
): Promise<CreatedSubscription> {
  const held = await listSubscriptions(organizationId);
  if (held.length >= MAX_WEBHOOK_SUBSCRIPTIONS)
    throw new WebhookSubscriptionLimitError(MAX_WEBHOOK_SUBSCRIPTIONS);
  const id = uuidv7();
  const subscription: WebhookSubscription = {
    id,
    organizationId,
    url: input.url,
    eventTypes: input.eventTypes,
    description: input.description,
    secretId: `${config().WEBHOOK_SECRET_PREFIX}${organizationId}/${id}`,
    createdAt: now.toISOString(),
  };
  const secret = standardWebhookSecret(randomBytes(SECRET_BYTES));
  await createSigningSecret(subscription.secretId, secret);
  try {
    await putSubscription(subscription);
  } catch (error) {
    await deleteSigningSecret(subscription.secretId);
    throw error;
  }
  return { subscription, secret };
}

export function listWebhookSubscriptions(organizationId: string) {
  return listSubscriptions(organizationId);
}

/** Another organization's subscription is not found. */
export async function getWebhookSubscription(
  organizationId: string,
  subscriptionId: string
): Promise<WebhookSubscription> {
  const subscription = await getSubscription(organizationId, subscriptionId);
  if (!subscription) throw new WebhookSubscriptionNotFoundError(subscriptionId);
  return subscription;
}

/**
 * Unsubscribes: the subscription goes first (the fan-out stops queueing for it, and queued
 * deliveries find it gone and are dropped), then its secret.
 */
export async function deleteWebhookSubscription(
  organizationId: string,
  subscriptionId: string
): Promise<void> {
  const subscription = await getWebhookSubscription(organizationId, subscriptionId);
  if (!(await deleteSubscription(organizationId, subscriptionId)))
    throw new WebhookSubscriptionNotFoundError(subscriptionId);
  try {
    await deleteSigningSecret(subscription.secretId);
  } catch (error) {
    // The subscription is gone and nothing signs with the secret; it only costs until removed.
    logger.error('signing secret of a deleted subscription not removed', {
      subscriptionId,
      error,
    });
  }
}
