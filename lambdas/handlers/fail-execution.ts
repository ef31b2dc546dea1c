import middy from '@middy/core';
import { failureInputSchema } from '../schemas/state-machine.js';
import { config } from '../shared/config.js';
import { addLogContext } from '../shared/logger.js';
import { failExecution } from '../use-cases/fail-execution.js';
import { observability } from './observability.js';

config();

/** State machine task "Mark Failed": the catch-all records why the run stopped. */
export const handler = middy<unknown, void>()
  .use(observability())
  .handler(async (event) => {
    const input = failureInputSchema.parse(event);
    addLogContext({ executionId: input.executionId });
    await failExecution(input, new Date());
  });
