import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Route {
  method: string;
  resource: string;
  segments: string[];
  functionId: string;
  authorizer?: { functionId: string; header: string };
}

export interface MatchedRoute {
  route: Route;
  /** Path parameters as they appear in the path, still percent-encoded. */
  params: Record<string, string>;
}

/** What the gateway knows of a request once its body is in. */
export interface GatewayRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  sourceIp: string;
  body: string | null;
}

const STAGE = 'prod';

export function matchRoute(
  routes: Route[],
  method: string,
  path: string
): MatchedRoute | undefined {
  const segments = path.split('/').filter(Boolean);
  let best: (MatchedRoute & { literals: number }) | undefined;
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const ok = route.segments.every((segment, i) => {
      const actual = segments[i] as string;
      if (segment.startsWith('{')) {
        params[segment.slice(1, -1)] = actual;
        return true;
      }
      literals++;
      return segment === actual;
    });
    // API Gateway prefers the most literal match, as here.
    if (ok && (!best || literals > best.literals)) best = { route, params, literals };
  }
  return best && { route: best.route, params: best.params };
}

/** The decoded parameters, or undefined when one is not valid percent-encoded UTF-8. */
export function decodePathParameters(
  params: Record<string, string>
): Record<string, string> | undefined {
  try {
    return Object.fromEntries(
      Object.entries(params).map(([name, value]) => [name, decodeURIComponent(value)])
    );
  } catch (error) {
    if (error instanceof URIError) return undefined;
    throw error;
  }
}

/** Node's headers as API Gateway passes them: one string per name, repeats joined by commas. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.join(',') : (value ?? ''),
    ])
  );
}

/** The REQUEST authorizer's event. */
export function authorizerEvent(
  request: GatewayRequest,
  route: Route,
  params: Record<string, string>
) {
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:local-1:000000000000:local/${STAGE}/${request.method}${route.resource}`,
    resource: route.resource,
    path: request.url.pathname,
    httpMethod: request.method,
    headers: request.headers,
    queryStringParameters: Object.fromEntries(request.url.searchParams),
    pathParameters: params,
  };
}

/** The Lambda proxy integration's event (REST API, payload format 1.0). */
export function proxyEvent(
  request: GatewayRequest,
  route: Route,
  params: Record<string, string>,
  authorizer: Record<string, unknown> | undefined
) {
  const { url, method, headers } = request;
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  return {
    resource: route.resource,
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: query,
    multiValueQueryStringParameters:
      query &&
      Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)])),
    pathParameters: Object.keys(params).length > 0 ? params : null,
    stageVariables: null,
    requestContext: {
      resourcePath: route.resource,
      httpMethod: method,
      path: `/${STAGE}${url.pathname}`,
      stage: STAGE,
      requestId: randomUUID(),
      authorizer,
      identity: { sourceIp: request.sourceIp },
    },
    body: request.body,
    isBase64Encoded: false,
  };
}
