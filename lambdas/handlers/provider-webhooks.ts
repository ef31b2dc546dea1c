import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ProviderRoute } from '../schemas/routes.js';
import { config, required } from '../shared/config.js';
import { PayloadTooLargeError, RouteNotFoundError } from '../shared/errors.js';
import { addLogContext, logger } from '../shared/logger.js';
import { receiveAwsSmsEvent } from '../use-cases/aws-sms-events.js';
import {
  type ProviderRequest,
  receiveRetellWebhook,
  receiveTwilioInbound,
  receiveTwilioStatus,
  type WebhookEffect,
} from '../use-cases/provider-webhooks.js';
import { receiveVapiMessage } from '../use-cases/vapi-webhooks.js';
import { errorEnvelope, MAX_BODY_BYTES, pathParameter } from './http.js';
import { observability } from './observability.js';

// A bad configuration value fails the cold start, naming the variable.
config();

/** The body as the provider sent it: API Gateway may hand it over base64-encoded. */
function rawBodyOf(event: APIGatewayProxyEvent): string {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(MAX_BODY_BYTES);
  return raw;
}

/**
 * The public URL the provider called: this API's base URL, the path, and the query string in
 * the order it came (Twilio signs the URL exactly). Behind a custom domain with a base path,
 * PUBLIC_API_URL must be that domain and base path.
 */
function publicUrlOf(event: APIGatewayProxyEvent): string {
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    for (const value of values ?? []) query.append(name, value);
  }
  const search = query.size > 0 ? `?${query}` : '';
  return `${required('PUBLIC_API_URL').replace(/\/$/, '')}${event.path}${search}`;
}

function requestOf(event: APIGatewayProxyEvent): ProviderRequest {
  return {
    organizationId: pathParameter(event, 'organizationId'),
    agentId: pathParameter(event, 'agentId'),
    rawBody: rawBodyOf(event),
    headers: event.headers ?? {},
    url: publicUrlOf(event),
    now: new Date(),
  };
}

/** Retell, Vapi (for the messages we subscribe to) and SNS want any 2xx and no body. */
const noContent = (): APIGatewayProxyResult => ({ statusCode: 204, body: '' });
/** Twilio reads TwiML from a messaging webhook's answer: an empty Response sends no reply. */
const emptyTwiml = (): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: { 'content-type': 'text/xml' },
  body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
});

type Receiver = (request: ProviderRequest) => Promise<WebhookEffect>;

const routes: Record<ProviderRoute, [Receiver, () => APIGatewayProxyResult]> = {
  'POST /api/v1/providers/retell/{organizationId}/{agentId}/webhook': [
    receiveRetellWebhook,
    noContent,
  ],
  'POST /api/v1/providers/twilio/{organizationId}/{agentId}/status': [
    receiveTwilioStatus,
    emptyTwiml,
  ],
  'POST /api/v1/providers/twilio/{organizationId}/{agentId}/inbound': [
    receiveTwilioInbound,
    emptyTwiml,
  ],
  'POST /api/v1/providers/vapi/{organizationId}/{agentId}/webhook': [receiveVapiMessage, noContent],
  'POST /api/v1/providers/aws-sms/{organizationId}/{agentId}/events': [
    (request) => receiveAwsSmsEvent(request),
    noContent,
  ],
};

export async function routeProviderRequest(
  event: APIGatewayProxyEvent
): Promise<APIGatewayProxyResult> {
  const route = routes[`${event.httpMethod} ${event.resource}` as ProviderRoute];
  if (!route) throw new RouteNotFoundError(event.httpMethod, event.path);
  const [receive, answer] = route;
  const request = requestOf(event);
  addLogContext({ organizationId: request.organizationId, agentId: request.agentId });
  const effect = await receive(request);
  logger.info('provider webhook handled', { effect });
  return answer();
}

/** Provider webhooks (no API key; each verified by its provider's signature). */
export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(observability())
  .use(errorEnvelope())
  .handler(routeProviderRequest);
