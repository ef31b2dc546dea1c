import { randomUUID } from 'node:crypto';
import { signVapiRequest } from '../../lambdas/domain/providers/vapi-signature.js';
import { type FakeServer, sendJson, startFakeServer } from './fake-http.js';

/**
 * A loopback stand-in for Vapi's call API (https://docs.vapi.ai/api-reference/calls): create a
 * call, list calls (by assistant, phone number and `createdAtGe`), each behind
 * `Authorization: Bearer <private key>`; and Vapi's side of the server messages, sent with the
 * HMAC credential's default plan (`x-signature` over `{timestamp}.{body}`).
 */

export interface FakeVapiCall {
  id: string;
  assistantId: string;
  phoneNumberId: string;
  status: string;
  createdAt: string;
  customer: { number: string; externalId?: string };
  assistantOverrides?: { metadata?: unknown; variableValues?: Record<string, unknown> };
}

export interface FakeVapi extends FakeServer {
  calls: FakeVapiCall[];
  /** POSTs a server message `{ message: { type, call, … } }` to `url`, HMAC-signed with `secret` at `now`. */
  sendMessage(
    url: string,
    message: Record<string, unknown>,
    secret: string,
    now?: Date
  ): Promise<{ status: number }>;
}

function listed(calls: FakeVapiCall[], query: URLSearchParams): FakeVapiCall[] {
  const since = query.get('createdAtGe');
  return calls.filter(
    (call) =>
      (!query.get('assistantId') || call.assistantId === query.get('assistantId')) &&
      (!query.get('phoneNumberId') || call.phoneNumberId === query.get('phoneNumberId')) &&
      (!since || call.createdAt >= since)
  );
}

export async function startFakeVapi(apiKey: string): Promise<FakeVapi> {
  const calls: FakeVapiCall[] = [];
  const server = await startFakeServer(({ method, url, headers, body }, response) => {
    if (headers.authorization !== `Bearer ${apiKey}`)
      return sendJson(response, 401, { message: 'Invalid Key', error: 'Unauthorized' });
    if (method === 'POST' && url.pathname === '/call') {
      const request = JSON.parse(body);
      const call: FakeVapiCall = {
        id: randomUUID(),
        assistantId: request.assistantId,
        phoneNumberId: request.phoneNumberId,
        status: 'queued',
        createdAt: new Date().toISOString(),
        customer: request.customer,
        assistantOverrides: request.assistantOverrides,
      };
      calls.push(call);
      return sendJson(response, 201, call);
    }
    if (method === 'GET' && url.pathname === '/call')
      return sendJson(response, 200, [...listed(calls, url.searchParams)].reverse());
    sendJson(response, 404, { message: 'Cannot find route', error: 'Not Found' });
  });
  return {
    ...server,
    calls,
    async sendMessage(url, message, secret, now = new Date()) {
      const rawBody = JSON.stringify({ message });
      const timestamp = String(now.getTime());
      const signature = signVapiRequest(
        { kind: 'hmac', secret },
        { rawBody, headers: {} },
        timestamp
      );
      const answer = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-signature': signature,
          'x-timestamp': timestamp,
        },
        body: rawBody,
      });
      return { status: answer.status };
    },
  };
}
