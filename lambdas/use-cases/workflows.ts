import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { Page, PageOptions } from '../adapters/pagination.js';
import {
  getWorkflow,
  listWorkflows,
  putWorkflow,
  deleteWorkflow as removeWorkflow,
  replaceWorkflow,
} from '../adapters/workflow-repository.js';
import type { CreateWorkflow, Definition, UpdateWorkflow, Workflow } from '../schemas/workflow.js';
import { ValidationError } from '../shared/errors.js';
import { cancelWorkflowRuns } from './bulk-controls.js';

/** Gives every step a stable id; a step sent with an id keeps it. */
function withStepIds(definition: Definition): Workflow['definition'] {
  return {
    ...definition,
    steps: definition.steps.map((step) => ({ ...step, id: step.id ?? uuidv4() })),
  };
}

export async function createWorkflow(
  organizationId: string,
  input: CreateWorkflow,
  now: Date
): Promise<Workflow> {
  const timestamp = now.toISOString();
  const workflow: Workflow = {
    ...input,
    id: uuidv7(),
    organizationId,
    definition: withStepIds(input.definition),
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  await putWorkflow(workflow);
  return workflow;
}

export async function updateWorkflow(
  organizationId: string,
  workflowId: string,
  patch: UpdateWorkflow,
  now: Date
): Promise<Workflow> {
  const current = await getWorkflow(organizationId, workflowId);
  const { id, organizationId: org, createdAt, updatedAt, userId: _userId, ...changes } = patch;
  const readOnly = { id, organizationId: org, createdAt, updatedAt };
  const changed = Object.entries(readOnly).filter(
    ([field, value]) => value !== undefined && value !== current[field as keyof typeof readOnly]
  );
  if (changed.length > 0) {
    throw new ValidationError(
      'Invalid request body: read-only fields cannot change',
      changed.map(([field]) => ({
        path: field,
        message: 'is read-only and differs from the stored value',
      }))
    );
  }
  const defined = Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined)
  ) as Partial<CreateWorkflow>;
  const updated: Workflow = {
    ...current,
    ...defined,
    definition: defined.definition ? withStepIds(defined.definition) : current.definition,
    updatedAt: now.toISOString(),
  };
  await replaceWorkflow(updated);
  return updated;
}

export { getWorkflow };

/** Cancels the workflow's active runs, then deletes it; answers how many runs it cancelled. */
export async function deleteWorkflow(
  organizationId: string,
  workflowId: string,
  now: Date
): Promise<number> {
  await getWorkflow(organizationId, workflowId);
  const cancelled = await cancelWorkflowRuns(organizationId, workflowId, now);
  await removeWorkflow(organizationId, workflowId);
  return cancelled;
}

export function listOrganizationWorkflows(
  organizationId: string,
  options: PageOptions & { active?: boolean }
): Promise<Page<Workflow>> {
  return listWorkflows(organizationId, options);
}
