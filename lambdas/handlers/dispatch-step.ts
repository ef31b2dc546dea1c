import middy from '@middy/core';
import { dispatchInputSchema } from '../schemas/state-machine.js';
import { config } from '../shared/config.js';
import { dispatchStep } from '../use-cases/dispatch-step.js';

// A bad configuration value fails the cold start, naming the variable.
config();

/** State machine task "Dispatch" (waitForTaskToken): contacts the recipient once per attempt. */
export const handler = middy<unknown, void>().handler(async (event) => {
  await dispatchStep(dispatchInputSchema.parse(event), new Date());
});
