import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { BadRequestError } from '../shared/errors.js';
import { startIdempotent } from '../use-cases/idempotency.js';
import { header, toErrorResponse } from './http.js';
import type { Route } from './route.js';

/** Stripe's and the IETF draft's header; any visible ASCII, up to 255 characters. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** The request as a retry must repeat it: method, path and the JSON body without whitespace. */
function requestIdentity(event: APIGatewayProxyEvent): string {
  const raw =
    event.isBase64Encoded && event.body
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : (event.body ?? '');
  let body = raw;
  try {
    body = JSON.stringify(JSON.parse(raw));
  } catch {
    // Not JSON: compared as sent (the route itself answers the 4xx).
  }
  return `${event.httpMethod} ${event.path}\n${body}`;
}

/**
 * Makes a route idempotent under an `Idempotency-Key` header: a retry within 24 hours gets the
 * first answer (status and body) and creates nothing; the same key with another request is a
 * 409. `reserve` ids are set aside for what the route creates, so a retry after a crash (no
 * answer was sent) converges on what the first attempt stored. 5xx answers are not kept: the
 * retry runs again. Without the header the route runs as usual.
 */
export function idempotent(
  reserve: number,
  route: (
    event: APIGatewayProxyEvent,
    org: string,
    reservedIds: string[]
  ) => Promise<APIGatewayProxyResult>
): Route {
  return async (event, org) => {
    const key = header(event, 'idempotency-key');
    if (key === undefined) return route(event, org, []);
    if (!KEY_PATTERN.test(key)) {
      throw new BadRequestError('Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const start = await startIdempotent(org, key, requestIdentity(event), reserve, new Date());
    if (start.kind === 'replay') {
      return {
        statusCode: start.response.status,
        headers: { 'content-type': 'application/json', 'idempotent-replayed': 'true' },
        body: start.response.body,
      };
    }
    let result: APIGatewayProxyResult;
    try {
      result = await route(event, org, start.reservedIds);
    } catch (error) {
      result = toErrorResponse(error);
    }
    if (result.statusCode < 500)
      await start.finish({ status: result.statusCode, body: result.body });
    return result;
  };
}
