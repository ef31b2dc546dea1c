import {
  findExecution,
  findStepExecutionPointer,
  recordOutcome,
} from '../adapters/execution-repository.js';
import { completeTask } from '../adapters/state-machine.js';
import { applyOutcome } from '../domain/step-progression.js';
import type { Disposition } from '../schemas/common.js';
import type { Execution, StepAttempt } from '../schemas/execution.js';
import { StepExecutionNotFoundError } from '../shared/errors.js';

export interface OutcomeReport {
  stepExecutionId: string;
  disposition: Disposition;
  agentCall?: StepAttempt['agentCall'];
  error?: string;
  /** Set for reports that come through the API: only that organization's steps are visible. */
  organizationId?: string;
}

export interface OutcomeResult {
  execution: Execution;
  attempt: StepAttempt;
  /** True when the attempt already had an outcome: nothing changed. */
  duplicate: boolean;
}

/**
 * Records what happened on a step attempt and lets the state machine move on.
 * Primary course:
 * 1. Find the attempt through its step execution id (another organization's id is not found).
 * 2. Write the disposition once; in the same conditional write, finish the run (finishOn or
 *    last step) or advance it — unless it was cancelled or moved on meanwhile.
 * 3. Complete the task token Dispatch is waiting on. A second report is a no-op, but it still
 *    re-sends the token, so a report that crashed between steps 2 and 3 can be retried.
 */
export async function reportStepOutcome(
  report: OutcomeReport,
  now = new Date()
): Promise<OutcomeResult> {
  const pointer = await findStepExecutionPointer(report.stepExecutionId);
  if (!pointer || (report.organizationId && pointer.organizationId !== report.organizationId)) {
    throw new StepExecutionNotFoundError(report.stepExecutionId);
  }
  for (let tries = 0; tries < 3; tries++) {
    const execution = await findExecution(pointer.executionId);
    const attempt = execution?.attempts[pointer.key];
    if (!execution || !attempt) throw new StepExecutionNotFoundError(report.stepExecutionId);
    if (attempt.disposition) {
      await completeTask(attempt.taskToken, {
        stepExecutionId: attempt.id,
        disposition: attempt.disposition,
      });
      return { execution, attempt, duplicate: true };
    }
    const live =
      (execution.status === 'RUNNING' || execution.status === 'PAUSED') &&
      execution.stepIndex === attempt.stepIndex;
    const effect = applyOutcome(execution, attempt.stepIndex, report.disposition);
    const written = await recordOutcome(execution.id, {
      key: pointer.key,
      stepIndex: attempt.stepIndex,
      disposition: report.disposition,
      agentCall: report.agentCall,
      error: report.error,
      advance: live ? effect : undefined,
      now,
    });
    if (written) {
      await completeTask(attempt.taskToken, {
        stepExecutionId: attempt.id,
        disposition: report.disposition,
      });
      const updated = (await findExecution(execution.id)) ?? execution;
      return {
        execution: updated,
        attempt: updated.attempts[pointer.key] ?? attempt,
        duplicate: false,
      };
    }
    // The execution changed between the read and the write (a cancel, a racing report): re-read.
  }
  throw new Error(`Outcome for ${report.stepExecutionId} kept conflicting with concurrent updates`);
}
