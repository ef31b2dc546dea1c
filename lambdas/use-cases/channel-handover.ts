import type { Channel, ChannelContext } from '../adapters/channels/channel.js';
import { completeTask } from '../adapters/state-machine.js';
import { markHandedOver, swapTaskToken } from '../adapters/step-attempts.js';
import { renderMessage } from '../domain/render-message.js';
import type { Execution } from '../schemas/execution.js';
import { attemptKeyOf, type Outcome, type StepAttempt } from '../schemas/step-attempt.js';
import { addLogContext, logger } from '../shared/logger.js';
import { countChannelFailure } from '../shared/metrics.js';
import { channelNamed } from './channel-choice.js';
import { publishOutcome, publishStepEvent } from './lifecycle-events.js';
import { releaseSlotOf } from './pacing.js';
import { recordOutcome, settleOutcome } from './report-outcome.js';
import { suppressAfterDnc } from './suppressions.js';

/**
 * An attempt's life with its channel, once it is claimed: the handoff, following it to its
 * outcome, and picking it up again after a retry or a restart (dispatch-step.ts claims it).
 */

export function channelContext(execution: Execution, attempt: StepAttempt): ChannelContext {
  const step = execution.definition.steps[attempt.stepIndex];
  if (!step) throw new Error(`Execution ${execution.id} has no step ${attempt.stepIndex}`);
  const message =
    step.initialMessage === undefined
      ? undefined
      : renderMessage(step.initialMessage, execution.variables);
  return { execution, step, attempt, message };
}

/** Delivers through the channel, records the handoff, then follows the attempt to its outcome. */
export async function handOver(
  channel: Channel,
  context: ChannelContext,
  deliver: (context: ChannelContext) => Promise<Outcome | undefined>
): Promise<void> {
  const { attempt, execution } = context;
  let failure: Outcome | undefined;
  try {
    failure = await deliver(context);
  } catch (error) {
    logger.error('channel delivery failed', { stepExecutionId: attempt.id, error });
    failure = { disposition: 'COULD_NOT_CONNECT', error: (error as Error).message };
  }
  if (failure) {
    countChannelFailure();
    await recordOutcome(execution.id, attemptKeyOf(attempt), failure, new Date());
    return;
  }
  await markHandedOver(execution.id, attempt, new Date());
  await publishStepEvent('step.dispatched', execution, attempt, new Date());
  await follow(channel, context);
}

async function follow(channel: Channel, context: ChannelContext): Promise<void> {
  const outcome = await channel.follow(context);
  if (!outcome) return;
  const { execution, attempt } = await recordOutcome(
    context.execution.id,
    attemptKeyOf(context.attempt),
    outcome,
    new Date()
  );
  // From inside a run: the number's other runs are cancelled without stopping their machines.
  await suppressAfterDnc(execution, attempt, new Date(), { fromRun: true });
}

/**
 * A Dispatch that finds its attempt claimed already (a Lambda retry, a restart, a racing
 * Dispatch) never contacts again: it settles an attempt whose outcome is in, follows one that was
 * handed over, and asks the channel to redeliver one whose handoff was never recorded (the
 * channel finds out whether it happened).
 */
export async function resumeAttempt(
  execution: Execution,
  attempt: StepAttempt,
  taskToken: string,
  now: Date
): Promise<void> {
  addLogContext({ stepExecutionId: attempt.id });
  if (attempt.disposition || !(await swapTaskToken(execution.id, attempt, taskToken))) {
    // The outcome is in: settle the run (a report may have crashed before it did) and move on.
    const { plan, execution: settled } = await settleOutcome(
      execution.id,
      attemptKeyOf(attempt),
      now
    );
    await completeTask(taskToken, { ...plan, stepExecutionId: attempt.id });
    const outcome = settled.attempts[attemptKeyOf(attempt)] ?? attempt;
    await releaseSlotOf(settled, attempt.stepIndex, attempt.id, now);
    await publishOutcome(settled, outcome, now);
    await suppressAfterDnc(settled, outcome, now, { fromRun: true });
    return;
  }
  const channel = channelNamed(attempt.channel);
  const context = channelContext(execution, { ...attempt, taskToken });
  if (attempt.handedOverAt) {
    logger.info('following an attempt already handed over', { stepExecutionId: attempt.id });
    await follow(channel, context);
    return;
  }
  // Claimed, but the handoff was never recorded: the channel finds out whether it happened.
  logger.warn('redelivering an attempt whose handoff was not recorded', {
    stepExecutionId: attempt.id,
  });
  await handOver(channel, context, (c) => channel.redeliver(c));
}
