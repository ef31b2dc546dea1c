import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ApiRoute } from '../schemas/routes.js';
import { config } from '../shared/config.js';
import { RouteNotFoundError } from '../shared/errors.js';
import { addLogContext } from '../shared/logger.js';
import { admitRequest } from '../use-cases/request-limits.js';
import { agentHandlers } from './agent-routes.js';
import { complianceHandlers } from './compliance-routes.js';
import { controlHandlers } from './control-routes.js';
import { executionHandlers } from './execution-routes.js';
import { errorEnvelope, organizationOf } from './http.js';
import { observability } from './observability.js';
import { previewHandlers } from './preview-routes.js';
import type { Route } from './route.js';
import { webhookHandlers } from './webhook-routes.js';
import { workflowHandlers } from './workflow-routes.js';

// A bad configuration value fails the cold start, naming the variable.
config();

/**
 * Routes keyed by API Gateway's resource template, exactly as the REST API declares them
 * (`apiRoutes`), so no second path matcher can disagree with the gateway.
 */
export const routes: Record<ApiRoute, Route> = {
  ...workflowHandlers,
  ...executionHandlers,
  ...controlHandlers,
  ...previewHandlers,
  ...complianceHandlers,
  ...webhookHandlers,
  ...agentHandlers,
};

export async function routeRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const organizationId = organizationOf(event);
  // Every request the organization sends counts, before any work is done for it.
  await admitRequest(organizationId, new Date());
  const route = routes[`${event.httpMethod} ${event.resource}` as ApiRoute];
  if (!route) throw new RouteNotFoundError(event.httpMethod, event.path);
  return route(event, organizationId);
}

/** The caller's organization and the ids the path names, on every log line of the request. */
function logRequestContext(event: APIGatewayProxyEvent): void {
  const organizationId = event.requestContext?.authorizer?.organizationId;
  addLogContext({
    organizationId: typeof organizationId === 'string' ? organizationId : undefined,
    workflowId: event.pathParameters?.id,
    executionId: event.pathParameters?.executionId,
    stepExecutionId: event.pathParameters?.stepExecutionId,
    agentId: event.pathParameters?.agentId,
  });
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(observability())
  .use({ before: async (request) => logRequestContext(request.event) })
  .use(errorEnvelope())
  .handler(routeRequest);
