import { type QueuedAttempt, readQueue, removeQueued } from '../adapters/slot-queue.js';
import { listSlots, readSlots } from '../adapters/slots.js';
import {
  bucketCount,
  expiredHolders,
  type Holders,
  liveHolders,
  type SlotKind,
} from '../domain/pacing.js';
import { logger } from '../shared/logger.js';
import { organizationSettings } from './organizations.js';
import { finishHandOver, letGo, pumpQueue, reclaimLeases, sendBack } from './slot-handoff.js';

/** A hand-over that started this long ago and never finished is finished by the sweep. */
const STALE_GRANT_MS = 120_000;

/**
 * What the sweep does to one queue item: send back a run whose window closed or whose bucket no
 * longer exists, finish a hand-over that stopped after its grant (or after its slot was taken
 * but before the grant). False when the item needs nothing.
 */
async function sweepItem(
  organizationId: string,
  kind: SlotKind,
  entry: QueuedAttempt,
  context: { live: Holders; buckets: number; now: Date }
): Promise<boolean> {
  const { now } = context;
  const stale = new Date(now.getTime() - STALE_GRANT_MS).toISOString();
  if (entry.grantedAt) {
    if (entry.grantedAt > stale) return false;
    await letGo(entry, now);
    await removeQueued(organizationId, kind, entry);
    return true;
  }
  if (entry.notAfter <= now.toISOString() || entry.bucket >= context.buckets) {
    await sendBack(organizationId, kind, entry, now);
    return true;
  }
  if (context.live[entry.attemptId] !== undefined && entry.queuedAt <= stale) {
    await finishHandOver(organizationId, kind, entry, now);
    return true;
  }
  return false;
}

/**
 * The sweep, every minute: takes back slots whose lease ended, tends the queue (sweepItem),
 * then hands out the free slots. This is what recovers slots held by a crashed or lost attempt.
 * One organization's failure is logged and never stops the others.
 */
export async function sweepSlots(now: Date): Promise<{ handed: number; tended: number }> {
  let handed = 0;
  let tended = 0;
  for (const { organizationId, kind } of await listSlots()) {
    try {
      const settings = await organizationSettings(organizationId);
      const slots = await readSlots(organizationId, kind);
      await reclaimLeases(organizationId, kind, expiredHolders(slots.holders, now));
      const context = {
        live: liveHolders(slots.holders, now),
        buckets: bucketCount(settings.priorityDateBucketConfig),
        now,
      };
      for (const entry of await readQueue(organizationId, kind)) {
        if (await sweepItem(organizationId, kind, entry, context)) tended++;
      }
      handed += await pumpQueue(organizationId, kind, now);
    } catch (error) {
      logger.error('slot sweep failed for one organization', { organizationId, kind, error });
    }
  }
  return { handed, tended };
}
