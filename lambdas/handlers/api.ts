import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { z } from 'zod';
import { pageQuerySchema } from '../schemas/common.js';
import {
  createExecutionSchema,
  listExecutionsQuerySchema,
  reportOutcomeSchema,
} from '../schemas/execution.js';
import type { ApiRoute } from '../schemas/routes.js';
import { createWorkflowSchema, updateWorkflowSchema } from '../schemas/workflow.js';
import { config } from '../shared/config.js';
import { RouteNotFoundError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import {
  createExecution,
  getWorkflowExecution,
  listWorkflowExecutions,
} from '../use-cases/executions.js';
import { reportStepOutcome } from '../use-cases/report-outcome.js';
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listOrganizationWorkflows,
  updateWorkflow,
} from '../use-cases/workflows.js';
import {
  errorEnvelope,
  json,
  organizationOf,
  parseBody,
  parseQuery,
  parseWith,
  pathParameter,
} from './http.js';
import { presentExecution, presentExecutionSummary, presentStepExecutions } from './presenters.js';

// A bad configuration value fails the cold start, naming the variable.
config();

type Route = (
  event: APIGatewayProxyEvent,
  organizationId: string
) => Promise<APIGatewayProxyResult>;

const idSchema = z.uuid({ error: 'must be a UUID' });

function idParameter(event: APIGatewayProxyEvent, name: string): string {
  return parseWith(idSchema, pathParameter(event, name), `path parameter ${name}`);
}

/**
 * Routes keyed by API Gateway's resource template, exactly as the REST API declares them
 * (`apiRoutes`), so no second path matcher can disagree with the gateway.
 */
export const routes: Record<ApiRoute, Route> = {
  'POST /api/v1/workflow': async (event, org) =>
    json(201, await createWorkflow(org, parseBody(event, createWorkflowSchema), new Date())),

  'GET /api/v1/workflow': async (event, org) => {
    const query = parseQuery(event, pageQuerySchema);
    const page = await listOrganizationWorkflows(org, query);
    return json(200, {
      workflows: page.items,
      pagination: { limit: query.limit, nextCursor: page.nextCursor },
    });
  },

  'GET /api/v1/workflow/{id}': async (event, org) =>
    json(200, await getWorkflow(org, idParameter(event, 'id'))),

  'PATCH /api/v1/workflow/{id}': async (event, org) =>
    json(
      200,
      await updateWorkflow(
        org,
        idParameter(event, 'id'),
        parseBody(event, updateWorkflowSchema),
        new Date()
      )
    ),

  'DELETE /api/v1/workflow/{id}': async (event, org) => {
    const id = idParameter(event, 'id');
    await deleteWorkflow(org, id);
    return json(200, { message: `Workflow ${id} deleted` });
  },

  'POST /api/v1/workflow/{id}/execution': async (event, org) => {
    const execution = await createExecution(
      org,
      idParameter(event, 'id'),
      parseBody(event, createExecutionSchema),
      new Date()
    );
    return json(201, presentExecution(execution));
  },

  'GET /api/v1/workflow/{id}/executions': async (event, org) => {
    const query = parseQuery(event, listExecutionsQuerySchema);
    const enriched = query.enriched === 'true';
    const page = await listWorkflowExecutions(
      org,
      idParameter(event, 'id'),
      { status: query.status, customerLeadId: query.customerLeadId },
      { limit: query.limit, cursor: query.cursor, enriched }
    );
    return json(200, {
      executions: page.items.map((execution) => presentExecution(execution)),
      pagination: { limit: query.limit, nextCursor: page.nextCursor },
    });
  },

  'GET /api/v1/workflow/{id}/execution/{executionId}': async (event, org) => {
    const execution = await getWorkflowExecution(
      org,
      idParameter(event, 'id'),
      idParameter(event, 'executionId')
    );
    return json(200, presentExecution(execution));
  },

  'POST /api/v1/step-executions/{stepExecutionId}/outcome': async (event, org) => {
    const body = parseBody(event, reportOutcomeSchema);
    const result = await reportStepOutcome(
      { ...body, stepExecutionId: idParameter(event, 'stepExecutionId'), organizationId: org },
      new Date()
    );
    const stepExecution = presentStepExecutions(result.execution).find(
      (step) => step.id === result.attempt.id
    );
    return json(200, {
      duplicate: result.duplicate,
      stepExecution,
      execution: presentExecutionSummary(result.execution),
    });
  },
};

export async function routeRequest(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const route = routes[`${event.httpMethod} ${event.resource}` as ApiRoute];
  if (!route) throw new RouteNotFoundError(event.httpMethod, event.path);
  return route(event, organizationOf(event));
}

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use({ before: async (request) => logger.addContext(request.context) })
  .use(errorEnvelope())
  .handler(routeRequest);
