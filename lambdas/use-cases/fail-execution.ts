import { findExecutionState } from '../adapters/execution-queries.js';
import { markFailed } from '../adapters/execution-writes.js';
import { isFinished } from '../schemas/execution.js';
import type { FailureInput } from '../schemas/state-machine.js';
import { addLogContext } from '../shared/logger.js';

/** The error text a run ends with: Lambda's JSON error document unwrapped, bounded. */
function describeFailure(input: FailureInput): string {
  const name = input.error?.Error ?? 'Error';
  let cause = input.error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // Cause is not Lambda's JSON error document: keep it as it is.
  }
  return `${name}: ${cause}`.slice(0, 1000);
}

/** The state machine's catch-all: the run ends FAILED with the error that stopped it. */
export async function failExecution(input: FailureInput, now: Date): Promise<void> {
  const error = describeFailure(input);
  for (let tries = 0; tries < 5; tries++) {
    const state = await findExecutionState(input.executionId);
    if (!state || isFinished(state.status)) return;
    addLogContext({ organizationId: state.organizationId, workflowId: state.workflowId });
    if (await markFailed(state, error, now)) return;
  }
  throw new Error(`Could not mark ${input.executionId} failed: it kept changing`);
}
