import { runIdOf } from '../adapters/state-machine.js';
import type { ExecutionStatus } from '../schemas/execution.js';
import {
  type ExecutionStatusChange,
  type ReconciledEnding,
  reconciledEndings,
} from '../schemas/execution-events.js';
import { logger } from '../shared/logger.js';
import { countReconciledRun } from '../shared/metrics.js';
import { failRun, MAX_ERROR_LENGTH, unwrapCause } from './fail-execution.js';

/** What reconciling one execution end did; `reconciled` ones are counted in `ReconciledRuns`. */
export type Reconciliation =
  | {
      reconciled: true;
      executionId: string;
      ending: ReconciledEnding;
      /** The status the run had before it was brought in line. */
      previousStatus?: ExecutionStatus;
      error: string;
    }
  | { reconciled: false; executionId?: string; reason: string };

const endingTexts: Record<ReconciledEnding, string> = {
  FAILED: 'state machine execution failed',
  TIMED_OUT: 'state machine execution timed out',
  ABORTED: 'stopped outside the API',
};

function isReconciledEnding(status: string): status is ReconciledEnding {
  return (reconciledEndings as readonly string[]).includes(status);
}

/** The error a reconciled run ends with: how its execution ended, then the event's error and cause. */
export function reconciledError(ending: ReconciledEnding, change: ExecutionStatusChange): string {
  const details = [change.error, change.cause && unwrapCause(change.cause)].filter(Boolean);
  const text =
    details.length > 0 ? `${endingTexts[ending]}: ${details.join(': ')}` : endingTexts[ending];
  return text.slice(0, MAX_ERROR_LENGTH);
}

/**
 * Brings a run in line with its state machine execution when that execution ended without the
 * run's record saying so: a timeout, a stop behind the API's back, or Mark Failed out of
 * retries. The run ends FAILED with how the execution ended (a version-checked write, re-read on
 * a race). Events arrive at least once and also for ends the record already shows: a run that
 * already ended (our own cancel or delete included: the record says CANCELLED before the stop),
 * an unknown run, or an execution that is not ours is a logged no-op, never an error.
 */
export async function reconcileRun(
  change: ExecutionStatusChange,
  now: Date
): Promise<Reconciliation> {
  const executionId = runIdOf(change);
  const result = await reconcile(executionId, change, now);
  if (result.reconciled) {
    countReconciledRun(result.ending);
    logger.warn('run reconciled: its execution ended outside the API', result);
  } else {
    logger.info('execution end needs no reconciling', {
      ...result,
      executionArn: change.executionArn,
    });
  }
  return result;
}

async function reconcile(
  executionId: string | undefined,
  change: ExecutionStatusChange,
  now: Date
): Promise<Reconciliation> {
  if (!executionId) return { reconciled: false, reason: 'not an execution of this service' };
  const ending = change.status;
  if (!isReconciledEnding(ending))
    return { reconciled: false, executionId, reason: `${ending} needs no reconciling` };
  const error = reconciledError(ending, change);
  const { failed, status } = await failRun(executionId, error, now);
  if (failed) return { reconciled: true, executionId, ending, previousStatus: status, error };
  return {
    reconciled: false,
    executionId,
    reason: status ? `the run is already ${status}` : 'no such run is stored',
  };
}
