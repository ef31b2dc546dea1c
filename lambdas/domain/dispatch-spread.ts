/**
 * Burst safety: runs deferred to the same window opening (every run of a campaign waiting for
 * 09:00) are not all dispatched in the same second. Each gets an offset after the opening,
 * newest `priorityDate` first: the spread is cut into one slice per priority-age bucket, newest
 * bucket first, and within a bucket a hash of the run's spread key places it, so runs of one
 * priority are spread evenly and the same run always gets the same offset. The key is known
 * before the run exists (see `spreadKeyOf`), so a launch preview computes the same instant. Pure.
 */

const DAY_MS = 24 * 3600_000;

/**
 * Upper bounds (exclusive) of the priority-age buckets, in days, newest first: under a day,
 * under a week, under a month, then everything older.
 */
export const PRIORITY_AGE_BUCKET_DAYS = [1, 7, 30] as const;
const BUCKETS = PRIORITY_AGE_BUCKET_DAYS.length + 1;

/** The hash input of a run's place in the spread: its workflow, phone and lead. */
export function spreadKeyOf(run: {
  workflowId: string;
  primaryPhone: string;
  customerLeadId: string;
}): string {
  return `${run.workflowId}|${run.primaryPhone}|${run.customerLeadId}`;
}

export interface SpreadInput {
  /** `spreadKeyOf` the run. */
  spreadKey: string;
  /** The run's priorityDate (Feather's field; creation time when the caller gave none). */
  priorityDate: Date;
  /** The instant the window opens, which the run was deferred to. */
  opensAt: Date;
  /** The instant the window closes: no offset reaches it. */
  closesAt: Date;
  /** The configured spread; 0 dispatches every run at the opening. */
  spreadMs: number;
}

/** A priorityDate's bucket at the window opening: 0 for the newest. */
export function priorityBucket(priorityDate: Date, opensAt: Date): number {
  const ageDays = Math.max(0, opensAt.getTime() - priorityDate.getTime()) / DAY_MS;
  const index = PRIORITY_AGE_BUCKET_DAYS.findIndex((bound) => ageDays < bound);
  return index === -1 ? BUCKETS - 1 : index;
}

/** FNV-1a over the key, as a fraction in [0, 1): stable, and even enough for ids and phones. */
export function idFraction(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 2 ** 32;
}

/**
 * Milliseconds after the opening at which this run is dispatched: in [0, spread), and never at
 * or past the window's close (a window shorter than the spread is spread over its own length).
 * A run of an older bucket always comes after every run of a newer one.
 */
export function dispatchOffsetMs(input: SpreadInput): number {
  const room = Math.min(input.spreadMs, input.closesAt.getTime() - input.opensAt.getTime());
  if (!(room > 0)) return 0;
  const position =
    (priorityBucket(input.priorityDate, input.opensAt) + idFraction(input.spreadKey)) / BUCKETS;
  return Math.min(Math.floor(position * room), Math.ceil(room) - 1);
}
