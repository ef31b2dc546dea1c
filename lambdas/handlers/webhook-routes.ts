import type { WebhookRoute } from '../schemas/routes.js';
import { createWebhookSchema, webhookView } from '../schemas/webhooks.js';
import { config } from '../shared/config.js';
import {
  createWebhookSubscription,
  deleteWebhookSubscription,
  getWebhookSubscription,
  listWebhookSubscriptions,
} from '../use-cases/webhook-subscriptions.js';
import { json, parseBody } from './http.js';
import { idParameter, type Route } from './route.js';

/**
 * Webhook subscriptions. The create is not behind `Idempotency-Key` on purpose: a replayed
 * answer would have to be stored, and this answer carries the signing secret.
 */
export const webhookHandlers: Record<WebhookRoute, Route> = {
  'POST /api/v1/webhooks': async (event, org) => {
    const body = parseBody(event, createWebhookSchema(config().WEBHOOK_ALLOW_LOOPBACK_HTTP));
    const { subscription, secret } = await createWebhookSubscription(org, body, new Date());
    return json(201, { ...webhookView(subscription), secret });
  },

  'GET /api/v1/webhooks': async (_event, org) =>
    json(200, { webhooks: (await listWebhookSubscriptions(org)).map(webhookView) }),

  'GET /api/v1/webhooks/{webhookId}': async (event, org) =>
    json(200, webhookView(await getWebhookSubscription(org, idParameter(event, 'webhookId')))),

  'DELETE /api/v1/webhooks/{webhookId}': async (event, org) => {
    const webhookId = idParameter(event, 'webhookId');
    await deleteWebhookSubscription(org, webhookId);
    return json(200, { message: `Webhook subscription ${webhookId} deleted` });
  },
};
