import type { Execution } from '../../schemas/execution.js';
import type { Outcome, StepAttempt } from '../../schemas/step-attempt.js';
import type { Step } from '../../schemas/workflow.js';

/** Everything a channel needs to contact one recipient for one step attempt. */
export interface ChannelContext {
  execution: Execution;
  step: Step;
  attempt: StepAttempt;
  /** The step's text with `{{variables}}` filled in (TEXT steps). */
  message?: string;
}

/**
 * Where a claimed step attempt goes. The attempt id is the idempotency key everywhere.
 * - `deliver` contacts the recipient; Dispatch calls it once, right after the claim. It
 *   answers an outcome (with `error`) only when it could not hand the attempt over at all.
 * - `redeliver` runs only after a crash between the claim and the recorded handoff, when
 *   nobody knows whether `deliver` reached the provider: it must ask the provider (or lean on
 *   its idempotency key) and never contact twice.
 * - `follow` runs after the handoff (first time and after a restart) and answers the outcome
 *   when the channel produces it itself; channels whose outcome arrives through the API answer
 *   nothing. Channels never record outcomes: the use case does.
 */
export interface Channel {
  readonly name: string;
  deliver(context: ChannelContext): Promise<Outcome | undefined>;
  redeliver(context: ChannelContext): Promise<Outcome | undefined>;
  follow(context: ChannelContext): Promise<Outcome | undefined>;
}
