/**
 * A small agent endpoint for the webhook channel: it checks each request's signature the way
 * the README tells agents to, answers 200 at once, and reports the step's outcome to the
 * request's `callbackUrl` with the organization's key, as a real agent does after its call.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhook } from '../lambdas/adapters/channels/webhook.js';

export interface Agent {
  url: string;
  stats: { received: number; rejected: number; reported: number; failedReports: number };
  /**
   * The API key the outcome reports carry and the signing key Dispatch reads from the runtime's
   * local Secrets Manager (both known once the runtime is up).
   */
  useCredentials(apiKey: string, signingSecret: string): void;
  stop(): Promise<void>;
}

function signedCorrectly(request: IncomingMessage, body: string, signingSecret: string): boolean {
  const timestamp = String(request.headers['x-outreach-timestamp'] ?? '');
  const expected = Buffer.from(signWebhook(signingSecret, timestamp, body));
  const got = Buffer.from(String(request.headers['x-outreach-signature'] ?? ''));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

export async function startAgent(disposition: string): Promise<Agent> {
  const stats = { received: 0, rejected: 0, reported: 0, failedReports: 0 };
  const handled = new Set<string>();
  let apiKey = '';
  let signingSecret = '';
  const report = async (callbackUrl: string) => {
    const response = await fetch(callbackUrl, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ disposition }),
    }).catch(() => undefined);
    if (response?.ok) stats.reported++;
    else stats.failedReports++;
  };
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    stats.received++;
    if (!signingSecret || !signedCorrectly(request, body, signingSecret)) {
      stats.rejected++;
      response.writeHead(401).end();
      return;
    }
    response.writeHead(200).end();
    // The idempotency key: a POST sent again after a crash places no second call.
    const key = String(request.headers['idempotency-key']);
    if (handled.has(key)) return;
    handled.add(key);
    await report((JSON.parse(body) as { callbackUrl: string }).callbackUrl);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    stats,
    useCredentials: (key, secret) => {
      apiKey = key;
      signingSecret = secret;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
