import { v4 as uuidv4, v7 as uuidv7 } from 'uuid';
import type { Page } from '../adapters/pagination.js';
import {
  getWorkflow,
  listWorkflows,
  putWorkflow,
  deleteWorkflow as removeWorkflow,
  replaceWorkflow,
} from '../adapters/workflow-repository.js';
import type { CreateWorkflow, Definition, UpdateWorkflow, Workflow } from '../schemas/workflow.js';
import { cancelWorkflowRuns } from './bulk-controls.js';

/** Gives every step a stable id; a step sent with an id keeps it. */
function withStepIds(definition: Definition): Workflow['definition'] {
  return { steps: definition.steps.map((step) => ({ ...step, id: step.id ?? uuidv4() })) };
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
  const updated: Workflow = {
    ...current,
    ...patch,
    definition: patch.definition ? withStepIds(patch.definition) : current.definition,
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
  options: { limit: number; cursor?: string }
): Promise<Page<Workflow>> {
  return listWorkflows(organizationId, options);
}
