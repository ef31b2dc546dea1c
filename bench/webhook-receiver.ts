/**
 * A lifecycle-webhook endpoint for the bench (BENCH_WEBHOOK_SUBSCRIBERS): answers 204 at once
 * and counts the deliveries, so the bench can check that each event reached each subscription.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  deliveries: number;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      receiver.deliveries++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: WebhookReceiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries: 0,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** `count` subscriptions to every lifecycle event, each at its own path of one receiver. */
export async function subscribeReceiver(
  api: (method: string, path: string, body?: unknown) => Promise<unknown>,
  count: number
): Promise<WebhookReceiver | undefined> {
  if (count === 0) return undefined;
  const receiver = await startWebhookReceiver();
  for (let i = 0; i < count; i++) {
    await api('POST', '/api/v1/webhooks', { url: `${receiver.url}/hook-${i}` });
  }
  return receiver;
}

/** Each event reached each subscription (at least once: a retried delivery may come twice). */
export function checkDelivered(
  receiver: WebhookReceiver | undefined,
  events: number,
  subscribers: number
): number {
  const deliveries = receiver?.deliveries ?? 0;
  if (deliveries < events * subscribers) {
    throw new Error(`${deliveries} of ${events * subscribers} lifecycle webhooks delivered`);
  }
  return deliveries;
}
