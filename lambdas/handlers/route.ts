import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { parseWith, pathParameter } from './http.js';

/** One route's handler: the API Gateway proxy event and the caller's organization. */
export type Route = (
  event: APIGatewayProxyEvent,
  organizationId: string
) => Promise<APIGatewayProxyResult>;

const idSchema = z.uuid({ error: 'must be a UUID' });

export function idParameter(event: APIGatewayProxyEvent, name: string): string {
  return parseWith(idSchema, pathParameter(event, name), `path parameter ${name}`);
}
