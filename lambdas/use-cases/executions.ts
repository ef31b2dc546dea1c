import { v7 as uuidv7 } from 'uuid';
import {
  deleteExecution,
  getExecution,
  insertExecution,
  listExecutionsOfWorkflow,
} from '../adapters/execution-repository.js';
import type { Page } from '../adapters/pagination.js';
import { startRun } from '../adapters/state-machine.js';
import { getWorkflow } from '../adapters/workflow-repository.js';
import type { CreateExecution, Execution, ExecutionStatus } from '../schemas/execution.js';
import {
  ExecutionStartError,
  NoContactWindowError,
  ValidationError,
  WorkflowInactiveError,
} from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { decideNext } from './plan-step.js';

/** A run's state machine lives at most a year; leave the steps room after a late start. */
const MAX_START_DELAY_MS = 180 * 24 * 3600_000;

/**
 * Starts one run of a workflow for one contact.
 * Primary course:
 * 1. Load the workflow (another organization's is not found); an inactive one refuses (409).
 * 2. Snapshot its definition and schedules into the execution, with the first step's
 *    nextRunAt already worked out (no window within the horizon: 409, nothing stored), and
 *    store it.
 * 3. Start the state machine run named after the execution, with that first plan as its input.
 *    If that fails, remove the record: a caller never sees an execution that nothing runs.
 */
export async function createExecution(
  organizationId: string,
  workflowId: string,
  input: CreateExecution,
  now: Date
): Promise<Execution> {
  const workflow = await getWorkflow(organizationId, workflowId);
  if (!workflow.active) throw new WorkflowInactiveError(workflowId);
  if (input.attempt >= workflow.definition.steps.length) {
    throw new ValidationError('Invalid execution', [
      {
        path: 'attempt',
        message: `must be less than the number of steps (${workflow.definition.steps.length})`,
      },
    ]);
  }
  if (input.startAt && Date.parse(input.startAt) > now.getTime() + MAX_START_DELAY_MS) {
    throw new ValidationError('Invalid execution', [
      { path: 'startAt', message: 'must be within 180 days (a run may last at most a year)' },
    ]);
  }
  const timestamp = now.toISOString();
  const draft: Execution = {
    id: uuidv7(),
    organizationId,
    workflowId,
    status: 'CREATED',
    customerLeadId: input.customerLeadId,
    primaryPhone: input.primaryPhone,
    zipcode: input.zipcode,
    state: input.state,
    forwardingPhoneNumber: input.forwardingPhoneNumber,
    variables: input.variables,
    metadata: input.metadata,
    priorityDate: input.priorityDate ?? timestamp,
    startAt: input.startAt,
    stepIndex: input.attempt,
    nextRunAt: null,
    disposition: null,
    definition: workflow.definition,
    timezone: workflow.timezone,
    workflowSchedule: workflow.workflowSchedule,
    tcpaSchedule: workflow.tcpaSchedule,
    attempts: {},
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  const next = decideNext(draft, now);
  if (next.noWindow) throw new NoContactWindowError(next.noWindow);
  if (next.schedule) {
    draft.nextRunAt = next.schedule.nextRunAt;
    draft.schedule = next.schedule;
  }
  await insertExecution(draft);
  try {
    await startRun({ executionId: draft.id, plan: next.plan });
  } catch (error) {
    logger.error('state machine start failed; rolling back the execution', {
      executionId: draft.id,
      error,
    });
    await deleteExecution(draft.id);
    throw new ExecutionStartError(draft.id, { cause: error });
  }
  return draft;
}

export async function getWorkflowExecution(
  organizationId: string,
  workflowId: string,
  executionId: string
): Promise<Execution> {
  await getWorkflow(organizationId, workflowId);
  return getExecution(organizationId, executionId, workflowId);
}

export async function listWorkflowExecutions(
  organizationId: string,
  workflowId: string,
  filter: { status?: ExecutionStatus; customerLeadId?: string },
  options: { limit: number; cursor?: string }
): Promise<Page<Execution>> {
  await getWorkflow(organizationId, workflowId);
  return listExecutionsOfWorkflow(workflowId, filter, options);
}
