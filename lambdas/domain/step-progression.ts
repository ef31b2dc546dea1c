import type { Disposition } from '../schemas/common.js';
import { type Execution, isFinished } from '../schemas/execution.js';
import { attemptKey, type Outcome, type StepAttempt } from '../schemas/step-attempt.js';
import { noContactDispositions } from '../schemas/workflow.js';
import {
  channelOf,
  complianceLayers,
  emergencyStopOf,
  type ScheduleOptions,
} from './compliance-layers.js';
import type { ScheduleLayer } from './contact-window.js';
import { candidatesOf } from './recipient-zones.js';

export type { ScheduleOptions };

import { nextAllowedInstant } from './window-engine.js';

/**
 * No single Wait lasts longer than this; Dispatch then finds it is "not now" and the run waits
 * again. Keeps every Wait far below the local engine's 24.8-day timer limit.
 */
export const MAX_WAIT_MS = 7 * 24 * 3600_000;

/** How far ahead the schedule check looks for a window before declaring that none exists. */
export const WINDOW_HORIZON_DAYS = 14;

/** A run held by an emergency stop looks again this often (a stop is lifted by a person). */
export const EMERGENCY_RECHECK_MS = 3600_000;

export type PlanDecision =
  | { action: 'FINISH'; reason: string }
  | {
      action: 'STEP';
      stepIndex: number;
      dueAt: Date;
      nextRunAt: Date;
      /** When the state machine's Wait ends: nextRunAt, capped to MAX_WAIT_MS from now. */
      waitUntil: Date;
      /** When the window that nextRunAt falls in closes. */
      windowClosesAt: Date;
      deferredBy: string[];
    }
  | { action: 'NO_WINDOW'; stepIndex: number; dueAt: Date; deferredBy: string[] }
  /** An emergency stop covers one of the run's candidate states: it waits, then looks again. */
  | { action: 'BLOCKED'; stepIndex: number; dueAt: Date; waitUntil: Date; deferredBy: string[] };

/** Every schedule and rule the current step must satisfy, recipient zones and states included. */
export function scheduleLayers(
  execution: Execution,
  options: ScheduleOptions = {}
): ScheduleLayer[] {
  const step = execution.definition.steps[execution.stepIndex];
  return complianceLayers({
    workflowSchedule: execution.workflowSchedule,
    timezone: execution.timezone,
    tcpaSchedule: execution.tcpaSchedule,
    needsTCPACompliance: step?.needsTCPACompliance !== false,
    channel: channelOf(step?.type ?? 'CALL'),
    candidates: candidatesOf(execution),
    stateLaw: options.stateLaw !== false,
  });
}

export function latestAttempt(execution: Execution, stepIndex: number): StepAttempt | undefined {
  return Object.values(execution.attempts)
    .filter((attempt) => attempt.stepIndex === stepIndex)
    .sort((a, b) => b.attemptNo - a.attemptNo)[0];
}

/**
 * When the current step becomes due: its delay after the previous step ended, or after the
 * execution's start (`startAt`, else creation) for the first step this execution runs.
 */
export function stepDueAt(execution: Execution, stepIndex: number): Date {
  const step = execution.definition.steps[stepIndex];
  if (!step) throw new Error(`Execution ${execution.id} has no step ${stepIndex}`);
  // A further attempt of the same step follows the one before it; a first attempt follows the
  // previous step's last attempt.
  const retrying = stepIndex === execution.stepIndex && execution.attemptNo > 1;
  const previous = retrying
    ? execution.attempts[attemptKey(stepIndex, execution.attemptNo - 1)]
    : latestAttempt(execution, stepIndex - 1);
  const base = previous?.completedAt ?? execution.startAt ?? execution.createdAt;
  return new Date(new Date(base).getTime() + step.delayInSecs * 1000);
}

/**
 * The schedule-check: what the state machine does next for this execution. `blockedStates`
 * are the organization's emergency stops (state codes).
 */
export function planNextStep(
  execution: Execution,
  now: Date,
  options: ScheduleOptions = {}
): PlanDecision {
  if (isFinished(execution.status)) {
    return { action: 'FINISH', reason: `execution is ${execution.status}` };
  }
  const stepIndex = execution.stepIndex;
  if (stepIndex >= execution.definition.steps.length) {
    return { action: 'FINISH', reason: 'no steps left' };
  }
  const dueAt = stepDueAt(execution, stepIndex);
  const stop = emergencyStopOf(execution, options.blockedStates ?? []);
  if (stop) {
    const waitUntil = new Date(Math.max(now.getTime() + EMERGENCY_RECHECK_MS, dueAt.getTime()));
    return { action: 'BLOCKED', stepIndex, dueAt, waitUntil, deferredBy: [stop] };
  }
  const from = dueAt > now ? dueAt : now;
  const decision = nextAllowedInstant(
    scheduleLayers(execution, options),
    from,
    WINDOW_HORIZON_DAYS
  );
  if (!decision.at || !decision.closesAt)
    return { action: 'NO_WINDOW', stepIndex, dueAt, deferredBy: decision.deferredBy };
  const cap = new Date(now.getTime() + MAX_WAIT_MS);
  return {
    action: 'STEP',
    stepIndex,
    dueAt,
    nextRunAt: decision.at,
    waitUntil: decision.at < cap ? decision.at : cap,
    windowClosesAt: decision.closesAt,
    deferredBy: decision.deferredBy,
  };
}

export type DispatchCheck = { ok: true; windowClosesAt: Date } | { ok: false; reason: string };

/**
 * Dispatch's re-check at the moment of contact: a Wait may have lasted days, the execution
 * may have been paused or cancelled, or the wait may have been capped short of the window.
 */
export function checkDispatch(
  execution: Execution,
  stepIndex: number,
  now: Date,
  options: ScheduleOptions = {}
): DispatchCheck {
  // CREATED until the first claim: a run that has not contacted anyone yet.
  if (execution.status !== 'RUNNING' && execution.status !== 'CREATED')
    return { ok: false, reason: `execution is ${execution.status}` };
  if (execution.stepIndex !== stepIndex) {
    return {
      ok: false,
      reason: `step ${stepIndex} is no longer current (now ${execution.stepIndex})`,
    };
  }
  const decision = planNextStep(execution, now, options);
  if (decision.action === 'BLOCKED') return { ok: false, reason: decision.deferredBy.join('; ') };
  if (decision.action !== 'STEP') return { ok: false, reason: 'no allowed window' };
  if (decision.nextRunAt.getTime() > now.getTime()) {
    return { ok: false, reason: `not allowed before ${decision.nextRunAt.toISOString()}` };
  }
  return { ok: true, windowClosesAt: decision.windowClosesAt };
}

export interface OutcomeEffect {
  /** The execution ends with this outcome. */
  finished: boolean;
  nextStepIndex: number;
  /** The attempt of `nextStepIndex` that runs next (1 unless the step is tried again). */
  nextAttemptNo: number;
  reason: 'finishOn' | 'retry' | 'lastStep' | 'next';
}

/**
 * What a reported disposition does to the run: finishOn ends it; an attempt that reached
 * nobody is tried again while the step's `count` allows; else the next step runs (or the run
 * ends after the last one). The attempt is the run's current one.
 */
export function applyOutcome(
  execution: Execution,
  stepIndex: number,
  disposition: Disposition
): OutcomeEffect {
  const step = execution.definition.steps[stepIndex];
  if (step?.finishOn.includes(disposition)) {
    return {
      finished: true,
      nextStepIndex: stepIndex,
      nextAttemptNo: execution.attemptNo,
      reason: 'finishOn',
    };
  }
  const reachedNobody = (noContactDispositions as readonly string[]).includes(disposition);
  if (step && reachedNobody && execution.attemptNo < step.count) {
    return {
      finished: false,
      nextStepIndex: stepIndex,
      nextAttemptNo: execution.attemptNo + 1,
      reason: 'retry',
    };
  }
  const nextStepIndex = stepIndex + 1;
  if (nextStepIndex >= execution.definition.steps.length) {
    return { finished: true, nextStepIndex, nextAttemptNo: 1, reason: 'lastStep' };
  }
  return { finished: false, nextStepIndex, nextAttemptNo: 1, reason: 'next' };
}

/**
 * The execution as it is once an outcome is recorded (and, with `effect`, the run moved on):
 * the same change the outcome writes make, so the next step can be planned before they run.
 */
export function executionAfterOutcome(
  execution: Execution,
  key: string,
  outcome: Outcome,
  effect: OutcomeEffect | undefined,
  now: Date
): Execution {
  const attempt = execution.attempts[key];
  if (!attempt) throw new Error(`Execution ${execution.id} has no attempt ${key}`);
  const at = now.toISOString();
  const after: Execution = {
    ...execution,
    updatedAt: at,
    attempts: {
      ...execution.attempts,
      [key]: {
        ...attempt,
        status: outcome.error ? 'FAILED' : 'COMPLETED',
        disposition: outcome.disposition,
        // An outcome recorded earlier (a report retried after a crash) keeps its own time.
        completedAt: attempt.completedAt ?? at,
        ...(outcome.agentCall && { agentCall: outcome.agentCall }),
        ...(outcome.error && { error: outcome.error }),
      },
    },
  };
  if (!effect) return after;
  if (effect.finished) {
    return {
      ...after,
      status: 'COMPLETED',
      disposition: outcome.disposition,
      completedAt: at,
      nextRunAt: null,
    };
  }
  return { ...after, stepIndex: effect.nextStepIndex, attemptNo: effect.nextAttemptNo };
}
