import { advanceExecution, markFailed } from '../adapters/execution-writes.js';
import { completeTask } from '../adapters/state-machine.js';
import { findStepExecutionPointer, recordAttemptOutcome } from '../adapters/step-attempts.js';
import type { Disposition } from '../schemas/common.js';
import type { Execution } from '../schemas/execution.js';
import type { Plan } from '../schemas/state-machine.js';
import { attemptKey, type Outcome, type StepAttempt } from '../schemas/step-attempt.js';
import { ConcurrentUpdateError, StepExecutionNotFoundError } from '../shared/errors.js';
import { addLogContext } from '../shared/logger.js';
import { countOutcome } from '../shared/metrics.js';
import { publishOutcome } from './lifecycle-events.js';
import { releaseSlotOf } from './pacing.js';
import {
  assertProgress,
  countDeferrals,
  loadExecution,
  planAfterOutcome,
  scheduleCheck,
} from './plan-step.js';
import { suppressAfterDnc } from './suppressions.js';

export interface OutcomeReport extends Outcome {
  stepExecutionId: string;
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
 * 2. Write the outcome on the attempt item, once (a second report finds it already there).
 * 3. Settle the run: finish it (finishOn or last step) or move it to the next step with that
 *    step's schedule, in one conditional write on the run's state.
 * 4. Complete the task token Dispatch is waiting on with the next plan. A second report is a
 *    no-op that still settles and re-sends the token, so a report that crashed between any two
 *    of these writes can simply be retried.
 * 5. A `DNC` outcome puts the number on the organization's do-not-contact list and cancels its
 *    other active runs in every workflow (again on a retried report).
 */
export async function reportStepOutcome(report: OutcomeReport, now: Date): Promise<OutcomeResult> {
  const pointer = await findStepExecutionPointer(report.stepExecutionId);
  if (!pointer || (report.organizationId && pointer.organizationId !== report.organizationId)) {
    throw new StepExecutionNotFoundError(report.stepExecutionId);
  }
  addLogContext({ executionId: pointer.executionId });
  const key = attemptKey(pointer.stepIndex, pointer.attemptNo);
  const result = await recordOutcome(pointer.executionId, key, report, now, report.stepExecutionId);
  await suppressAfterDnc(result.execution, result.attempt, now, { fromRun: false });
  return result;
}

/**
 * Steps 2 to 4 for an attempt whose run is known: Dispatch reports what its channel answered
 * this way, without looking the attempt up by its id again.
 */
export async function recordOutcome(
  executionId: string,
  key: string,
  outcome: Outcome,
  now: Date,
  /** How a missing attempt is named in the error (the id the caller reported by). */
  reportedId = `${executionId}/${key}`
): Promise<OutcomeResult> {
  const before = await loadExecution(executionId);
  const attempt = before.attempts[key];
  if (!attempt) throw new StepExecutionNotFoundError(reportedId);
  assertProgress(before, attempt.stepIndex);
  const recorded =
    !attempt.disposition && (await recordAttemptOutcome(before.id, attempt, outcome, now));
  if (recorded) countOutcome(outcome.disposition);
  const { execution, plan } = await settleOutcome(before.id, key, now);
  const settled = execution.attempts[key] ?? attempt;
  await completeTask(settled.taskToken, {
    ...plan,
    stepExecutionId: settled.id,
    disposition: settled.disposition,
  });
  // The attempt is over: its pacing slot goes to the next queued run (a retried report finds
  // it given back already).
  await releaseSlotOf(execution, settled.stepIndex, settled.id, now);
  await publishOutcome(execution, settled, now);
  return { execution, attempt: settled, duplicate: !recorded };
}

interface Settled {
  execution: Execution;
  plan: Plan;
}

/**
 * Makes the run reflect the recorded outcome of attempt `key`, idempotently: a run already past
 * that step (or ended, or cancelled) only gets its next plan worked out.
 */
export async function settleOutcome(executionId: string, key: string, now: Date): Promise<Settled> {
  for (let tries = 0; tries < 5; tries++) {
    const execution = await loadExecution(executionId);
    const attempt = execution.attempts[key];
    if (!attempt?.disposition) throw new Error(`Attempt ${key} of ${executionId} has no outcome`);
    const current =
      (execution.status === 'RUNNING' || execution.status === 'PAUSED') &&
      execution.stepIndex === attempt.stepIndex &&
      execution.attemptNo === attempt.attemptNo;
    if (!current) return { execution, plan: scheduleCheck(execution, now).plan };
    const { disposition } = attempt;
    const settled = await advancePast(execution, key, { ...attempt, disposition }, now);
    if (settled) return settled;
    // The run changed since the read (a pause, a cancel, a racing report): read it again.
  }
  throw new ConcurrentUpdateError(`Outcome of ${executionId} attempt ${key}`);
}

/**
 * One conditional write moving the run past the attempt's step, with the next step's schedule;
 * answers the run as stored, or undefined when the write was refused.
 */
async function advancePast(
  execution: Execution,
  key: string,
  attempt: StepAttempt & { disposition: Disposition },
  now: Date
): Promise<Settled | undefined> {
  const { effect, after, next } = planAfterOutcome(execution, key, attempt, now);
  const advance = {
    ...effect,
    stepIndex: attempt.stepIndex,
    attemptNo: attempt.attemptNo,
    disposition: attempt.disposition,
  };
  if (!(await advanceExecution(execution, { ...advance, schedule: next.schedule }, now))) return;
  countDeferrals(next.schedule);
  const stored: Execution = {
    ...after,
    version: execution.version + 1,
    ...(!effect.finished && {
      nextRunAt: next.schedule?.nextRunAt ?? null,
      schedule: next.schedule,
    }),
  };
  if (!next.noWindow || !(await markFailed(stored, next.noWindow, now))) {
    return { execution: stored, plan: next.plan };
  }
  const failed: Execution = {
    ...stored,
    status: 'FAILED',
    error: next.noWindow,
    completedAt: now.toISOString(),
    nextRunAt: null,
    version: stored.version + 1,
  };
  return { execution: failed, plan: next.plan };
}
