import {
  headOfBucket,
  markGranted,
  type QueuedAttempt,
  removeQueued,
} from '../adapters/slot-queue.js';
import {
  MAX_HOLDERS_PER_WRITE,
  readSlots,
  reclaimExpired,
  releaseSlot,
  type SlotsItem,
  takeSlots,
} from '../adapters/slots.js';
import { completeTask } from '../adapters/state-machine.js';
import {
  batchFor,
  bucketCount,
  capOf,
  expiredHolders,
  type Holders,
  leaseUntil,
  liveHolders,
  planHandOut,
  type SlotKind,
} from '../domain/pacing.js';
import type { OrganizationSettings } from '../schemas/organization.js';
import { config } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { organizationSettings } from './organizations.js';

/**
 * Handing freed slots to queued runs. A queued run waits on its Dispatch task token; handing it
 * a slot is: take the slot in its name (one conditional write for up to 20 runs, with the
 * bucket shares they use), mark its queue item granted (exactly one hand-over wins, and only
 * while the item still holds the token that was read), complete its token with DISPATCH (the
 * state machine goes straight back to Dispatch, which finds the slot held), delete the item.
 * Two extra state transitions per queued attempt, none while it waits.
 */

/** Writes one pump may make before it leaves the rest to the next release or the sweep. */
const PUMP_ROUNDS = 20;

export async function reclaimLeases(
  organizationId: string,
  kind: SlotKind,
  expired: Holders
): Promise<boolean> {
  if (Object.keys(expired).length === 0) return false;
  const reclaimed = await reclaimExpired(organizationId, kind, expired);
  if (reclaimed) {
    logger.warn('took back slots whose lease ended', { count: Object.keys(expired).length, kind });
  }
  // Refused or not, the slots changed since the read: the caller reads them again.
  return true;
}

/** Lets a queued run go on to Dispatch; false when its run no longer waits for that token. */
export function letGo(entry: QueuedAttempt, now: Date): Promise<boolean> {
  return completeTask(entry.taskToken, {
    action: 'DISPATCH',
    stepIndex: entry.stepIndex,
    waitUntil: now.toISOString(),
  });
}

/**
 * Sends a queued run back to Dispatch without a slot: to re-plan (its window closed), to queue
 * again (its bucket no longer exists), or to end (it was cancelled from inside another run).
 */
export async function sendBack(
  organizationId: string,
  kind: SlotKind,
  entry: QueuedAttempt,
  now: Date
): Promise<void> {
  if (!(await markGranted(organizationId, kind, entry, now))) return;
  await letGo(entry, now);
  await removeQueued(organizationId, kind, entry);
}

/** After its slot is taken in its name: true when the run went on with it. */
export async function finishHandOver(
  organizationId: string,
  kind: SlotKind,
  entry: QueuedAttempt,
  now: Date
): Promise<boolean> {
  // Lost to the run's own Dispatch, which took the slot itself and goes on with it.
  if (!(await markGranted(organizationId, kind, entry, now))) return false;
  if (await letGo(entry, now)) {
    await removeQueued(organizationId, kind, entry);
    return true;
  }
  // That token is dead. The run ended or was stopped: the slot goes to the next run. Unless a
  // retried Dispatch queued it again under a new token meanwhile: that one finds the slot held.
  if (await removeQueued(organizationId, kind, entry)) {
    await releaseSlot(organizationId, kind, entry.attemptId);
  }
  return false;
}

/**
 * The queued runs that may get a slot now, per bucket, newest priorityDate first: not being
 * handed over already, not holding a slot (a hand-over in progress; the sweep finishes one that
 * stopped), window still open (the others are sent back).
 */
async function waitingHeads(
  organizationId: string,
  kind: SlotKind,
  settings: OrganizationSettings,
  slots: SlotsItem,
  count: number,
  now: Date
): Promise<QueuedAttempt[][]> {
  const buckets = bucketCount(settings.priorityDateBucketConfig);
  const live = liveHolders(slots.holders, now);
  return Promise.all(
    Array.from({ length: buckets }, async (_, bucket) => {
      // A few more than needed: some may be mid-hand-over or already closed.
      const items = await headOfBucket(organizationId, kind, bucket, count + 5);
      const open: QueuedAttempt[] = [];
      for (const item of items) {
        if (item.grantedAt || live[item.attemptId] !== undefined) continue;
        if (item.notAfter <= now.toISOString()) await sendBack(organizationId, kind, item, now);
        else open.push(item);
      }
      return open;
    })
  );
}

/** One write's worth of hand-outs; undefined when there was nothing to do, 0 when it raced. */
async function handOutOnce(
  organizationId: string,
  kind: SlotKind,
  settings: OrganizationSettings,
  slots: SlotsItem,
  want: number,
  now: Date
): Promise<number | undefined> {
  const cap = capOf(settings, kind);
  if (await reclaimLeases(organizationId, kind, expiredHolders(slots.holders, now))) return 0;
  const count = Math.min(want, cap - Object.keys(slots.holders).length, MAX_HOLDERS_PER_WRITE);
  if (count <= 0) return undefined;
  const heads = await waitingHeads(organizationId, kind, settings, slots, count, now);
  const buckets = settings.priorityDateBucketConfig;
  const plan = planHandOut(
    heads.map((head) => head.length),
    slots.shares,
    buckets,
    count
  );
  const used = heads.map(() => 0);
  const entries = plan.buckets.flatMap((bucket) => {
    const entry = heads[bucket]?.[used[bucket] ?? 0];
    used[bucket] = (used[bucket] ?? 0) + 1;
    return entry ? [entry] : [];
  });
  if (entries.length === 0) return undefined;
  const handOut = {
    holderIds: entries.map((entry) => entry.attemptId),
    leaseUntil: leaseUntil(now, config().SLOT_LEASE_SECONDS),
    cap,
    sharesRead: slots.shares,
    sharesAfter: plan.shares,
  };
  // Refused: another hand-out or a Dispatch changed the slots since the read.
  if (!(await takeSlots(organizationId, kind, handOut))) return 0;
  const went = await Promise.all(
    entries.map((entry) => finishHandOver(organizationId, kind, entry, now))
  );
  return went.filter(Boolean).length;
}

/**
 * Hands free slots to queued runs in share order: one batch (the organization's batch size, up
 * to its ceiling when more slots are free), in writes of at most 20. Answers how many runs it
 * let go. Runs found dead on the way do not use up the batch: their slots go round again.
 */
export async function pumpQueue(
  organizationId: string,
  kind: SlotKind,
  now: Date
): Promise<number> {
  const settings = await organizationSettings(organizationId);
  let batch: number | undefined;
  let handed = 0;
  for (let round = 0; round < PUMP_ROUNDS; round++) {
    // Read afresh every round: the round before may have raced another hand-out.
    const slots = await readSlots(organizationId, kind);
    batch ??= batchFor(capOf(settings, kind) - Object.keys(slots.holders).length, settings);
    if (handed >= batch) break;
    const result = await handOutOnce(organizationId, kind, settings, slots, batch - handed, now);
    if (result === undefined) break;
    handed += result;
  }
  return handed;
}
