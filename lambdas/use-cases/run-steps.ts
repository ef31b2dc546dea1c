import { v5 as uuidv5 } from 'uuid';
import type { Channel, ChannelContext, ChannelFailure } from '../adapters/channels/channel.js';
import { activeChannel, channelNamed } from '../adapters/channels/index.js';
import {
  claimAttempt,
  findExecution,
  markFailed,
  markHandedOver,
  putStepExecutionPointer,
  swapTaskToken,
} from '../adapters/execution-repository.js';
import { completeTask } from '../adapters/state-machine.js';
import { renderMessage } from '../domain/render-message.js';
import { attemptKey, checkDispatch } from '../domain/step-progression.js';
import type { Execution, StepAttempt } from '../schemas/execution.js';
import { ExecutionNotFoundError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { planExecution } from './plan-step.js';
import { reportStepOutcome } from './report-outcome.js';

/** Namespace for step execution ids: uuidv5(execution, step, attempt) is stable across retries. */
const STEP_EXECUTION_NAMESPACE = '6f1d3c0e-4a0b-4f8e-9a57-0d3f5b2a9c11';

export function stepExecutionId(executionId: string, stepIndex: number, attemptNo: number): string {
  return uuidv5(`${executionId}:${stepIndex}:${attemptNo}`, STEP_EXECUTION_NAMESPACE);
}

async function loadExecution(executionId: string): Promise<Execution> {
  const execution = await findExecution(executionId);
  if (!execution) throw new ExecutionNotFoundError(executionId);
  return execution;
}

export interface DispatchInput {
  taskToken: string;
  executionId: string;
  stepIndex: number;
}

function channelContext(execution: Execution, attempt: StepAttempt): ChannelContext {
  const step = execution.definition.steps[attempt.stepIndex];
  if (!step) throw new Error(`Execution ${execution.id} has no step ${attempt.stepIndex}`);
  const message =
    step.initialMessage === undefined
      ? undefined
      : renderMessage(step.initialMessage, execution.variables);
  return { execution, step, attempt, message };
}

/**
 * Dispatch: contacts the recipient for the current step, at most once per attempt.
 * Primary course:
 * 1. If this attempt was already claimed (a Lambda retry, a restart), never contact again:
 *    point the attempt at the new task token and pick up where the last run stopped, or
 *    release the token at once when the outcome is already in.
 * 2. Re-check status, step and window; when it is "not now", complete our own token with a
 *    fresh plan, and the run waits again.
 * 3. Claim the attempt with one conditional write (loses to a cancel or pause), deliver it,
 *    record the handoff, then follow it to its outcome. A channel that cannot deliver reports
 *    COULD_NOT_CONNECT.
 */
export async function dispatchStep(input: DispatchInput, now: Date): Promise<void> {
  const execution = await loadExecution(input.executionId);
  const key = attemptKey(input.stepIndex, 1);
  const existing = execution.attempts[key];
  if (existing) return resumeAttempt(execution, existing, key, input.taskToken, now);

  const check = checkDispatch(execution, input.stepIndex, now);
  if (!check.ok) return notNow(execution, input.taskToken, check.reason, now);
  const channel = activeChannel();
  const attempt: StepAttempt = {
    id: stepExecutionId(execution.id, input.stepIndex, 1),
    stepIndex: input.stepIndex,
    attemptNo: 1,
    status: 'IN_PROGRESS',
    channel: channel.name,
    taskToken: input.taskToken,
    startedAt: now.toISOString(),
  };
  await putStepExecutionPointer(attempt.id, {
    executionId: execution.id,
    organizationId: execution.organizationId,
    key,
  });
  if (!(await claimAttempt(execution.id, key, attempt, now))) {
    const current = await loadExecution(execution.id);
    const raced = current.attempts[key];
    if (raced) return resumeAttempt(current, raced, key, input.taskToken, now);
    return notNow(current, input.taskToken, `execution is ${current.status}`, now);
  }
  execution.attempts[key] = attempt;
  await handOver(channel, channelContext(execution, attempt), key, (context) =>
    channel.deliver(context)
  );
}

/** Delivers through the channel, records the handoff, then follows the attempt to its outcome. */
async function handOver(
  channel: Channel,
  context: ChannelContext,
  key: string,
  deliver: (context: ChannelContext) => Promise<ChannelFailure | undefined>
): Promise<void> {
  const { attempt, execution } = context;
  let failure: ChannelFailure | undefined;
  try {
    failure = await deliver(context);
  } catch (error) {
    logger.error('channel delivery failed', { stepExecutionId: attempt.id, error });
    failure = { disposition: 'COULD_NOT_CONNECT', error: (error as Error).message };
  }
  if (failure) {
    await reportStepOutcome({ stepExecutionId: attempt.id, ...failure }, new Date());
    return;
  }
  await markHandedOver(execution.id, key, new Date());
  await channel.follow(context);
}

/** "Not now": Dispatch completes its own token with a fresh plan, and the run waits again. */
async function notNow(
  execution: Execution,
  taskToken: string,
  reason: string,
  now: Date
): Promise<void> {
  const plan = await planExecution(execution, now);
  await completeTask(taskToken, { ...plan, notNow: reason });
}

async function resumeAttempt(
  execution: Execution,
  attempt: StepAttempt,
  key: string,
  taskToken: string,
  now: Date
): Promise<void> {
  if (attempt.disposition || !(await swapTaskToken(execution.id, key, taskToken))) {
    // The outcome is in: the run moves on as the report planned it.
    const current = attempt.disposition ? execution : await loadExecution(execution.id);
    const plan = await planExecution(current, now);
    await completeTask(taskToken, { ...plan, stepExecutionId: attempt.id });
    return;
  }
  const channel = channelNamed(attempt.channel);
  const context = channelContext(execution, { ...attempt, taskToken });
  if (attempt.handedOverAt) {
    logger.info('following an attempt already handed over', { stepExecutionId: attempt.id });
    await channel.follow(context);
    return;
  }
  // Claimed, but the handoff was never recorded: the channel finds out whether it happened.
  logger.warn('redelivering an attempt whose handoff was not recorded', {
    stepExecutionId: attempt.id,
  });
  await handOver(channel, context, key, (c) => channel.redeliver(c));
}

export interface FailureInput {
  executionId: string;
  error?: { Error?: string; Cause?: string };
}

/** The state machine's catch-all: the run ends FAILED with the error that stopped it. */
export async function failExecution(input: FailureInput, now: Date): Promise<void> {
  const name = input.error?.Error ?? 'Error';
  let cause = input.error?.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) cause = parsed.errorMessage;
  } catch {
    // Cause is not Lambda's JSON error document: keep it as it is.
  }
  await markFailed(input.executionId, `${name}: ${cause}`.slice(0, 1000), now);
}
