import type { APIGatewayProxyEvent } from 'aws-lambda';
import { z } from 'zod';
import { boundedJsonObjectSchema, customIssue } from '../schemas/common.js';
import { MAX_VARIABLES_BYTES, phoneSchema } from '../schemas/execution.js';
import type { ControlRoute } from '../schemas/routes.js';
import { cancelByContact } from '../use-cases/bulk-controls.js';
import {
  type ControlAction,
  controlExecution,
  deleteExecution,
  updateExecutionMetadata,
} from '../use-cases/controls.js';
import { getWorkflowExecution } from '../use-cases/executions.js';
import { json, parseBody } from './http.js';
import { idempotent } from './idempotent.js';
import { presentExecution } from './presenters.js';
import { idParameter, type Route } from './route.js';

/** Feather's update body: a status to move to and/or metadata to replace. */
const updateExecutionSchema = z
  .strictObject({
    status: z
      .enum(['PAUSED', 'RUNNING', 'CANCELLED'], {
        error: 'can be set to PAUSED, RUNNING or CANCELLED',
      })
      .optional(),
    metadata: boundedJsonObjectSchema(MAX_VARIABLES_BYTES).optional(),
  })
  .superRefine((body, ctx) => {
    if (body.status === undefined && body.metadata === undefined)
      customIssue(ctx, [], 'status or metadata is required');
  });

const actionOfStatus = { PAUSED: 'pause', RUNNING: 'resume', CANCELLED: 'cancel' } as const;

/** Exactly one selector: a strict E.164 phone number or a lead id. */
const cancelSelectorSchema = z.union(
  [
    z.strictObject({
      phoneNumber: z
        .string()
        .regex(/^\+[1-9]\d{1,14}$/, { error: 'must be E.164, e.g. +14155550123' })
        .pipe(phoneSchema),
    }),
    z.strictObject({ customerLeadId: z.string().trim().min(1).max(256) }),
  ],
  { error: 'send exactly one of phoneNumber or customerLeadId' }
);

/** The action routes take no body (any content type is accepted and ignored). */
function actionRoute(action: ControlAction): Route {
  const route: Route = async (event, org) => {
    const { execution } = await controlExecution(
      org,
      idParameter(event, 'executionId'),
      action,
      new Date(),
      { workflowId: idParameter(event, 'id') }
    );
    return json(200, presentExecution(execution));
  };
  return action === 'cancel' ? idempotent(0, route) : route;
}

function workflowIdOf(event: APIGatewayProxyEvent): string | undefined {
  return event.pathParameters?.id === undefined ? undefined : idParameter(event, 'id');
}

const cancelByContactRoute: Route = idempotent(0, async (event, org) => {
  const selector = parseBody(event, cancelSelectorSchema);
  const cancelledCount = await cancelByContact(org, selector, new Date(), workflowIdOf(event));
  return json(200, { cancelledCount });
});

/** Pause, resume, cancel (one, by phone, by lead) and delete. */
export const controlHandlers: Record<ControlRoute, Route> = {
  'PUT /api/v1/workflow/{id}/execution/{executionId}': idempotent(0, async (event, org) => {
    const body = parseBody(event, updateExecutionSchema);
    const workflowId = idParameter(event, 'id');
    const executionId = idParameter(event, 'executionId');
    if (body.metadata) await updateExecutionMetadata(org, workflowId, executionId, body.metadata);
    const now = new Date();
    const action = body.status ? actionOfStatus[body.status] : undefined;
    const execution = action
      ? (await controlExecution(org, executionId, action, now, { workflowId })).execution
      : await getWorkflowExecution(org, workflowId, executionId);
    return json(200, presentExecution(execution));
  }),
  'DELETE /api/v1/workflow/{id}/execution/{executionId}': async (event, org) => {
    const executionId = idParameter(event, 'executionId');
    await deleteExecution(org, idParameter(event, 'id'), executionId, new Date());
    return json(200, { message: `Execution ${executionId} deleted` });
  },
  'POST /api/v1/workflow/{id}/execution/{executionId}/pause': actionRoute('pause'),
  'POST /api/v1/workflow/{id}/execution/{executionId}/resume': actionRoute('resume'),
  'POST /api/v1/workflow/{id}/execution/{executionId}/cancel': actionRoute('cancel'),
  'POST /api/v1/workflow/{id}/executions/{executionId}/cancel': actionRoute('cancel'),
  'POST /api/v1/workflow/{id}/executions/cancel': cancelByContactRoute,
  'POST /api/v1/executions/cancel': cancelByContactRoute,
};
