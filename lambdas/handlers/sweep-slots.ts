import middy from '@middy/core';
import { config } from '../shared/config.js';
import { sweepSlots } from '../use-cases/slot-sweep.js';
import { observability } from './observability.js';

config();

/**
 * Scheduled every minute (and run by the local runtime at boot and periodically): takes back
 * pacing slots whose lease ended, sends queued runs whose window closed back to wait for the
 * next one, and hands free slots to queued runs.
 */
export const handler = middy<unknown, { handed: number; tended: number }>()
  .use(observability())
  .handler(async () => sweepSlots(new Date()));
