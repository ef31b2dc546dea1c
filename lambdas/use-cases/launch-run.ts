import { deletePendingStart, type PendingStart } from '../adapters/pending-starts.js';
import { scheduleStart } from '../adapters/start-schedules.js';
import { startRun } from '../adapters/state-machine.js';

/** A start further ahead than this goes to EventBridge Scheduler; a nearer one waits in the run. */
export const SCHEDULE_AFTER_MS = 15 * 60_000;

/** Whether a run with this `startAt` is started by a schedule rather than at once. */
export function startsBySchedule(startAt: string | undefined, now: Date): boolean {
  return startAt !== undefined && Date.parse(startAt) > now.getTime() + SCHEDULE_AFTER_MS;
}

/**
 * Launches a stored run, then removes its pending-start marker: its state machine execution is
 * started now, or, when its start lies more than 15 minutes ahead, a one-time schedule will
 * start it then. Both are idempotent (the execution id is the run's name and the schedule's).
 */
export async function launchRun(pending: PendingStart, now: Date): Promise<void> {
  if (pending.startAt && startsBySchedule(pending.startAt, now)) {
    await scheduleStart(pending.input, new Date(pending.startAt));
  } else {
    await startRun(pending.input);
  }
  await deletePendingStart(pending);
}
