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
 * Where a claimed step attempt goes. `dispatch` runs at most once per attempt (after the claim);
 * `resume` runs when Dispatch is re-invoked for an attempt already handed over (a Lambda retry,
 * a local restart) and must never contact the recipient again.
 */
export interface Channel {
  readonly name: string;
  dispatch(context: ChannelContext): Promise<ChannelFailure | undefined>;
  resume(context: ChannelContext): Promise<void>;
}
