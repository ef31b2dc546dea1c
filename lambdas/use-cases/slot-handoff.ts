import {
  headOfBucket,
  markGranted,
  type QueuedAttempt,
  queuedNeedingSweep,
  removeQueued,
} from '../adapters/slot-queue.js';
import {
  listSlots,
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
 * a slot is: take the slot in its name (one conditional write for a whole batch, with the
 * bucket shares it uses), mark its queue item granted (exactly one hand-over wins), complete
 * its token with DISPATCH (the state machine goes straight back to Dispatch, which finds the
 * slot held), delete the queue item. Two extra state transitions per queued attempt, none
 * while it waits.
 */

/** A hand-over that started this long ago and never finished is finished by the sweep. */
const STALE_GRANT_MS = 120_000;

/** Fresh reads a pump makes when other hand-outs keep winning the race for the same runs. */
const PUMP_ROUNDS = 5;

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
  return reclaimed;
}

/** Lets a queued run go on to Dispatch; false when its run no longer waits for that token. */
function letGo(entry: QueuedAttempt, now: Date): Promise<boolean> {
  return completeTask(entry.taskToken, {
    action: 'DISPATCH',
    stepIndex: entry.stepIndex,
    waitUntil: now.toISOString(),
  });
}

/** A run whose window closed while it waited goes back to Dispatch without a slot: it re-plans. */
async function sendBack(organizationId: string, kind: SlotKind, entry: QueuedAttempt, now: Date) {
  if (!(await markGranted(organizationId, kind, entry, now))) return;
  await letGo(entry, now);
  await removeQueued(organizationId, kind, entry);
}

/** After its slot is taken in its name: true when the run went on with it. */
async function finishHandOver(
  organizationId: string,
  kind: SlotKind,
  entry: QueuedAttempt,
  now: Date
): Promise<boolean> {
  // Lost to the run's own Dispatch, which took the slot itself and goes on with it.
  if (!(await markGranted(organizationId, kind, entry, now))) return false;
  const going = await letGo(entry, now);
  // Its run ended or was stopped while it waited: the slot goes to the next one.
  if (!going) await releaseSlot(organizationId, kind, entry.attemptId);
  await removeQueued(organizationId, kind, entry);
  return going;
}

/**
 * The queued runs that may get a slot now, per bucket, newest priorityDate first: not being
 * handed over already, not holding a slot, window still open (the others are sent back).
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

/**
 * Hands free slots to queued runs, one batch (the organization's batch size, up to its ceiling
 * when many slots are free) in share order. Answers how many runs it let go.
 */
export async function pumpQueue(
  organizationId: string,
  kind: SlotKind,
  now: Date
): Promise<number> {
  const settings = await organizationSettings(organizationId);
  const cap = capOf(settings, kind);
  let handed = 0;
  for (let round = 0; round < PUMP_ROUNDS; round++) {
    const slots = await readSlots(organizationId, kind);
    if (await reclaimLeases(organizationId, kind, expiredHolders(slots.holders, now))) continue;
    const count = batchFor(cap - Object.keys(slots.holders).length, settings);
    if (count === 0) return handed;
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
    if (entries.length === 0) return handed;
    const handOut = {
      holderIds: entries.map((entry) => entry.attemptId),
      leaseUntil: leaseUntil(now, config().SLOT_LEASE_SECONDS),
      cap,
      sharesRead: slots.shares,
      sharesAfter: plan.shares,
    };
    // Refused: another hand-out or a Dispatch changed the slots since the read; read again.
    if (!(await takeSlots(organizationId, kind, handOut))) continue;
    const went = await Promise.all(
      entries.map((entry) => finishHandOver(organizationId, kind, entry, now))
    );
    handed += went.filter(Boolean).length;
    // Every slot went to a waiting run: done. Some runs had ended: their slots go round again.
    if (went.every(Boolean)) return handed;
  }
  return handed;
}

/**
 * The sweep, every minute: takes back slots whose lease ended, sends runs whose window closed
 * back to wait for their next one, finishes hand-overs that stopped halfway, then hands out
 * the free slots. This is what recovers slots held by a crashed or lost attempt.
 */
export async function sweepSlots(now: Date): Promise<{ handed: number; sentBack: number }> {
  let handed = 0;
  let sentBack = 0;
  for (const { organizationId, kind } of await listSlots()) {
    const slots = await readSlots(organizationId, kind);
    await reclaimLeases(organizationId, kind, expiredHolders(slots.holders, now));
    const stale = new Date(now.getTime() - STALE_GRANT_MS);
    for (const entry of await queuedNeedingSweep(organizationId, kind, now, stale)) {
      if (entry.grantedAt) {
        await letGo(entry, now);
        await removeQueued(organizationId, kind, entry);
      } else await sendBack(organizationId, kind, entry, now);
      sentBack++;
    }
    handed += await pumpQueue(organizationId, kind, now);
  }
  return { handed, sentBack };
}
