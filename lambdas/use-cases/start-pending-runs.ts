import { findExecutionState } from '../adapters/execution-queries.js';
import { deletePendingStart, listPendingStarts } from '../adapters/pending-starts.js';
import { logger } from '../shared/logger.js';
import { launchRun } from './launch-run.js';

export interface SweepResult {
  started: number;
  /** Markers of creates that died before storing the run (their caller got no answer). */
  dropped: number;
  failed: number;
}

/**
 * The sweep: starts every stored run whose start was not confirmed `graceMs` after its
 * creation (the creating process died, or StartExecution failed). Starting is idempotent by
 * execution name, so a run the create did start is never started twice.
 */
export async function startPendingRuns(
  now: Date,
  graceMs: number,
  limit = 500
): Promise<SweepResult> {
  const result: SweepResult = { started: 0, dropped: 0, failed: 0 };
  for (const pending of await listPendingStarts(new Date(now.getTime() - graceMs), limit)) {
    try {
      const state = await findExecutionState(pending.input.executionId);
      if (state) {
        await launchRun(pending, now);
        result.started++;
      } else {
        result.dropped++;
        await deletePendingStart(pending);
      }
    } catch (error) {
      result.failed++;
      logger.error('pending start failed; the next sweep retries it', {
        executionId: pending.input.executionId,
        error,
      });
    }
  }
  if (result.started + result.dropped + result.failed > 0)
    logger.info('start sweep', { ...result });
  return result;
}
