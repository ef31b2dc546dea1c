import middy from '@middy/core';
import { failureInputSchema } from '../schemas/state-machine.js';
import { config } from '../shared/config.js';
import { failExecution } from '../use-cases/fail-execution.js';

config();

/** State machine task "Mark Failed": the catch-all records why the run stopped. */
export const handler = middy<unknown, void>().handler(async (event) => {
  await failExecution(failureInputSchema.parse(event), new Date());
});
