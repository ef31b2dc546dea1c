import type { OrganizationSettings, PriorityDateBucket } from '../schemas/organization.js';
import type { Holders, Shares, SlotKind } from '../schemas/pacing.js';
import type { StepType } from '../schemas/workflow.js';

/**
 * Pacing: how many attempts an organization may have in flight, and who goes next when a slot
 * frees. Pure; the slot and queue items live in adapters/slots.ts and adapters/slot-queue.ts.
 */
export type { Holders, Shares, SlotKind };

export function slotKindOf(stepType: StepType): SlotKind {
  return stepType === 'TEXT' ? 'TEXT' : 'CALL';
}

export function capOf(settings: OrganizationSettings, kind: SlotKind): number {
  return kind === 'CALL' ? settings.maxConcurrentCalls : settings.maxConcurrentTexts;
}

/** The slots still held at `now`: an expired lease no longer counts (its holder crashed or was lost). */
export function liveHolders(holders: Holders, now: Date): Holders {
  return Object.fromEntries(Object.entries(holders).filter(([, until]) => until > now.getTime()));
}

export function expiredHolders(holders: Holders, now: Date): Holders {
  return Object.fromEntries(Object.entries(holders).filter(([, until]) => until <= now.getTime()));
}

const DAY_MS = 86_400_000;

/**
 * The queue bucket of a run with this `priorityDate`: the index of the configured bucket its
 * age in whole days falls in. Without buckets everything shares bucket 0; an age no bucket
 * covers goes after all of them, so a gap in the configuration never loses a run.
 */
export function bucketOf(
  priorityDate: Date,
  now: Date,
  config: OrganizationSettings['priorityDateBucketConfig']
): number {
  if (!config.enabled || config.buckets.length === 0) return 0;
  const ageDays = Math.floor(Math.max(0, now.getTime() - priorityDate.getTime()) / DAY_MS);
  const index = config.buckets.findIndex(
    (bucket) => ageDays >= bucket.minDays && (bucket.maxDays === null || ageDays <= bucket.maxDays)
  );
  return index === -1 ? config.buckets.length : index;
}

/** How many buckets a queue has under this configuration (the uncovered one included). */
export function bucketCount(config: OrganizationSettings['priorityDateBucketConfig']): number {
  return config.enabled && config.buckets.length > 0 ? config.buckets.length + 1 : 1;
}

export interface BucketChoice {
  bucket: number;
  /** The chosen bucket's pass before this choice (the write is conditioned on it). */
  previousPass: number | undefined;
  nextPass: number;
  virtualTime: number;
}

function percentageOf(buckets: PriorityDateBucket[], bucket: number): number {
  return buckets[bucket]?.percentage ?? 0;
}

/**
 * Which of the buckets that have someone queued gets the next slot. A bucket with nothing
 * queued is not a candidate, so its share goes to the others (it lends it); when it has runs
 * again it starts from the virtual time, not from the credit it would have saved while idle.
 * Buckets of 0 % (and the uncovered bucket) are served only when no other bucket waits.
 * Ties go to the lower index: the newer priorityDates.
 */
export function chooseBucket(
  waiting: readonly number[],
  shares: Shares,
  config: OrganizationSettings['priorityDateBucketConfig']
): BucketChoice | undefined {
  if (waiting.length === 0) return undefined;
  const sorted = [...waiting].sort((a, b) => a - b);
  const weighted = sorted.filter((bucket) => percentageOf(config.buckets, bucket) > 0);
  if (weighted.length === 0) {
    const bucket = sorted[0] as number;
    const previousPass = shares.passes[String(bucket)];
    return { bucket, previousPass, nextPass: previousPass ?? 0, virtualTime: shares.virtualTime };
  }
  const effective = (bucket: number) =>
    Math.max(shares.passes[String(bucket)] ?? 0, shares.virtualTime);
  let best = weighted[0] as number;
  for (const bucket of weighted) if (effective(bucket) < effective(best)) best = bucket;
  const start = effective(best);
  return {
    bucket: best,
    previousPass: shares.passes[String(best)],
    nextPass: start + 100 / percentageOf(config.buckets, best),
    virtualTime: start,
  };
}

/**
 * The longest a run waits in the queue on one task token. Its Dispatch task times out after
 * 24 hours (the state machine's outcome timeout) and would fail the run; before that the sweep
 * sends it back to Dispatch, which queues it again on a fresh token.
 */
export const MAX_QUEUE_WAIT_MS = 23 * 3600_000;

/** The instant a queued run must leave the queue: its window's close, or MAX_QUEUE_WAIT_MS on. */
export function queueDeadline(windowClosesAt: Date, now: Date): Date {
  const longest = now.getTime() + MAX_QUEUE_WAIT_MS;
  return windowClosesAt.getTime() < longest ? windowClosesAt : new Date(longest);
}

/** How long a slot is held without an outcome before it is taken back. */
export function leaseUntil(now: Date, leaseSeconds: number): number {
  return now.getTime() + leaseSeconds * 1000;
}

/**
 * How many queued runs one pass may hand out: the organization's batch size, or up to its
 * ceiling when more slots than that are free (a raised cap, slots taken back from leases).
 */
export function batchFor(freeSlots: number, settings: OrganizationSettings): number {
  if (freeSlots <= settings.schedulerBatchSize) return Math.max(0, freeSlots);
  return Math.min(freeSlots, settings.maxSchedulerBatchSize);
}

export interface HandOutPlan {
  /** The bucket of each slot handed out, in order. */
  buckets: number[];
  /** The shares after those choices. */
  shares: Shares;
}

/**
 * Which buckets `count` free slots go to, given how many runs each bucket has waiting: the
 * choices `chooseBucket` would make one after another, computed at once so one conditional
 * write can hand them all out.
 */
export function planHandOut(
  waitingPerBucket: readonly number[],
  shares: Shares,
  config: OrganizationSettings['priorityDateBucketConfig'],
  count: number
): HandOutPlan {
  const left = [...waitingPerBucket];
  let current: Shares = { passes: { ...shares.passes }, virtualTime: shares.virtualTime };
  const buckets: number[] = [];
  while (buckets.length < count) {
    const waiting = left.flatMap((n, bucket) => (n > 0 ? [bucket] : []));
    const choice = chooseBucket(waiting, current, config);
    if (!choice) break;
    buckets.push(choice.bucket);
    left[choice.bucket] = (left[choice.bucket] ?? 0) - 1;
    current = {
      passes: { ...current.passes, [String(choice.bucket)]: choice.nextPass },
      virtualTime: choice.virtualTime,
    };
  }
  return { buckets, shares: current };
}
