import middy from '@middy/core';
import { z } from 'zod';
import { failExecution } from '../use-cases/run-steps.js';

const inputSchema = z.object({
  executionId: z.uuid(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

/** State machine task "Mark Failed": the catch-all records why the run stopped. */
export const handler = middy<unknown, void>().handler(async (event) => {
  await failExecution(inputSchema.parse(event), new Date());
});
