import middy from '@middy/core';
import { z } from 'zod';
import { logger } from '../shared/logger.js';
import { type PlanResult, planStep } from '../use-cases/run-steps.js';

const inputSchema = z.object({ executionId: z.uuid() });

/** State machine task "Plan": the schedule check. */
export const handler = middy<unknown, PlanResult>().handler(async (event) => {
  const { executionId } = inputSchema.parse(event);
  const result = await planStep(executionId, new Date());
  logger.info('planned', { executionId, ...result });
  return result;
});
