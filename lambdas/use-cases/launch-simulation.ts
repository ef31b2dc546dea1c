import { capDeferral, checkCaps, type RecentAttempts } from '../domain/attempt-cap.js';
import type { NextDecision } from '../domain/next-step.js';
import { checkDispatch } from '../domain/step-progression.js';
import { type Disposition, dispositions } from '../schemas/common.js';
import type { Execution } from '../schemas/execution.js';
import { attemptKey, type StepAttempt } from '../schemas/step-attempt.js';
import { MAX_STEP_ATTEMPTS, noContactDispositions, type Step } from '../schemas/workflow.js';
import { capsOf } from './contact-guard.js';
import { deferredCheck, planAfterOutcome, scheduleCheck, scheduleOptions } from './plan-step.js';

/**
 * A run followed in memory from its creation to its last step, through the engine's own
 * planning: creation's schedule check, Dispatch's re-check when a Wait ends (a Wait capped
 * short of the window plans again, as Dispatch's "not now" does), and the outcome report's
 * settlement. Nothing is read or written; no rule of the schedule is restated here.
 *
 * The one assumption: every attempt's outcome is reported at the instant it is dispatched, and
 * is one that neither finishes the run nor asks for another attempt (`assumedOutcome`), so
 * every step runs. A real outcome arrives later by the length of the call, which delays a step
 * whose due time falls inside an open window by as much; one deferred to a window's opening
 * is not moved.
 */

export interface SimulatedStep {
  stepIndex: number;
  type: Step['type'];
  /** The first instant the schedules allow (the run's nextRunAt), or null if never reached. */
  firstContactAt: string | null;
  /** When the step falls due: its delay after the previous step's outcome, or the start. */
  dueAt: string | null;
  /** Why firstContactAt is later than dueAt: one line per rule that was closed. */
  deferredBy: string[];
  /** The outcome this step is assumed to report; null for the last step. */
  assumedOutcome: Disposition | null;
}

export interface SimulatedRun {
  steps: SimulatedStep[];
  /** Set when a step has no allowed instant within the horizon: the run would fail there. */
  blocked?: { reason: string; stepIndex: number };
}

const reachedDispositions = dispositions.filter(
  (disposition) => !(noContactDispositions as readonly string[]).includes(disposition)
);

/**
 * The outcome assumed for a step: ENDED (a contact that ended without a decisive outcome)
 * unless the step finishes on it, else the first outcome that reaches the contact and does not
 * finish the run, else one that reaches nobody (the step is then tried `count` times).
 * Undefined when every outcome finishes the run.
 */
export function assumedOutcome(step: Step): Disposition | undefined {
  const goesOn = (disposition: Disposition) => !step.finishOn.includes(disposition);
  if (goesOn('ENDED')) return 'ENDED';
  return reachedDispositions.find(goesOn) ?? dispositions.find(goesOn);
}

/**
 * When the engine dispatches the planned step: at the plan's Wait end, once Dispatch's re-check
 * passes and the attempt caps allow it (counting this lead's own earlier attempts: runs of other
 * workflows to the same number may use up the cap sooner); a Wait capped short of the window
 * plans again from where it ended, a full cap defers as Dispatch does, and a plan without a
 * window fails the run with its reason. Answers the instant and the decision it ran on.
 */
export function dispatchInstant(
  run: Execution,
  next: NextDecision,
  recent: RecentAttempts = {}
): { at: Date; decision: NextDecision } | { noWindow: string } {
  let current = next;
  // The horizon is a few capped Waits long: a bound well past it ends a loop that cannot end.
  for (let waits = 0; waits < 16; waits++) {
    if (current.noWindow || current.plan.action !== 'STEP') break;
    const at = new Date(current.plan.waitUntil);
    if (!checkDispatch(run, current.plan.stepIndex, at, scheduleOptions()).ok) {
      current = scheduleCheck(run, at);
      continue;
    }
    const verdict = checkCaps(recent, capsOf(run), at);
    if (verdict.allowed) return { at, decision: current };
    const reason = capDeferral(run.primaryPhone, verdict);
    current = deferredCheck(run, at, { until: verdict.nextAt, reason });
  }
  return { noWindow: current.noWindow ?? `step ${run.stepIndex} is never dispatched` };
}

/** The run as Dispatch leaves it when it claims the current attempt at `at`. */
function claimedAt(
  run: Execution,
  at: Date
): { run: Execution; key: string; attempt: StepAttempt } {
  const key = attemptKey(run.stepIndex, run.attemptNo);
  const attempt: StepAttempt = {
    id: `${run.id}:${key}`,
    stepIndex: run.stepIndex,
    attemptNo: run.attemptNo,
    status: 'IN_PROGRESS',
    channel: 'preview',
    taskToken: '',
    startedAt: at.toISOString(),
  };
  return {
    key,
    attempt,
    run: {
      ...run,
      status: 'RUNNING',
      startedAt: run.startedAt ?? at.toISOString(),
      updatedAt: at.toISOString(),
      attempts: { ...run.attempts, [key]: attempt },
    },
  };
}

function unplannedSteps(draft: Execution): SimulatedStep[] {
  return draft.definition.steps.slice(draft.stepIndex).map((step, offset) => ({
    stepIndex: draft.stepIndex + offset,
    type: step.type,
    firstContactAt: null,
    dueAt: null,
    deferredBy: [],
    assumedOutcome: null,
  }));
}

/** Steps after `stepIndex`, which a run that always ends at `stepIndex` never reaches. */
function markUnreached(steps: SimulatedStep[], stepIndex: number): void {
  for (const step of steps.filter((later) => later.stepIndex > stepIndex)) {
    step.deferredBy = [`not reached: every outcome of step ${stepIndex} finishes the run`];
  }
}

/**
 * Follows a draft run (as creation builds it, created at `now`) through every step.
 * 1. Plan the current step; no window blocks the run there.
 * 2. On its first attempt, record the step's first allowed instant and why it is not earlier.
 * 3. Dispatch at the plan's instant, report the assumed outcome then, and plan what follows.
 */
export function simulateRun(draft: Execution, now: Date): SimulatedRun {
  const steps = unplannedSteps(draft);
  let run = draft;
  let next: NextDecision = scheduleCheck(draft, now);
  const recent: RecentAttempts = {};
  for (let attempts = 0; attempts <= steps.length * MAX_STEP_ATTEMPTS; attempts++) {
    const step = run.definition.steps[run.stepIndex];
    const preview = steps[run.stepIndex - draft.stepIndex];
    if (next.plan.action === 'FINISH' && !next.noWindow) break;
    const dispatched = dispatchInstant(run, next, recent);
    if ('noWindow' in dispatched) {
      return { steps, blocked: { reason: dispatched.noWindow, stepIndex: run.stepIndex } };
    }
    const { at } = dispatched;
    next = dispatched.decision;
    if (!step || !preview || !next.schedule) break;
    if (run.attemptNo === 1) {
      preview.firstContactAt = next.schedule.nextRunAt;
      preview.dueAt = next.schedule.dueAt;
      preview.deferredBy = next.schedule.deferredBy;
    }
    const outcome = assumedOutcome(step);
    if (!outcome) {
      markUnreached(steps, run.stepIndex);
      break;
    }
    if (run.stepIndex < draft.definition.steps.length - 1) preview.assumedOutcome = outcome;
    const claimed = claimedAt(run, at);
    recent[claimed.attempt.id] = at.getTime();
    const disposition = { ...claimed.attempt, disposition: outcome };
    ({ after: run, next } = planAfterOutcome(claimed.run, claimed.key, disposition, at));
  }
  return { steps };
}
