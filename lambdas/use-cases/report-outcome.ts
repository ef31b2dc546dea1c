import {
  findExecution,
  findStepExecutionPointer,
  markFailed,
  recordOutcome,
} from '../adapters/execution-repository.js';
import { completeTask } from '../adapters/state-machine.js';
import { applyOutcome, executionAfterOutcome } from '../domain/step-progression.js';
import type { Disposition } from '../schemas/common.js';
import type { Execution, StepAttempt } from '../schemas/execution.js';
import { StepExecutionNotFoundError } from '../shared/errors.js';
import { decideNext, planExecution } from './plan-step.js';

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
 * 2. Plan what comes next on the execution as it will be once the outcome is in.
 * 3. Write the disposition once; in the same conditional write, finish the run (finishOn or
 *    last step) or advance it with the next step's schedule — unless it was cancelled or moved
 *    on meanwhile.
 * 4. Complete the task token Dispatch is waiting on with that plan. A second report is a no-op,
 *    but it still re-sends the token, so a report that crashed between 3 and 4 can be retried.
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
      const plan = await planExecution(execution, now);
      await completeTask(attempt.taskToken, {
        ...plan,
        stepExecutionId: attempt.id,
        disposition: attempt.disposition,
      });
      return { execution, attempt, duplicate: true };
    }
    const live =
      (execution.status === 'RUNNING' || execution.status === 'PAUSED') &&
      execution.stepIndex === attempt.stepIndex;
    const effect = live
      ? applyOutcome(execution, attempt.stepIndex, report.disposition)
      : undefined;
    const after = executionAfterOutcome(execution, pointer.key, report, effect, now);
    const next = decideNext(after, now);
    const written = await recordOutcome(execution.id, {
      key: pointer.key,
      stepIndex: attempt.stepIndex,
      disposition: report.disposition,
      agentCall: report.agentCall,
      error: report.error,
      advance: effect && { ...effect, schedule: next.schedule },
      now,
    });
    if (written) {
      if (next.noWindow) await markFailed(execution.id, next.noWindow, now);
      await completeTask(attempt.taskToken, {
        ...next.plan,
        stepExecutionId: attempt.id,
        disposition: report.disposition,
      });
      return {
        execution: after,
        attempt: after.attempts[pointer.key] ?? attempt,
        duplicate: false,
      };
    }
    // The execution changed between the read and the write (a cancel, a racing report): re-read.
  }
  throw new Error(`Outcome for ${report.stepExecutionId} kept conflicting with concurrent updates`);
}
