import { findExecutionState } from '../adapters/execution-queries.js';
import { markFailed } from '../adapters/execution-writes.js';
import { type ExecutionStatus, isFinished } from '../schemas/execution.js';
import type { FailureInput } from '../schemas/state-machine.js';
import { addLogContext } from '../shared/logger.js';
import { publishRunEnded } from './lifecycle-events.js';
import { releaseSlotOfRun } from './pacing.js';

/** Bounds an error text stored on a run. */
export const MAX_ERROR_LENGTH = 1000;

/** A cause as a person reads it: Lambda's JSON error document becomes its message. */
export function unwrapCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // Cause is not Lambda's JSON error document: keep it as it is.
  }
  return cause;
}

/** The error text a run ends with: the error's name and its cause, bounded. */
function describeFailure(error: FailureInput['error']): string {
  return `${error?.Error ?? 'Error'}: ${unwrapCause(error?.Cause ?? '')}`.slice(
    0,
    MAX_ERROR_LENGTH
  );
}

export interface FailRunResult {
  /** True when this call ended the run. */
  failed: boolean;
  /** The status it found: undefined when no such run is stored. */
  status?: ExecutionStatus;
}

/**
 * Ends an active run FAILED with `error`. A run that already ended (or was never stored) is
 * left as it is, so a repeat is a no-op; a write that lost a race (version) is re-read.
 */
export async function failRun(
  executionId: string,
  error: string,
  now: Date
): Promise<FailRunResult> {
  for (let tries = 0; tries < 5; tries++) {
    const state = await findExecutionState(executionId);
    if (!state || isFinished(state.status)) return { failed: false, status: state?.status };
    addLogContext({ organizationId: state.organizationId, workflowId: state.workflowId });
    if (await markFailed(state, error, now)) {
      // Its slot, if its attempt held one, is free now, not at its lease end.
      await releaseSlotOfRun(state);
      await publishRunEnded({ ...state, status: 'FAILED', error }, now);
      return { failed: true, status: state.status };
    }
  }
  throw new Error(`Could not mark ${executionId} failed: it kept changing`);
}

/** The state machine's catch-all: the run ends FAILED with the error that stopped it. */
export async function failExecution(input: FailureInput, now: Date): Promise<void> {
  await failRun(input.executionId, describeFailure(input.error), now);
}
