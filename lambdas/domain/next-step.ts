import type { Execution, ScheduleDecision } from '../schemas/execution.js';
import type { Plan } from '../schemas/state-machine.js';
import { dispatchOffsetMs, spreadKeyOf } from './dispatch-spread.js';
import { candidatesOf } from './recipient-zones.js';
import {
  type PlanDecision,
  planNextStep,
  type ScheduleOptions,
  WINDOW_HORIZON_DAYS,
} from './step-progression.js';

export interface NextDecision {
  plan: Plan;
  /** The audit of the decision, stored with nextRunAt when the run goes on to a step. */
  schedule?: ScheduleDecision;
  /** Set when no window exists within the horizon: the run fails with this reason. */
  noWindow?: string;
}

/**
 * The schedule check on a freshly read (or freshly updated) execution. Pure: the caller stores
 * the decision, in its own write when it has one to make.
 * 1. A paused run parks until resumed; a finished one ends the state machine.
 * 2. Work out the current step's due time and the first instant every schedule allows.
 * 3. Hand back a Wait target capped to 7 days, with nextRunAt and why it was deferred. A step
 *    deferred to a window's opening waits a little past it (within `spreadMs`, newest
 *    priorityDate first), so runs waiting for the same opening are not dispatched at once;
 *    nextRunAt stays the opening.
 * No window within the horizon fails the run with the reasons, never an endless loop.
 */
export function decideNext(
  execution: Execution,
  now: Date,
  spreadMs: number,
  options: ScheduleOptions = {}
): NextDecision {
  const finish: Plan = {
    action: 'FINISH',
    stepIndex: execution.stepIndex,
    waitUntil: now.toISOString(),
  };
  if (execution.status === 'PAUSED') {
    // Parked on a task token that the resume completes: no timer, no transitions meanwhile.
    return {
      plan: { action: 'PARK', stepIndex: execution.stepIndex, waitUntil: now.toISOString() },
    };
  }
  const decision = planNextStep(execution, now, options);
  if (decision.action === 'FINISH') return { plan: finish };
  const recipient = candidatesOf(execution);
  const audit = {
    stepIndex: decision.stepIndex,
    attemptNo: execution.attemptNo,
    dueAt: decision.dueAt.toISOString(),
    deferredBy: decision.deferredBy,
    recipientZones: recipient.zones,
    recipientZoneSource: recipient.source,
    recipientStates: recipient.states,
    decidedAt: now.toISOString(),
  };
  if (decision.action === 'BLOCKED') {
    const waitUntil = decision.waitUntil.toISOString();
    return {
      plan: { action: 'STEP', stepIndex: decision.stepIndex, waitUntil },
      schedule: { ...audit, nextRunAt: null },
    };
  }
  if (decision.action === 'NO_WINDOW') {
    return {
      plan: finish,
      noWindow: `No allowed contact window within ${WINDOW_HORIZON_DAYS} days of ${decision.dueAt.toISOString()}: ${decision.deferredBy.join('; ')}`,
    };
  }
  return {
    plan: {
      action: 'STEP',
      stepIndex: decision.stepIndex,
      waitUntil: spreadWaitUntil(execution, decision, spreadMs).toISOString(),
    },
    schedule: { ...audit, nextRunAt: decision.nextRunAt.toISOString() },
  };
}

/**
 * The Wait's end with the run's place in the spread. Only a step deferred to an opening moves:
 * one due now runs now, and a wait capped short of the window is re-planned by Dispatch anyway.
 */
function spreadWaitUntil(
  execution: Execution,
  decision: Extract<PlanDecision, { action: 'STEP' }>,
  spreadMs: number
): Date {
  const deferredToOpening =
    decision.deferredBy.length > 0 && decision.waitUntil.getTime() === decision.nextRunAt.getTime();
  if (!deferredToOpening) return decision.waitUntil;
  const offset = dispatchOffsetMs({
    spreadKey: spreadKeyOf(execution),
    priorityDate: new Date(execution.priorityDate),
    opensAt: decision.nextRunAt,
    closesAt: decision.windowClosesAt,
    spreadMs,
  });
  return new Date(decision.nextRunAt.getTime() + offset);
}
