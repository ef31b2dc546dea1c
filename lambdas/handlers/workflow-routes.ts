import { updateOrganizationSettingsSchema } from '../schemas/organization.js';
import type { WorkflowRoute } from '../schemas/routes.js';
import {
  createWorkflowSchema,
  listWorkflowsQuerySchema,
  updateWorkflowSchema,
} from '../schemas/workflow.js';
import { currentOrganization, updateOrganizationSettings } from '../use-cases/organizations.js';
import { pumpQueue } from '../use-cases/slot-handoff.js';
import {
  createWorkflow,
  deleteWorkflow,
  getWorkflow,
  listOrganizationWorkflows,
  updateWorkflow,
} from '../use-cases/workflows.js';
import { json, parseBody, parseQuery } from './http.js';
import { idParameter, type Route } from './route.js';

/**
 * The key's organization (read, and its pacing settings changed), and workflows: create, list,
 * get, update, delete (which cancels the workflow's active runs).
 */
export const workflowHandlers: Record<WorkflowRoute, Route> = {
  'GET /api/v1/organization': async (_event, org) =>
    json(200, { organization: await currentOrganization(org, new Date()) }),

  'PATCH /api/v1/organization': async (event, org) => {
    const patch = parseBody(event, updateOrganizationSettingsSchema);
    const now = new Date();
    await updateOrganizationSettings(org, patch, now);
    // A raised cap frees slots now: queued runs get them at once, not at the next sweep.
    await Promise.all([pumpQueue(org, 'CALL', now), pumpQueue(org, 'TEXT', now)]);
    return json(200, { organization: await currentOrganization(org, now) });
  },

  'POST /api/v1/workflow': async (event, org) =>
    json(201, await createWorkflow(org, parseBody(event, createWorkflowSchema), new Date())),

  'GET /api/v1/workflow': async (event, org) => {
    const query = parseQuery(event, listWorkflowsQuerySchema);
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
    const cancelledCount = await deleteWorkflow(org, id, new Date());
    return json(200, { message: `Workflow ${id} deleted`, cancelledCount });
  },
};
