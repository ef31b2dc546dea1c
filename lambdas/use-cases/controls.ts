import {
  cancelState,
  hideState,
  pauseState,
  recordParkToken,
  replaceMetadata,
  resumeState,
} from '../adapters/execution-control-writes.js';
import { getExecution } from '../adapters/execution-queries.js';
import { unscheduleStart } from '../adapters/start-schedules.js';
import { completeTask, stopRun } from '../adapters/state-machine.js';
import { getWorkflow } from '../adapters/workflow-repository.js';
import { type ControlAction, controlTransition } from '../domain/status-transitions.js';

export type { ControlAction };

import type { Execution, ExecutionState } from '../schemas/execution.js';
import type { DispatchInput } from '../schemas/state-machine.js';
import { ConcurrentUpdateError, ExecutionConflictError } from '../shared/errors.js';
import { publishRunEnded } from './lifecycle-events.js';
import { leaveQueue } from './pacing.js';
import { loadExecution, planExecution } from './plan-step.js';

export type CancelledBy = NonNullable<ExecutionState['cancelledBy']>;

export interface ControlResult {
  execution: Execution;
  /** False when the run was already in the asked-for state (a 200 no-op). */
  changed: boolean;
}

/**
 * Applies a control to one run: the status is written first, with a condition on the status
 * and version it read (a claim, an outcome or another control racing it is re-read, never
 * half-applied), then the state machine is told: a cancel stops it, a resume releases the parked
 * token. A pause needs no signal: Dispatch finds the run paused and parks it.
 */
export async function controlExecution(
  organizationId: string,
  executionId: string,
  action: ControlAction,
  now: Date,
  options: {
    workflowId?: string;
    cancelledBy?: CancelledBy;
    /** Stored as the run's `error`: why it was cancelled. */
    reason?: string;
    fromRun?: boolean;
  } = {}
): Promise<ControlResult> {
  if (options.workflowId) await getWorkflow(organizationId, options.workflowId);
  for (let tries = 0; tries < 5; tries++) {
    const execution = await getExecution(organizationId, executionId, options.workflowId);
    const transition = controlTransition(execution.status, action);
    if (transition.kind === 'conflict') throw new ExecutionConflictError(action, transition.reason);
    if (transition.kind === 'noop') return { execution, changed: false };
    if (!(await write(execution, action, options, now))) continue;
    // From inside the run (Dispatch), the run ends by itself on its next plan.
    if (!options.fromRun) await signal(execution, action);
    // A cancelled run waiting for a pacing slot leaves the queue now, not when its turn comes.
    if (action === 'cancel') await leaveQueue(execution, now);
    const controlled = await loadExecution(executionId);
    await publishRunEnded(controlled, now);
    return { execution: controlled, changed: true };
  }
  throw new ConcurrentUpdateError(`${action} of execution ${executionId}`);
}

function write(
  execution: Execution,
  action: ControlAction,
  options: { cancelledBy?: CancelledBy; reason?: string },
  now: Date
) {
  if (action === 'pause') return pauseState(execution, now);
  if (action === 'resume') return resumeState(execution, now);
  return cancelState(execution, options.cancelledBy ?? 'api', now, options.reason);
}

async function signal(before: Execution, action: ControlAction): Promise<void> {
  if (action === 'cancel') {
    // Not started yet (a start ahead, perhaps on a schedule): the schedule goes, so it never starts.
    if (before.startAt && Date.parse(before.startAt) > Date.now()) await unscheduleStart(before.id);
    await stopRun(before.id, 'Cancelled through the API');
  } else if (action === 'resume' && before.parkToken) {
    // Parked: hand the state machine its next plan now. Not parked yet: Park finds it resumed.
    const now = new Date();
    const plan = await planExecution(await loadExecution(before.id), now);
    await completeTask(before.parkToken, { ...plan, notNow: 'resumed' });
  }
}

/** `PUT .../execution/{id}` with new metadata: replaces it (status changes go through controls). */
export async function updateExecutionMetadata(
  organizationId: string,
  workflowId: string,
  executionId: string,
  metadata: Record<string, unknown>
): Promise<void> {
  await getExecution(organizationId, executionId, workflowId);
  await replaceMetadata(executionId, metadata);
}

/** Cancels a run if it is still active, then hides it from reads and lists. */
export async function deleteExecution(
  organizationId: string,
  workflowId: string,
  executionId: string,
  now: Date
): Promise<void> {
  for (let tries = 0; tries < 5; tries++) {
    const execution = await getExecution(organizationId, executionId, workflowId);
    if (controlTransition(execution.status, 'cancel').kind === 'change') {
      await controlExecution(organizationId, executionId, 'cancel', now, { workflowId });
      continue;
    }
    if (await hideState(execution, now)) return;
  }
  throw new ConcurrentUpdateError(`delete of execution ${executionId}`);
}

/**
 * The Park task: holds the state machine's token on the run until a resume completes it. A run
 * resumed (or cancelled) before its token could be stored moves on at once.
 */
export async function parkExecution(input: DispatchInput, now: Date): Promise<void> {
  for (let tries = 0; tries < 5; tries++) {
    const execution = await loadExecution(input.executionId);
    if (execution.status !== 'PAUSED') {
      const plan = await planExecution(execution, now);
      await completeTask(input.taskToken, { ...plan, notNow: `execution is ${execution.status}` });
      return;
    }
    if (await recordParkToken(execution, input.taskToken)) return;
  }
  throw new ConcurrentUpdateError(`park of execution ${input.executionId}`);
}
