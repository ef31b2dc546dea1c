import type { Execution, ScheduleDecision } from '../schemas/execution.js';
import type { Plan } from '../schemas/state-machine.js';
import { resolveRecipientZones } from './recipient-zones.js';
import { planNextStep, WINDOW_HORIZON_DAYS } from './step-progression.js';

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
 * 3. Hand back a Wait target capped to 7 days, with nextRunAt and why it was deferred.
 * No window within the horizon fails the run with the reasons, never an endless loop.
 */
export function decideNext(execution: Execution, now: Date): NextDecision {
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
  const decision = planNextStep(execution, now);
  if (decision.action === 'FINISH') return { plan: finish };
  if (decision.action === 'NO_WINDOW') {
    return {
      plan: finish,
      noWindow: `No allowed contact window within ${WINDOW_HORIZON_DAYS} days of ${decision.dueAt.toISOString()}: ${decision.deferredBy.join('; ')}`,
    };
  }
  const recipient = resolveRecipientZones(execution);
  return {
    plan: {
      action: 'STEP',
      stepIndex: decision.stepIndex,
      waitUntil: decision.waitUntil.toISOString(),
    },
    schedule: {
      stepIndex: decision.stepIndex,
      dueAt: decision.dueAt.toISOString(),
      nextRunAt: decision.nextRunAt.toISOString(),
      deferredBy: decision.deferredBy,
      recipientZones: recipient.zones,
      recipientZoneSource: recipient.source,
      decidedAt: now.toISOString(),
    },
  };
}
