import type { Disposition } from '../../schemas/common.js';
import type { Execution, StepAttempt } from '../../schemas/execution.js';
import type { Step } from '../../schemas/workflow.js';

/** Everything a channel needs to contact one recipient for one step attempt. */
export interface ChannelContext {
  execution: Execution;
  step: Step;
  attempt: StepAttempt;
  /** The step's text with `{{variables}}` filled in (TEXT steps). */
  message?: string;
}

/** A channel's own verdict when it could not hand the step over at all. */
export interface ChannelFailure {
  disposition: Disposition;
  error: string;
}

/**
 * Where a claimed step attempt goes. The attempt id is the idempotency key everywhere.
 * - `deliver` contacts the recipient; Dispatch calls it once, right after the claim.
 * - `redeliver` runs only after a crash between the claim and the recorded handoff, when
 *   nobody knows whether `deliver` reached the provider: it must ask the provider (or lean on
 *   its idempotency key) and never contact twice.
 * - `follow` runs after the handoff (first time and after a restart) and waits for or
 *   produces the outcome; channels whose outcome arrives through the API return at once.
 */
export interface Channel {
  readonly name: string;
  deliver(context: ChannelContext): Promise<ChannelFailure | undefined>;
  redeliver(context: ChannelContext): Promise<ChannelFailure | undefined>;
  follow(context: ChannelContext): Promise<void>;
}
