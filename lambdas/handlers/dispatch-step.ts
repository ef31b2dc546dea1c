import middy from '@middy/core';
import { z } from 'zod';
import { dispatchStep } from '../use-cases/run-steps.js';

const inputSchema = z.object({
  taskToken: z.string().min(1),
  executionId: z.uuid(),
  stepIndex: z.int().min(0),
});

/** State machine task "Dispatch" (waitForTaskToken): contacts the recipient once per attempt. */
export const handler = middy<unknown, void>().handler(async (event) => {
  await dispatchStep(inputSchema.parse(event), new Date());
});
