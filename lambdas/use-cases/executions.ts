import { v7 as uuidv7 } from 'uuid';
import { indexRunContact } from '../adapters/contact-index.js';
import {
  type ExecutionFilter,
  findExecution,
  getExecution,
  listExecutionsOfWorkflow,
} from '../adapters/execution-queries.js';
import { insertExecution } from '../adapters/execution-writes.js';
import type { Page, PageOptions } from '../adapters/pagination.js';
import { type PendingStart, pendingStartFor, putPendingStart } from '../adapters/pending-starts.js';
import { snapshotIdOf } from '../adapters/snapshots.js';
import { getWorkflow } from '../adapters/workflow-repository.js';
import {
  type CreateExecution,
  type DefinitionSnapshot,
  type Execution,
  type ExecutionState,
  snapshotOf,
} from '../schemas/execution.js';
import type { Workflow } from '../schemas/workflow.js';
import { NoContactWindowError, ValidationError, WorkflowInactiveError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { countExecutionCreated } from '../shared/metrics.js';
import { launchRun } from './launch-run.js';
import { publishRunCreated } from './lifecycle-events.js';
import { countDeferrals, scheduleCheck } from './plan-step.js';
import { assertNotSuppressed } from './suppressions.js';

/**
 * A start more than 15 minutes ahead is made by a one-time schedule, so the run's state machine
 * execution (which lives at most a year) begins only then: a start may lie a year ahead.
 */
const MAX_START_DELAY_MS = 365 * 24 * 3600_000;

/**
 * Starts one run of a workflow for one contact.
 * Primary course:
 * 1. Load the workflow (another organization's is not found); an inactive one refuses (409),
 *    and so does a number on the organization's do-not-contact list (400 on primaryPhone).
 * 2. Build the run on a snapshot of the workflow, with the first step's nextRunAt already
 *    worked out (no window within the horizon: 409, nothing stored).
 * 3. Write a pending-start marker, the phone and lead pointers (so a cancel by phone or lead
 *    answered after this create sees the run), then the run's items, then start its run
 *    (named after the execution) and remove the marker. If anything dies after the marker,
 *    the sweep (start-pending-runs.ts) starts the run: a stored run always starts, exactly once.
 */
export async function createExecution(
  organizationId: string,
  workflowId: string,
  input: CreateExecution,
  now: Date,
  /** Reserved by an idempotency key: a retry converges on the run its first attempt stored. */
  executionId?: string
): Promise<Execution> {
  const workflow = await getWorkflow(organizationId, workflowId);
  const stored = await storeExecution(organizationId, workflow, input, now, executionId);
  if (stored.pending) await startStoredRun(stored.pending);
  return stored.execution;
}

export interface StoredExecution {
  execution: Execution;
  /** Set when this call stored the run: its start is still to be made. */
  pending?: PendingStart;
}

/** Steps 2 and 3 up to the start: the run is stored and will start, now or by the sweep. */
export async function storeExecution(
  organizationId: string,
  workflow: Workflow,
  input: CreateExecution,
  now: Date,
  executionId?: string
): Promise<StoredExecution> {
  if (executionId) {
    const stored = await findExecution(executionId);
    if (stored) return { execution: stored };
  }
  if (!workflow.active) throw new WorkflowInactiveError(workflow.id);
  await assertNotSuppressed(organizationId, input.primaryPhone);
  const draft = draftExecution(organizationId, workflow, input, now, executionId);
  const next = scheduleCheck(draft, now);
  if (next.noWindow) throw new NoContactWindowError(next.noWindow);
  if (next.schedule) {
    draft.nextRunAt = next.schedule.nextRunAt;
    draft.schedule = next.schedule;
  }
  const pending = pendingStartFor(
    { executionId: draft.id, plan: next.plan },
    draft.createdAt,
    draft.startAt
  );
  await putPendingStart(pending);
  await indexRunContact(draft);
  if (!(await insertExecution(draft))) {
    // The same reserved id, stored by a concurrent retry: that run stands.
    return { execution: (await findExecution(draft.id)) ?? draft };
  }
  countExecutionCreated();
  countDeferrals(draft.schedule);
  await publishRunCreated(draft, now);
  return { execution: draft, pending };
}

/**
 * The run a lead would start, in memory and not yet planned: what creation stores and what the
 * launch preview plans, so both follow the same run. A lead the workflow cannot start (a first
 * step past the last, a start more than a year ahead) is a ValidationError naming the field.
 */
export function draftExecution(
  organizationId: string,
  workflow: Workflow,
  input: CreateExecution,
  now: Date,
  executionId?: string
): Execution {
  assertStartable(workflow, input, now);
  return newExecution(organizationId, workflow, input, now, executionId);
}

function assertStartable(workflow: Workflow, input: CreateExecution, now: Date): void {
  const steps = workflow.definition.steps.length;
  if (input.attempt >= steps) {
    throw new ValidationError('Invalid execution', [
      { path: 'attempt', message: `must be less than the number of steps (${steps})` },
    ]);
  }
  if (input.startAt && Date.parse(input.startAt) > now.getTime() + MAX_START_DELAY_MS) {
    throw new ValidationError('Invalid execution', [
      { path: 'startAt', message: 'must be within a year' },
    ]);
  }
}

function newExecution(
  organizationId: string,
  workflow: Workflow,
  input: CreateExecution,
  now: Date,
  id: string = uuidv7()
): Execution {
  const timestamp = now.toISOString();
  const snapshot: DefinitionSnapshot = snapshotOf(workflow);
  return {
    id,
    organizationId,
    workflowId: workflow.id,
    snapshotId: snapshotIdOf(snapshot),
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
    attemptNo: 1,
    nextRunAt: null,
    disposition: null,
    version: 1,
    ...snapshot,
    attempts: {},
    createdAt: timestamp,
    updatedAt: timestamp,
  };
}

/** Launches a stored run; a failure is left to the sweep, which retries until it starts. */
export async function startStoredRun(pending: PendingStart): Promise<void> {
  try {
    await launchRun(pending, new Date());
  } catch (error) {
    logger.warn('run start not confirmed; the start sweep will start it', {
      executionId: pending.input.executionId,
      error,
    });
  }
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
  filter: ExecutionFilter,
  options: PageOptions & { enriched: boolean }
): Promise<Page<ExecutionState | Execution>> {
  await getWorkflow(organizationId, workflowId);
  const page = await listExecutionsOfWorkflow(workflowId, filter, options);
  if (!options.enriched) return page;
  // The list index holds only run states; an enriched page reads each run whole.
  const items = await Promise.all(
    page.items.map((state) => getExecution(organizationId, state.id, workflowId))
  );
  return { items, nextCursor: page.nextCursor };
}
