import { findExecution } from '../adapters/execution-queries.js';
import { markFailed, recordSchedule } from '../adapters/execution-writes.js';

import { decideNext, type NextDecision } from '../domain/next-step.js';
import {
  applyOutcome,
  executionAfterOutcome,
  type OutcomeEffect,
  type ScheduleOptions,
} from '../domain/step-progression.js';
import { ruleOfDeferral } from '../domain/window-explanations.js';
import type { Disposition } from '../schemas/common.js';
import type { Execution, ScheduleDecision } from '../schemas/execution.js';
import type { Plan } from '../schemas/state-machine.js';
import type { StepAttempt } from '../schemas/step-attempt.js';
import { config } from '../shared/config.js';
import { ExecutionNotFoundError, ExecutionRegressedError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { countDeferral } from '../shared/metrics.js';
import { publishRunEnded } from './lifecycle-events.js';

export async function loadExecution(executionId: string): Promise<Execution> {
  const execution = await findExecution(executionId);
  if (!execution) throw new ExecutionNotFoundError(executionId);
  return execution;
}

/**
 * Progress only moves forward. The state machine (or an attempt item, written once and never
 * removed) knowing of a later step than the stored state means the state went back in time;
 * planning from it would contact an earlier step again, so the run stops loudly instead.
 */
export function assertProgress(execution: Execution, stepIndex: number): void {
  const furthest = Math.max(
    stepIndex,
    ...Object.values(execution.attempts).map((attempt) => attempt.stepIndex)
  );
  // An attempt of the current step later than the stored one: the retry count went back.
  const laterAttempt = Object.values(execution.attempts).some(
    (attempt) =>
      attempt.stepIndex === execution.stepIndex && attempt.attemptNo > execution.attemptNo
  );
  // A run is CREATED only until its first claim, which precedes every attempt item.
  const unclaimed = execution.status === 'CREATED' && Object.keys(execution.attempts).length > 0;
  if (furthest <= execution.stepIndex && !laterAttempt && !unclaimed) return;
  const detail = unclaimed
    ? 'stored as CREATED, but a step was already claimed'
    : laterAttempt
      ? `stored at attempt ${execution.attemptNo} of step ${execution.stepIndex}, but a later attempt exists`
      : `stored at step ${execution.stepIndex}, but step ${furthest} was already reached`;
  logger.error('execution record regressed', {
    executionId: execution.id,
    storedStepIndex: execution.stepIndex,
    reachedStepIndex: furthest,
    version: execution.version,
  });
  throw new ExecutionRegressedError(execution.id, detail);
}

/** Stores a decision: nextRunAt and its reasons, or the failure when no window exists. */
export async function storeDecision(
  execution: Execution,
  next: NextDecision,
  now: Date
): Promise<void> {
  // A refused write means the run changed meanwhile; whoever changed it stored its own plan.
  if (next.noWindow) {
    if (await markFailed(execution, next.noWindow, now))
      await publishRunEnded({ ...execution, status: 'FAILED', error: next.noWindow }, now);
  } else if (next.schedule && (await recordSchedule(execution, next.schedule, now)))
    countDeferrals(next.schedule);
}

/** Counts each schedule rule that pushed a stored decision's step later. */
export function countDeferrals(schedule: ScheduleDecision | undefined): void {
  for (const line of schedule?.deferredBy ?? []) countDeferral(ruleOfDeferral(line));
}

/** This deployment's schedule options (STATE_CALLING_RULES). */
export function scheduleOptions(): ScheduleOptions {
  return { stateLaw: config().STATE_CALLING_RULES === 'enforced' };
}

/** The schedule check with this deployment's dispatch spread (DISPATCH_SPREAD_SECONDS). */
export function scheduleCheck(execution: Execution, now: Date): NextDecision {
  return decideNext(execution, now, config().DISPATCH_SPREAD_SECONDS * 1000, scheduleOptions());
}

export interface PlanAfterOutcome {
  effect: OutcomeEffect;
  /** The run once the outcome is recorded and the run moved on (or finished). */
  after: Execution;
  /** The schedule check on `after`: the next step's plan. */
  next: NextDecision;
}

/**
 * What an outcome of attempt `key` does to the run and what comes next, before anything is
 * written: the outcome report stores exactly this, and the launch preview follows it in memory.
 */
export function planAfterOutcome(
  execution: Execution,
  key: string,
  attempt: StepAttempt & { disposition: Disposition },
  now: Date
): PlanAfterOutcome {
  const effect = applyOutcome(execution, attempt.stepIndex, attempt.disposition);
  const after = executionAfterOutcome(execution, key, attempt, effect, now);
  return { effect, after, next: scheduleCheck(after, now) };
}

/** A reason the step may not run before `until`, whatever the schedules allow. */
export interface Deferral {
  until: Date;
  reason: string;
}

/** The schedule check from `until` on, with the deferral named first among the reasons. */
export function deferredCheck(execution: Execution, now: Date, deferral: Deferral): NextDecision {
  const next = scheduleCheck(execution, deferral.until);
  if (!next.schedule) return next;
  const { deferredBy } = next.schedule;
  return {
    ...next,
    schedule: {
      ...next.schedule,
      deferredBy: [deferral.reason, ...deferredBy],
      decidedAt: now.toISOString(),
    },
  };
}

/** Decides what comes next for the run as it is (held back by `deferral`, if any), and stores it. */
export async function planExecution(
  execution: Execution,
  now: Date,
  deferral?: Deferral
): Promise<Plan> {
  const next = deferral ? deferredCheck(execution, now, deferral) : scheduleCheck(execution, now);
  await storeDecision(execution, next, now);
  return next.plan;
}
