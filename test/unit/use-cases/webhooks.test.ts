import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetClients } from '../../../lambdas/adapters/aws-clients.js';
import { runEvent } from '../../../lambdas/domain/lifecycle-events.js';
import { verifyStandardWebhook } from '../../../lambdas/domain/providers/standard-webhooks.js';
import { handler as deliverHandler } from '../../../lambdas/handlers/deliver-webhooks.js';
import type { LifecycleEvent, WebhookDelivery } from '../../../lambdas/schemas/lifecycle-events.js';
import { createWebhookSchema } from '../../../lambdas/schemas/webhooks.js';
import { publishLifecycleEvent } from '../../../lambdas/use-cases/lifecycle-events.js';
import {
  deliverWebhook,
  fanOutLifecycleEvent,
} from '../../../lambdas/use-cases/webhook-delivery.js';
import {
  createWebhookSubscription,
  deleteWebhookSubscription,
  getWebhookSubscription,
  listWebhookSubscriptions,
} from '../../../lambdas/use-cases/webhook-subscriptions.js';
import type { LocalEventBus } from '../../../local/event-rules.js';
import { startEventBridgeEndpoint, startSqsEndpoint } from '../../../local/messaging-endpoints.js';
import { LocalSecrets, startSecretsEndpoint } from '../../../local/secrets-endpoint.js';
import type { LocalQueues } from '../../../local/sqs-queues.js';
import { TemplateResolver } from '../../../local/template.js';
import { anExecution } from '../../helpers/execution-fixture.js';
import { type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';

/** What reached the loopback SQS and EventBridge endpoints through the real adapters. */
const sent: Array<{ queueArn: string; body: string }> = [];
const visibility: Array<{ receiptHandle: string; seconds: number }> = [];
const published: Array<{ event: Record<string, unknown>; bus: string }> = [];
const fakeQueues = {
  has: () => true,
  send: (queueArn: string, body: string) => sent.push({ queueArn, body }),
  changeVisibility: (receiptHandle: string, seconds: number) =>
    visibility.push({ receiptHandle, seconds }) > 0,
} as unknown as LocalQueues;
const fakeBus = {
  buses: new Set(['default', 'Bus']),
  publish: (event: Record<string, unknown>, bus: string) => published.push({ event, bus }),
} as unknown as LocalEventBus;

let table: InMemoryTable;
let servers: Server[];
let receiver: WebhookReceiver;
const now = new Date('2026-11-26T09:00:00.000Z');
const input = createWebhookSchema(true);

beforeAll(async () => {
  table = await startTable();
  const endpoints = await Promise.all([
    startSqsEndpoint(fakeQueues),
    startEventBridgeEndpoint(fakeBus),
    startSecretsEndpoint(new LocalSecrets(new TemplateResolver([]), undefined)),
  ]);
  servers = endpoints.map((endpoint) => endpoint.server);
  const [sqs, events, secrets] = endpoints.map((endpoint) => endpoint.url);
  Object.assign(process.env, {
    SQS_ENDPOINT: sqs,
    EVENTBRIDGE_ENDPOINT: events,
    SECRETSMANAGER_ENDPOINT: secrets,
    EVENT_BUS_NAME: 'Bus',
    WEBHOOK_DELIVERY_QUEUE_URL: 'Deliveries',
  });
  resetClients();
  receiver = await startWebhookReceiver();
});

afterAll(async () => {
  await receiver.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const name of ['SQS_ENDPOINT', 'EVENTBRIDGE_ENDPOINT', 'EVENT_BUS_NAME'])
    delete process.env[name];
  await table.close();
});

beforeEach(() => {
  sent.length = 0;
  visibility.length = 0;
  published.length = 0;
  receiver.received.length = 0;
  receiver.answer(200);
});

function anEvent(organizationId: string): LifecycleEvent {
  const run = anExecution({ id: randomUUID(), organizationId, status: 'COMPLETED' });
  return {
    id: randomUUID(),
    timestamp: now.toISOString(),
    ...runEvent('execution.completed', run),
  };
}

async function subscribe(org: string, eventTypes?: string[]) {
  return createWebhookSubscription(org, input.parse({ url: receiver.url, eventTypes }), now);
}

function verified(secret: string, index = 0): boolean {
  const request = receiver.received[index];
  if (!request) return false;
  const headers = request.headers as Record<string, string>;
  return verifyStandardWebhook({ secret, headers, rawBody: request.body, now }).valid;
}

describe('publishLifecycleEvent', () => {
  it('puts the event on the bus with an id that is the same when it is published again', async () => {
    const run = anExecution({ id: randomUUID(), organizationId: randomUUID() });
    const first = await publishLifecycleEvent(runEvent('execution.created', run), now);
    const again = await publishLifecycleEvent(runEvent('execution.created', run), new Date());
    expect(first?.id).toBeDefined();
    expect(again?.id).toBe(first?.id);
    expect(published).toHaveLength(2);
    expect(published[0]).toMatchObject({
      bus: 'Bus',
      event: {
        source: 'outreach.workflows',
        'detail-type': 'execution.created',
        detail: { ...first, webhooks: false },
      },
    });
  });

  it('says whether a subscription takes the event, so the webhook rule skips the rest', async () => {
    const org = randomUUID();
    const run = anExecution({ id: randomUUID(), organizationId: org });
    await subscribe(org, ['execution.created']);
    await publishLifecycleEvent(runEvent('execution.created', run), now);
    await publishLifecycleEvent({ ...runEvent('execution.cancelled', run) }, now);
    const flags = published.map(({ event }) => (event.detail as { webhooks: boolean }).webhooks);
    expect(flags).toEqual([true, false]);
  });
});

describe('webhook subscriptions', () => {
  it('answers the secret once, lists without it, and keeps each organization to its own', async () => {
    const org = randomUUID();
    const { subscription, secret } = await subscribe(org, ['step.completed']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await listWebhookSubscriptions(org);
    expect(listed.map((item) => item.id)).toEqual([subscription.id]);
    expect(JSON.stringify(listed)).not.toContain(secret);
    await expect(getWebhookSubscription(randomUUID(), subscription.id)).rejects.toThrow(
      'not found'
    );
    await expect(deleteWebhookSubscription(randomUUID(), subscription.id)).rejects.toThrow(
      'not found'
    );
    await deleteWebhookSubscription(org, subscription.id);
    expect(await listWebhookSubscriptions(org)).toEqual([]);
  });

  it('refuses an eleventh subscription with a 409', async () => {
    const org = randomUUID();
    for (let i = 0; i < 10; i++) await subscribe(org);
    await expect(subscribe(org)).rejects.toMatchObject({ status: 409, code: 'CONFLICT' });
  });

  it('accepts plain http only to 127.0.0.1, and only when the runtime allows it', () => {
    const production = createWebhookSchema(false);
    expect(production.safeParse({ url: 'https://hooks.example.com/x' }).success).toBe(true);
    expect(production.safeParse({ url: 'http://127.0.0.1:9/x' }).success).toBe(false);
    expect(production.safeParse({ url: 'https://169.254.169.254/x' }).success).toBe(false);
    expect(production.safeParse({ url: 'https://10.1.2.3/x' }).success).toBe(false);
    expect(input.safeParse({ url: 'http://127.0.0.1:9/x' }).success).toBe(true);
    expect(input.safeParse({ url: 'http://example.com/x' }).success).toBe(false);
  });
});

describe('fanOutLifecycleEvent', () => {
  it('queues one delivery per subscription of the organization that wants the type', async () => {
    const org = randomUUID();
    const all = await subscribe(org);
    const ends = await subscribe(org, ['execution.completed', 'execution.failed']);
    await subscribe(org, ['step.dispatched']);
    await subscribe(randomUUID());
    const event = anEvent(org);
    expect(await fanOutLifecycleEvent(event)).toBe(2);
    const deliveries = sent.map((message) => JSON.parse(message.body) as WebhookDelivery);
    expect(sent.every((message) => message.queueArn.endsWith(':Deliveries'))).toBe(true);
    expect(deliveries.map((delivery) => delivery.subscriptionId).sort()).toEqual(
      [all.subscription.id, ends.subscription.id].sort()
    );
    expect(deliveries.every((delivery) => delivery.event.id === event.id)).toBe(true);
  });
});

describe('deliverWebhook', () => {
  it('POSTs the event signed with the subscription secret, once per event id', async () => {
    const org = randomUUID();
    const { subscription, secret } = await subscribe(org);
    const delivery = { subscriptionId: subscription.id, event: anEvent(org) };
    expect(await deliverWebhook(delivery, now)).toBe('delivered');
    expect(await deliverWebhook(delivery, now)).toBe('duplicate');
    expect(receiver.received).toHaveLength(1);
    expect(verified(secret)).toBe(true);
    expect(receiver.received[0]?.headers['webhook-id']).toBe(delivery.event.id);
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toEqual(delivery.event);
  });

  it('throws on a non-2xx answer, and delivers on the next try', async () => {
    const org = randomUUID();
    const { subscription, secret } = await subscribe(org);
    const delivery = { subscriptionId: subscription.id, event: anEvent(org) };
    receiver.answer(503);
    await expect(deliverWebhook(delivery, now)).rejects.toThrow('answered 503');
    receiver.answer(204);
    expect(await deliverWebhook(delivery, now)).toBe('delivered');
    expect(receiver.received).toHaveLength(2);
    expect(verified(secret, 1)).toBe(true);
  });

  it('drops a delivery whose subscription was deleted since the fan-out', async () => {
    const org = randomUUID();
    const { subscription } = await subscribe(org);
    await deleteWebhookSubscription(org, subscription.id);
    const delivery = { subscriptionId: subscription.id, event: anEvent(org) };
    expect(await deliverWebhook(delivery, now)).toBe('unsubscribed');
    expect(receiver.received).toEqual([]);
  });
});

describe('DeliverWebhooks handler', () => {
  it('reports only the failed record back, hidden for the schedule delay of its try', async () => {
    const org = randomUUID();
    const { subscription } = await subscribe(org);
    const failing = await subscribe(org);
    await deleteWebhookSubscription(org, failing.subscription.id);
    const record = (id: string, subscriptionId: string, receives: number) => ({
      messageId: id,
      receiptHandle: `${id}#${receives}`,
      body: JSON.stringify({ subscriptionId, event: anEvent(org) }),
      attributes: { ApproximateReceiveCount: String(receives) },
    });
    receiver.answer(500);
    const response = await deliverHandler(
      {
        Records: [record('fails', subscription.id, 3), record('gone', failing.subscription.id, 1)],
      },
      {} as never
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'fails' }] });
    expect(visibility).toEqual([{ receiptHandle: 'fails#3', seconds: 1800 }]);
  });
});
