import { randomBytes } from 'node:crypto';
import { signRetellWebhook } from '../../lambdas/domain/providers/retell-signature.js';
import { type FakeServer, sendJson, startFakeServer } from './fake-http.js';

/**
 * A loopback stand-in for Retell's API (https://docs.retellai.com/api-references): create a
 * phone call, get one, list them, each behind `Authorization: Bearer <api key>`; and Retell's
 * side of the webhooks, signed as Retell signs them.
 */

export interface FakeRetellCall {
  call_id: string;
  agent_id: string;
  from_number: string;
  to_number: string;
  call_status: string;
  metadata?: unknown;
  retell_llm_dynamic_variables?: Record<string, string>;
  start_timestamp: number;
}

export interface FakeRetell extends FakeServer {
  calls: FakeRetellCall[];
  /** POSTs Retell's webhook for `call` to `url`, signed with `key` at `now` (the real clock by default). */
  sendWebhook(
    url: string,
    event: string,
    call: Record<string, unknown> | undefined,
    key: string,
    now?: Date
  ): Promise<{ status: number; rawBody: string; signature: string }>;
}

export async function startFakeRetell(apiKey: string): Promise<FakeRetell> {
  const calls: FakeRetellCall[] = [];
  const server = await startFakeServer(({ method, url, headers, body }, response) => {
    if (headers.authorization !== `Bearer ${apiKey}`)
      return sendJson(response, 401, { error_message: 'Invalid API key' });
    if (method === 'POST' && url.pathname === '/v2/create-phone-call') {
      const request = JSON.parse(body);
      const call: FakeRetellCall = {
        call_id: `call_${randomBytes(12).toString('hex')}`,
        agent_id: request.override_agent_id,
        from_number: request.from_number,
        to_number: request.to_number,
        call_status: 'registered',
        metadata: request.metadata,
        retell_llm_dynamic_variables: request.retell_llm_dynamic_variables,
        start_timestamp: Date.now(),
      };
      calls.push(call);
      return sendJson(response, 201, call);
    }
    if (method === 'GET' && url.pathname.startsWith('/v2/get-call/')) {
      const call = calls.find((entry) => url.pathname.endsWith(`/${entry.call_id}`));
      return call
        ? sendJson(response, 200, call)
        : sendJson(response, 404, { error_message: 'Not found' });
    }
    if (method === 'POST' && url.pathname === '/v2/list-calls') {
      const agents: string[] | undefined = JSON.parse(body).filter_criteria?.agent_id;
      const listed = calls.filter((call) => !agents || agents.includes(call.agent_id));
      return sendJson(response, 200, [...listed].reverse());
    }
    sendJson(response, 404, { error_message: 'No such endpoint' });
  });
  return {
    ...server,
    calls,
    async sendWebhook(url, event, call, key, now = new Date()) {
      const rawBody = JSON.stringify({ event, call });
      const signature = signRetellWebhook(rawBody, key, now);
      const answer = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-retell-signature': signature },
        body: rawBody,
      });
      return { status: answer.status, rawBody, signature };
    },
  };
}
