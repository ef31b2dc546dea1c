import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import type { LambdaRuntime } from './lambda-runtime.js';
import type { TemplateResolver } from './template.js';

/** API Gateway's own payload limit for REST APIs. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

interface Route {
  method: string;
  resource: string;
  segments: string[];
  functionId: string;
  authorizer?: { functionId: string; header: string };
}

function functionIdOfUri(uri: string): string {
  const id = uri.split(':function:')[1]?.split('/')[0];
  if (!id) throw new Error(`Integration ${uri} does not call a Lambda function`);
  return id;
}

/** Reads the REST API's routes, authorizers and gateway responses from the template. */
export function apiFromTemplate(resolver: TemplateResolver) {
  const paths = new Map<string, string>();
  const resources = new Map(resolver.resourcesOfType('AWS::ApiGateway::Resource'));
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const resource = resources.get(id);
    if (!resource) return ''; // the root resource
    const parent = resource.Properties.ParentId;
    const parentPath = 'Ref' in parent ? pathOf(parent.Ref) : '';
    const path = `${parentPath}/${resource.Properties.PathPart}`;
    paths.set(id, path);
    return path;
  };
  const authorizers = new Map(
    resolver.resourcesOfType('AWS::ApiGateway::Authorizer').map(([id, authorizer]) => [
      id,
      {
        functionId: functionIdOfUri(resolver.resolve(authorizer.Properties.AuthorizerUri)),
        header: String(authorizer.Properties.IdentitySource)
          .replace('method.request.header.', '')
          .toLowerCase(),
      },
    ])
  );
  const routes: Route[] = resolver.resourcesOfType('AWS::ApiGateway::Method').map(([, method]) => {
    const p = method.Properties;
    const resource = 'Ref' in p.ResourceId ? pathOf(p.ResourceId.Ref) : '/';
    return {
      method: p.HttpMethod,
      resource,
      segments: resource.split('/').filter(Boolean),
      functionId: functionIdOfUri(resolver.resolve(p.Integration.Uri)),
      authorizer: p.AuthorizerId ? authorizers.get(p.AuthorizerId.Ref) : undefined,
    };
  });
  const gatewayResponses = new Map(
    resolver.resourcesOfType('AWS::ApiGateway::GatewayResponse').map(([, response]) => [
      response.Properties.ResponseType as string,
      {
        status: Number(response.Properties.StatusCode),
        template: String(response.Properties.ResponseTemplates?.['application/json'] ?? ''),
      },
    ])
  );
  return { routes, gatewayResponses };
}

function match(routes: Route[], method: string, path: string) {
  const segments = path.split('/').filter(Boolean);
  let best: { route: Route; params: Record<string, string>; literals: number } | undefined;
  for (const route of routes) {
    if (route.method !== method || route.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const ok = route.segments.every((segment, i) => {
      const actual = segments[i] as string;
      if (segment.startsWith('{')) {
        params[segment.slice(1, -1)] = decodeURIComponent(actual);
        return true;
      }
      literals++;
      return segment === actual;
    });
    // API Gateway prefers the most literal match, as here.
    if (ok && (!best || literals > best.literals)) best = { route, params, literals };
  }
  return best;
}

/**
 * API Gateway (REST, Lambda proxy) on loopback: the template's routes, its REQUEST authorizer
 * and its gateway responses, so bad keys, unknown routes and huge bodies answer as on AWS.
 */
export async function startApiGateway(
  resolver: TemplateResolver,
  lambdas: LambdaRuntime,
  port: number
): Promise<{ url: string; server: Server }> {
  const { routes, gatewayResponses } = apiFromTemplate(resolver);

  const gatewayError = (res: ServerResponse, type: string, message: string) => {
    const response =
      gatewayResponses.get(type) ??
      gatewayResponses.get(type.startsWith('DEFAULT_5') ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
    const status = response?.status ?? 500;
    const body = (response?.template ?? '{"message":$context.error.messageString}').replaceAll(
      '$context.error.messageString',
      JSON.stringify(message)
    );
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_REQUEST_BYTES)
        return gatewayError(res, 'REQUEST_TOO_LARGE', 'Request Too Long');
      chunks.push(chunk as Buffer);
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const found = match(routes, method, url.pathname);
    if (!found)
      return gatewayError(res, 'MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [
        name,
        Array.isArray(value) ? value.join(',') : (value ?? ''),
      ])
    );
    const stage = 'prod';
    const methodArn = `arn:aws:execute-api:local-1:000000000000:local/${stage}/${method}${found.route.resource}`;
    let authorizerContext: Record<string, unknown> | undefined;
    if (found.route.authorizer) {
      if (!headers[found.route.authorizer.header])
        return gatewayError(res, 'UNAUTHORIZED', 'Unauthorized');
      try {
        const result = (await lambdas.invoke(found.route.authorizer.functionId, {
          type: 'REQUEST',
          methodArn,
          resource: found.route.resource,
          path: url.pathname,
          httpMethod: method,
          headers,
          queryStringParameters: Object.fromEntries(url.searchParams),
          pathParameters: found.params,
        })) as APIGatewayAuthorizerResult;
        const allowed = result.policyDocument.Statement.some(
          (statement) => statement.Effect === 'Allow'
        );
        if (!allowed)
          return gatewayError(
            res,
            'ACCESS_DENIED',
            'User is not authorized to access this resource'
          );
        authorizerContext = { ...result.context, principalId: result.principalId };
      } catch (error) {
        if ((error as Error).message === 'Unauthorized')
          return gatewayError(res, 'UNAUTHORIZED', 'Unauthorized');
        return gatewayError(res, 'AUTHORIZER_FAILURE', 'Authorizer failed');
      }
    }
    const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
    const body = chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : null;
    const event = {
      resource: found.route.resource,
      path: url.pathname,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: query,
      multiValueQueryStringParameters:
        query &&
        Object.fromEntries(
          [...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)])
        ),
      pathParameters: Object.keys(found.params).length > 0 ? found.params : null,
      stageVariables: null,
      requestContext: {
        resourcePath: found.route.resource,
        httpMethod: method,
        path: `/${stage}${url.pathname}`,
        stage,
        requestId: randomUUID(),
        authorizer: authorizerContext,
        identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
      },
      body,
      isBase64Encoded: false,
    };
    try {
      const result = (await lambdas.invoke(found.route.functionId, event)) as APIGatewayProxyResult;
      res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>) });
      res.end(result.body);
    } catch {
      return gatewayError(res, 'DEFAULT_5XX', 'Internal server error');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => gatewayError(res, 'DEFAULT_5XX', 'Internal server error'));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://127.0.0.1:${boundPort}`, server };
}
