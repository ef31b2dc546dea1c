import { markFailed, recordSchedule } from '../adapters/execution-repository.js';
import { resolveRecipientZones } from '../domain/recipient-zones.js';
import { MAX_WAIT_MS, planNextStep, WINDOW_HORIZON_DAYS } from '../domain/step-progression.js';
import type { Execution, PlanResult, ScheduleDecision } from '../schemas/execution.js';

export interface NextDecision {
  plan: PlanResult;
  /** The audit of the decision, stored with nextRunAt when the run goes on to a step. */
  schedule?: ScheduleDecision;
  /** Set when no window exists within the horizon: the run fails with this reason. */
  noWindow?: string;
}

/**
 * The schedule check on a freshly read (or freshly updated) execution. Pure: the caller
 * stores the decision, in its own write when it has one to make.
 * 1. A paused run waits the cap and is checked again; a finished one ends the state machine.
 * 2. Work out the current step's due time and the first instant every schedule allows.
 * 3. Hand back a Wait target capped to 7 days, with nextRunAt and why it was deferred.
 * No window within the horizon fails the run with the reasons, never an endless loop.
 */
export function decideNext(execution: Execution, now: Date): NextDecision {
  const finish: PlanResult = {
    action: 'FINISH',
    stepIndex: execution.stepIndex,
    waitUntil: now.toISOString(),
  };
  if (execution.status === 'PAUSED') {
    // Resuming takes effect at the next look, at most the wait cap away.
    const waitUntil = new Date(now.getTime() + MAX_WAIT_MS).toISOString();
    return { plan: { action: 'STEP', stepIndex: execution.stepIndex, waitUntil } };
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

/** Decides what comes next and stores it (nextRunAt and its reasons, or the failure). */
export async function planExecution(execution: Execution, now: Date): Promise<PlanResult> {
  const next = decideNext(execution, now);
  await storeDecision(execution.id, next, now);
  return next.plan;
}

export async function storeDecision(
  executionId: string,
  next: NextDecision,
  now: Date
): Promise<void> {
  if (next.noWindow) await markFailed(executionId, next.noWindow, now);
  else if (next.schedule) await recordSchedule(executionId, next.schedule, now);
}
