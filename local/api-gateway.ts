import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import {
  authorizerEvent,
  decodePathParameters,
  flattenHeaders,
  type GatewayRequest,
  matchRoute,
  proxyEvent,
  type Route,
} from './api-gateway-event.js';
import {
  answerClientError,
  answerTooLarge,
  type GatewayResponses,
  renderGatewayError,
  sendGatewayError,
  trackInFlight,
} from './api-gateway-responses.js';
import type { LambdaRuntime } from './lambda-runtime.js';
import type { TemplateResolver } from './template.js';

/** API Gateway's own payload limit for REST APIs. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

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

interface Gateway {
  routes: Route[];
  responses: GatewayResponses;
  lambdas: LambdaRuntime;
}

/** A request the gateway itself refuses, named by the gateway response type that answers it. */
class GatewayRefusal extends Error {
  constructor(
    readonly type: string,
    message: string
  ) {
    super(message);
    this.name = 'GatewayRefusal';
  }
}

/** The body, or undefined once it passes `limit`; the rest is left for the 413 to drain. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd).off('error', reject).off('close', onClose);
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    // After 'end' this is a no-op; before it, the client went away mid-body.
    const onClose = () => reject(new Error('Request closed before its body ended'));
    req.on('data', onData).once('end', onEnd).once('error', reject).once('close', onClose);
  });
}

function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    throw new GatewayRefusal('BAD_REQUEST_PARAMETERS', 'Malformed request URL');
  }
}

/** The route and its decoded path parameters; both checks come before the key is looked at. */
function routeOf(routes: Route[], request: GatewayRequest) {
  const matched = matchRoute(routes, request.method, request.url.pathname);
  if (!matched)
    throw new GatewayRefusal('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
  const params = decodePathParameters(matched.params);
  if (!params)
    throw new GatewayRefusal('BAD_REQUEST_PARAMETERS', 'Path is not valid percent-encoded UTF-8');
  return { route: matched.route, params };
}

/** Runs the route's REQUEST authorizer; resolves with the context the integration receives. */
async function authorize(
  lambdas: LambdaRuntime,
  request: GatewayRequest,
  route: Route,
  params: Record<string, string>
): Promise<Record<string, unknown> | undefined> {
  const authorizer = route.authorizer;
  if (!authorizer) return undefined;
  if (!request.headers[authorizer.header]) throw new GatewayRefusal('UNAUTHORIZED', 'Unauthorized');
  let result: APIGatewayAuthorizerResult;
  let allowed: boolean;
  try {
    const event = authorizerEvent(request, route, params);
    result = (await lambdas.invoke(authorizer.functionId, event)) as APIGatewayAuthorizerResult;
    allowed = result.policyDocument.Statement.some((statement) => statement.Effect === 'Allow');
  } catch (error) {
    if ((error as Error).message === 'Unauthorized')
      throw new GatewayRefusal('UNAUTHORIZED', 'Unauthorized');
    throw new GatewayRefusal('AUTHORIZER_FAILURE', 'Authorizer failed');
  }
  if (!allowed)
    throw new GatewayRefusal('ACCESS_DENIED', 'User is not authorized to access this resource');
  return { ...result.context, principalId: result.principalId };
}

async function handle(gateway: Gateway, req: IncomingMessage, res: ServerResponse) {
  const body = await readBody(req, MAX_REQUEST_BYTES);
  if (!body) {
    const answer = renderGatewayError(gateway.responses, 'REQUEST_TOO_LARGE', 'Request Too Long');
    return answerTooLarge(req, res, answer);
  }
  const request: GatewayRequest = {
    method: req.method ?? 'GET',
    url: requestUrl(req),
    headers: flattenHeaders(req.headers),
    sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    body: body.length > 0 ? body.toString('utf8') : null,
  };
  const { route, params } = routeOf(gateway.routes, request);
  const authorizer = await authorize(gateway.lambdas, request, route, params);
  const event = proxyEvent(request, route, params, authorizer);
  const result = (await gateway.lambdas.invoke(route.functionId, event)) as APIGatewayProxyResult;
  res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>) });
  res.end(result.body);
}

function answerFailure(res: ServerResponse, responses: GatewayResponses, error: unknown): void {
  // Too late for an envelope: cutting the connection shows the client the answer is broken.
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const refusal =
    error instanceof GatewayRefusal
      ? error
      : new GatewayRefusal('DEFAULT_5XX', 'Internal server error');
  sendGatewayError(res, renderGatewayError(responses, refusal.type, refusal.message));
}

export interface ApiGateway {
  url: string;
  server: Server;
  /** Starts answering; requests that arrived before wait until then. */
  open(): void;
}

/**
 * API Gateway (REST, Lambda proxy) on loopback: the template's routes, its REQUEST authorizer
 * and its gateway responses, so bad keys, unknown routes and huge bodies answer as on AWS.
 * The port is bound at once but requests are held until `open()`.
 */
export async function startApiGateway(
  resolver: TemplateResolver,
  lambdas: LambdaRuntime,
  port: number
): Promise<ApiGateway> {
  const { routes, gatewayResponses: responses } = apiFromTemplate(resolver);
  const gateway: Gateway = { routes, responses, lambdas };
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const server = createServer((req, res) => {
    opened
      .then(() => handle(gateway, req, res))
      .catch((error: unknown) => answerFailure(res, responses, error));
  });
  const busy = trackInFlight(server);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) =>
    answerClientError(error, socket, busy(socket))
  );
  // CONNECT is a proxy request API Gateway never routes: refused in the envelope, not dropped.
  server.on('connect', (_req: IncomingMessage, socket) =>
    answerClientError(Object.assign(new Error('CONNECT'), { code: 'CONNECT' }), socket, false)
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  return { url: `http://127.0.0.1:${boundPort}`, server, open };
}
