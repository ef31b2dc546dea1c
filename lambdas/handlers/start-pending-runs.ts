import middy from '@middy/core';
import { z } from 'zod';
import { config } from '../shared/config.js';
import { type SweepResult, startPendingRuns } from '../use-cases/start-pending-runs.js';
import { observability } from './observability.js';

config();

/**
 * Scheduled every minute (and run by the local runtime at boot and periodically). A run whose
 * create is older than the grace period but still has its pending-start marker is started now.
 * The default grace outlasts the api function's timeout, so no create is still in flight.
 */
const inputSchema = z.object({ graceSeconds: z.number().min(0).default(60) }).loose();

export const handler = middy<unknown, SweepResult>()
  .use(observability())
  .handler(async (event) => {
    const { graceSeconds } = inputSchema.parse(event ?? {});
    return startPendingRuns(new Date(), graceSeconds * 1000);
  });
