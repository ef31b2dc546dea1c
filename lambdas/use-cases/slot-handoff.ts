import {
  headOfBucket,
  markGranted,
  type QueuedAttempt,
  queuedNeedingSweep,
  removeQueued,
} from '../adapters/slot-queue.js';
import { listSlots, readSlots, reclaimExpired, releaseSlot, takeSlot } from '../adapters/slots.js';
import { completeTask } from '../adapters/state-machine.js';
import {
  type BucketChoice,
  batchFor,
  bucketCount,
  capOf,
  chooseBucket,
  expiredHolders,
  type Holders,
  leaseUntil,
  liveHolders,
  type SlotKind,
} from '../domain/pacing.js';
import type { OrganizationSettings } from '../schemas/organization.js';
import { config } from '../shared/config.js';
import { logger } from '../shared/logger.js';
import { organizationSettings } from './organizations.js';

/**
 * Handing freed slots to queued runs. A queued run waits on its Dispatch task token; handing it
 * a slot is: take the slot in its name, mark its queue item granted (exactly one hand-over
 * wins), complete its token with DISPATCH (the state machine goes straight back to Dispatch,
 * which finds the slot held), delete the queue item. Two extra state transitions per queued
 * attempt, none while it waits.
 */

/** Queue items read per bucket to find one nobody is handing over already. */
const HEAD_READ = 5;

/** A hand-over that started this long ago and never finished is finished by the sweep. */
const STALE_GRANT_MS = 120_000;

export async function reclaimLeases(
  organizationId: string,
  kind: SlotKind,
  expired: Holders
): Promise<void> {
  if (Object.keys(expired).length === 0) return;
  if (await reclaimExpired(organizationId, kind, expired)) {
    logger.warn('took back slots whose lease ended', { count: Object.keys(expired).length, kind });
  }
}

/** Lets a queued run go on to Dispatch; false when its run no longer waits for that token. */
function letGo(entry: QueuedAttempt, now: Date): Promise<boolean> {
  return completeTask(entry.taskToken, {
    action: 'DISPATCH',
    stepIndex: entry.stepIndex,
    waitUntil: now.toISOString(),
  });
}

interface Candidate {
  entry: QueuedAttempt;
  choice: BucketChoice;
}

/** The next queued run by bucket shares, newest priorityDate first inside its bucket. */
async function nextQueued(
  organizationId: string,
  kind: SlotKind,
  settings: OrganizationSettings
): Promise<Candidate | undefined> {
  const config = settings.priorityDateBucketConfig;
  const buckets = Array.from({ length: bucketCount(config) }, (_, bucket) => bucket);
  const heads = await Promise.all(
    buckets.map(async (bucket) => {
      const items = await headOfBucket(organizationId, kind, bucket, HEAD_READ);
      return items.find((item) => !item.grantedAt);
    })
  );
  const waiting = buckets.filter((bucket) => heads[bucket] !== undefined);
  const { shares } = await readSlots(organizationId, kind);
  const choice = chooseBucket(waiting, shares, config);
  const entry = choice && heads[choice.bucket];
  return entry && choice ? { entry, choice } : undefined;
}

type HandOver = 'granted' | 'skipped' | 'full';

/** A run whose window closed while it waited goes back to Dispatch without a slot: it re-plans. */
async function sendBack(organizationId: string, kind: SlotKind, entry: QueuedAttempt, now: Date) {
  if (!(await markGranted(organizationId, kind, entry, now))) return;
  await letGo(entry, now);
  await removeQueued(organizationId, kind, entry);
}

async function handOver(
  organizationId: string,
  kind: SlotKind,
  { entry, choice }: Candidate,
  cap: number,
  now: Date
): Promise<HandOver> {
  if (entry.notAfter <= now.toISOString()) {
    await sendBack(organizationId, kind, entry, now);
    return 'skipped';
  }
  const grant = {
    holderId: entry.attemptId,
    cap,
    leaseUntil: leaseUntil(now, config().SLOT_LEASE_SECONDS),
    share: choice,
  };
  if (!(await takeSlot(organizationId, kind, grant, now))) {
    const slots = await readSlots(organizationId, kind);
    const held = (slots.holders[entry.attemptId] ?? 0) > now.getTime();
    if (!held) return Object.keys(slots.holders).length >= cap ? 'full' : 'skipped';
  }
  if (!(await markGranted(organizationId, kind, entry, now))) return 'skipped';
  const going = await letGo(entry, now);
  // Its run ended or was stopped while it waited: the slot goes to the next one.
  if (!going) await releaseSlot(organizationId, kind, entry.attemptId);
  await removeQueued(organizationId, kind, entry);
  return going ? 'granted' : 'skipped';
}

/**
 * Hands free slots to queued runs, at most one batch (the organization's batch size, up to its
 * ceiling when many slots are free). Answers how many runs it let go.
 */
export async function pumpQueue(
  organizationId: string,
  kind: SlotKind,
  now: Date
): Promise<number> {
  const settings = await organizationSettings(organizationId);
  const cap = capOf(settings, kind);
  const slots = await readSlots(organizationId, kind);
  await reclaimLeases(organizationId, kind, expiredHolders(slots.holders, now));
  const free = cap - Object.keys(liveHolders(slots.holders, now)).length;
  const batch = batchFor(free, settings);
  let handed = 0;
  // Skips (a race lost, a closed window) do not count, but are bounded too.
  for (let turns = 0; handed < batch && turns < batch * 3; turns++) {
    const candidate = await nextQueued(organizationId, kind, settings);
    if (!candidate) break;
    const result = await handOver(organizationId, kind, candidate, cap, now);
    if (result === 'full') break;
    if (result === 'granted') handed++;
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
