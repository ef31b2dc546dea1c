import { claimStep } from '../adapters/execution-writes.js';
import { completeTask } from '../adapters/state-machine.js';
import { claimAttemptRecord, putStepExecutionPointer } from '../adapters/step-attempts.js';
import { workflowExists } from '../adapters/workflow-repository.js';
import { stepExecutionId } from '../domain/step-execution-id.js';
import { checkDispatch } from '../domain/step-progression.js';
import type { Execution } from '../schemas/execution.js';
import type { DispatchInput } from '../schemas/state-machine.js';
import { attemptKey, attemptKeyOf, type StepAttempt } from '../schemas/step-attempt.js';
import { addLogContext } from '../shared/logger.js';
import { countStepDispatched } from '../shared/metrics.js';
import { channelForStep, channelNamed } from './channel-choice.js';
import { channelContext, handOver, resumeAttempt } from './channel-handover.js';
import { admitContact } from './contact-guard.js';
import { controlExecution } from './controls.js';
import { releaseSlotOf, takeSlotOrQueue } from './pacing.js';
import {
  assertProgress,
  type Deferral,
  loadExecution,
  planExecution,
  scheduleOptions,
} from './plan-step.js';

export { stepExecutionId };

/**
 * Dispatch: contacts the recipient for the current step, at most once per attempt.
 * Primary course:
 * 1. Refuse a stored state that is behind the state machine (never re-plan an earlier step).
 * 2. If this attempt was already claimed (a Lambda retry, a restart), never contact again:
 *    point the attempt at the new task token and pick up where the last run stopped, or
 *    settle at once when the outcome is already in.
 * 3. Re-check status, step and window; when it is "not now", complete our own token with a
 *    fresh plan, and the run waits again.
 * 4. Take a pacing slot (pacing.ts). With every slot taken the run queues and this Dispatch
 *    ends without answering: the run waits on its token until a released slot is handed to
 *    it, which sends it straight back here. Then the number's guard (contact-guard.ts): a
 *    suppressed number cancels the run; a full attempt cap or an emergency stop on one of the
 *    recipient's states makes it wait, with the reason as its schedule decision.
 * 5. Claim: the run's state (loses to a cancel or pause), then the write-once attempt item;
 *    deliver, record the handoff, follow the attempt to its outcome and report it. A channel
 *    that cannot deliver reports COULD_NOT_CONNECT.
 */
export async function dispatchStep(input: DispatchInput, now: Date): Promise<void> {
  const execution = await loadExecution(input.executionId);
  addLogContext({ organizationId: execution.organizationId, workflowId: execution.workflowId });
  assertProgress(execution, input.stepIndex);
  const existing = execution.attempts[attemptKey(input.stepIndex, execution.attemptNo)];
  if (existing) return resumeAttempt(execution, existing, input.taskToken, now);

  const attemptId = stepExecutionId(execution.id, input.stepIndex, execution.attemptNo);
  addLogContext({ stepExecutionId: attemptId });
  const check = checkDispatch(execution, input.stepIndex, now, scheduleOptions());
  if (!check.ok) {
    // Sent back by the queue (its window closed) or handed a slot just as it was paused,
    // cancelled or moved on: the slot, if it had one, goes to the next queued run.
    await releaseSlotOf(execution, input.stepIndex, attemptId, now);
    return notNow(execution, input.taskToken, check.reason, now);
  }
  if (!(await workflowExists(execution.organizationId, execution.workflowId))) {
    await releaseSlotOf(execution, input.stepIndex, attemptId, now);
    return cancelForDeletedWorkflow(execution, input.taskToken, now);
  }
  const slot = await takeSlotOrQueue(
    {
      execution,
      stepIndex: input.stepIndex,
      attemptNo: execution.attemptNo,
      attemptId,
      taskToken: input.taskToken,
      windowClosesAt: check.windowClosesAt,
    },
    now
  );
  // Queued: the run waits on this token until a released slot is handed to it.
  if (slot !== 'held') return;
  // Only with a slot: which channel the attempt goes through (the step's agent, if registered).
  const channelName = await channelForStep(execution, input.stepIndex);
  const attempt = newAttempt(execution, input, now, channelName);
  if (!(await admitAndClaim(execution, attempt, now))) return;
  countStepDispatched();
  const channel = channelNamed(attempt.channel);
  const context = channelContext({ ...execution, status: 'RUNNING' }, attempt);
  await handOver(channel, context, (c) => channel.deliver(c));
}

function newAttempt(
  execution: Execution,
  input: DispatchInput,
  now: Date,
  channel: string
): StepAttempt {
  const { queued } = execution;
  const waited = queued?.stepIndex === input.stepIndex && queued.attemptNo === execution.attemptNo;
  return {
    id: stepExecutionId(execution.id, input.stepIndex, execution.attemptNo),
    stepIndex: input.stepIndex,
    attemptNo: execution.attemptNo,
    status: 'IN_PROGRESS',
    channel,
    taskToken: input.taskToken,
    startedAt: now.toISOString(),
    ...(waited && { queuedAt: queued.since }),
  };
}

/** Deleted while this run waited (its cancel may have missed it): never contact for it. */
async function cancelForDeletedWorkflow(
  execution: Execution,
  taskToken: string,
  now: Date
): Promise<void> {
  await controlExecution(execution.organizationId, execution.id, 'cancel', now, {
    cancelledBy: 'workflow',
    fromRun: true,
  });
  return notNow(await loadExecution(execution.id), taskToken, 'workflow deleted', now);
}

/**
 * With a slot held: the number's guard, then the claim. True when the attempt is claimed and
 * must be handed over; otherwise the run has been answered and the slot given back (unless a
 * racing Dispatch claimed this very attempt, which then keeps it until its outcome).
 */
async function admitAndClaim(
  execution: Execution,
  attempt: StepAttempt,
  now: Date
): Promise<boolean> {
  const admission = await admitContact(execution, attempt.id, now);
  if (admission.kind !== 'admit') {
    await releaseSlotOf(execution, attempt.stepIndex, attempt.id, now);
    if (admission.kind === 'suppressed')
      await endSuppressed(execution, attempt.taskToken, admission.reason, now);
    else await notNow(execution, attempt.taskToken, admission.rule, now, admission);
    return false;
  }
  if (await claim(execution, attempt, now)) return true;
  const current = await loadExecution(execution.id);
  const raced = current.attempts[attemptKeyOf(attempt)];
  if (raced) await resumeAttempt(current, raced, attempt.taskToken, now);
  else {
    await releaseSlotOf(execution, attempt.stepIndex, attempt.id, now);
    await notNow(current, attempt.taskToken, `execution is ${current.status}`, now);
  }
  return false;
}

/** The two writes that allow a contact; false when either was refused. */
async function claim(execution: Execution, attempt: StepAttempt, now: Date): Promise<boolean> {
  await putStepExecutionPointer(attempt.id, {
    executionId: execution.id,
    organizationId: execution.organizationId,
    stepIndex: attempt.stepIndex,
    attemptNo: attempt.attemptNo,
  });
  if (!(await claimStep(execution, attempt.stepIndex, now))) return false;
  return claimAttemptRecord(execution.id, attempt);
}

/** "Not now": Dispatch completes its own token with a fresh plan, and the run waits again. */
async function notNow(
  execution: Execution,
  taskToken: string,
  reason: string,
  now: Date,
  deferral?: Deferral
): Promise<void> {
  const plan = await planExecution(execution, now, deferral);
  await completeTask(taskToken, { ...plan, notNow: reason });
}

/** A suppressed number: the run ends CANCELLED with the reason, from inside the run. */
async function endSuppressed(
  execution: Execution,
  taskToken: string,
  reason: string,
  now: Date
): Promise<void> {
  await controlExecution(execution.organizationId, execution.id, 'cancel', now, {
    cancelledBy: 'suppression',
    reason,
    fromRun: true,
  });
  return notNow(await loadExecution(execution.id), taskToken, 'number suppressed', now);
}
