import middy from '@middy/core';
import { dispatchInputSchema } from '../schemas/state-machine.js';
import { config } from '../shared/config.js';
import { addLogContext } from '../shared/logger.js';
import { parkExecution } from '../use-cases/controls.js';
import { dispatchStep } from '../use-cases/dispatch-step.js';
import { observability } from './observability.js';

// A bad configuration value fails the cold start, naming the variable.
config();

/**
 * State machine tasks "Dispatch" (contacts the recipient once per attempt) and "Park" (holds a
 * paused run's token until it is resumed); both waitForTaskToken.
 */
export const handler = middy<unknown, void>()
  .use(observability())
  .handler(async (event) => {
    const input = dispatchInputSchema.parse(event);
    addLogContext({ executionId: input.executionId });
    if (input.park) await parkExecution(input, new Date());
    else await dispatchStep(input, new Date());
  });
