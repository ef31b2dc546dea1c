import middy from '@middy/core';
import { observability } from '../../lambdas/handlers/observability.js';
import { addLogContext, logger } from '../../lambdas/shared/logger.js';

/** What each invocation waits on before it logs, by execution id; the test releases them. */
export const gates = new Map<string, Promise<void>>();

/** A handler shaped like the product's: appends an execution id, waits, then logs. */
export const handler = middy<{ executionId: string }, void>()
  .use(observability())
  .handler(async ({ executionId }) => {
    addLogContext({ executionId });
    await gates.get(executionId);
    logger.info('logged', { expected: executionId });
  });
