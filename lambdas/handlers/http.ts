import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { z } from 'zod';
import {
  AppError,
  BadRequestError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { parseWith } from '../shared/validate.js';

export { issuesOf, parseWith } from '../shared/validate.js';

/** Bodies larger than this are refused before parsing (a workflow is a few KB). */
export const MAX_BODY_BYTES = 256 * 1024;

export function json(status: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * DynamoDB refusing a number for its range ("Number overflow." / "Number underflow."). On the
 * API's writes only caller data can carry such a number (the server's own are small integers),
 * so the request is what is wrong, and a schema let it through. Any other ValidationException
 * (an expression, a key, an item shape) is a server fault and stays a 500.
 */
function isUnstorableNumber(error: unknown): error is Error {
  return (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    /\bNumber (overflow|underflow)\. Attempting to store a number/.test(error.message)
  );
}

/** The one mapping from errors to HTTP (Feather's envelope). Unknown errors never leak internals. */
export function toErrorResponse(error: unknown): APIGatewayProxyResult {
  if (isUnstorableNumber(error)) {
    logger.warn('DynamoDB refused a number that request validation let through', { error });
    return toErrorResponse(
      new BadRequestError(
        'A number in the request cannot be stored (magnitude above 1e125 or below 1e-130)'
      )
    );
  }
  if (error instanceof AppError && error.status < 500) {
    const response = json(error.status, {
      status: error.status,
      code: error.code,
      message: error.message,
      success: false,
      ...(error.details && { details: error.details }),
    });
    if (error instanceof RateLimitedError)
      response.headers = { ...response.headers, 'retry-after': String(error.retryAfterSeconds) };
    return response;
  }
  logger.error('request failed', { error });
  return json(500, {
    status: 500,
    code: 'INTERNAL_ERROR',
    message: 'Internal error',
    success: false,
  });
}

/** middy middleware: any error becomes the envelope. */
export function errorEnvelope(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      request.response = toErrorResponse(request.error);
    },
  };
}

export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? undefined;
}

/** Reads a JSON body: right content type, bounded size, well-formed, then the schema. */
export function parseBody<S extends z.ZodType>(
  event: APIGatewayProxyEvent,
  schema: S,
  maxBytes = MAX_BODY_BYTES
): z.infer<S> {
  const raw =
    event.isBase64Encoded && event.body
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body;
  if (raw && Buffer.byteLength(raw, 'utf8') > maxBytes) throw new PayloadTooLargeError(maxBytes);
  const contentType = header(event, 'content-type');
  if (raw && !/^application\/([\w.+-]+\+)?json\b/i.test(contentType ?? '')) {
    throw new UnsupportedMediaTypeError(contentType);
  }
  let value: unknown;
  try {
    value = raw ? JSON.parse(raw) : undefined;
  } catch {
    throw new BadRequestError('Request body is not valid JSON');
  }
  if (value === undefined) throw new BadRequestError('Request body is required');
  return parseWith(schema, value, 'request body');
}

export function parseQuery<S extends z.ZodType>(
  event: APIGatewayProxyEvent,
  schema: S
): z.infer<S> {
  return parseWith(schema, event.queryStringParameters ?? {}, 'query');
}

export function pathParameter(event: APIGatewayProxyEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (!value) throw new BadRequestError(`Missing path parameter ${name}`);
  return value;
}

/** The organization the authorizer resolved from the API key. */
export function organizationOf(event: APIGatewayProxyEvent): string {
  const organizationId = event.requestContext?.authorizer?.organizationId;
  if (typeof organizationId !== 'string' || organizationId === '') throw new UnauthorizedError();
  return organizationId;
}
