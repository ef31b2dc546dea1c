import { markQueued } from '../adapters/execution-writes.js';
import {
  enqueueAttempt,
  findQueued,
  markGranted,
  type QueuedAttempt,
  removeQueued,
} from '../adapters/slot-queue.js';
import { createSlots, readSlots, releaseSlot, takeSlot } from '../adapters/slots.js';
import {
  bucketOf,
  capOf,
  expiredHolders,
  leaseUntil,
  queueDeadline,
  type SlotKind,
  slotKindOf,
} from '../domain/pacing.js';
import { stepExecutionId } from '../domain/step-execution-id.js';
import type { Execution, ExecutionState } from '../schemas/execution.js';
import { config } from '../shared/config.js';
import { countQueuedAttempt } from '../shared/metrics.js';
import { organizationSettings } from './organizations.js';
import { pumpQueue, reclaimLeases, sendBack } from './slot-handoff.js';

/**
 * Pacing, seen from one attempt: take a slot before contacting, give it back after the outcome.
 * A run that finds every slot taken queues and waits on its task token; the release that frees
 * a slot hands it to the next queued run (slot-handoff.ts).
 */

export interface PacedAttempt {
  execution: Execution;
  stepIndex: number;
  attemptNo: number;
  attemptId: string;
  taskToken: string;
  /** When the contact window this attempt was allowed in closes. */
  windowClosesAt: Date;
}

/**
 * `held`: the attempt has a slot, go on. `queued`: it waits on its token for a slot.
 * `handedOff`: a slot was handed to it while this Dispatch ran; whoever did it completes the
 * token, so this Dispatch ends without answering.
 */
export type SlotAnswer = 'held' | 'queued' | 'handedOff';

export function kindOfStep(execution: Execution, stepIndex: number): SlotKind {
  return slotKindOf(execution.definition.steps[stepIndex]?.type ?? 'CALL');
}

export async function takeSlotOrQueue(paced: PacedAttempt, now: Date): Promise<SlotAnswer> {
  const { execution } = paced;
  const organizationId = execution.organizationId;
  const kind = kindOfStep(execution, paced.stepIndex);
  const settings = await organizationSettings(organizationId);
  const cap = capOf(settings, kind);
  const grant = {
    holderId: paced.attemptId,
    cap,
    leaseUntil: leaseUntil(now, config().SLOT_LEASE_SECONDS),
  };
  if (await acquire(organizationId, kind, grant, now)) return 'held';
  const bucket = bucketOf(new Date(execution.priorityDate), now, settings.priorityDateBucketConfig);
  const entry: QueuedAttempt = {
    executionId: execution.id,
    stepIndex: paced.stepIndex,
    attemptNo: paced.attemptNo,
    attemptId: paced.attemptId,
    taskToken: paced.taskToken,
    bucket,
    priorityDate: execution.priorityDate,
    queuedAt: now.toISOString(),
    notAfter: queueDeadline(paced.windowClosesAt, now).toISOString(),
  };
  await enqueueAttempt(organizationId, kind, entry);
  countQueuedAttempt(kind);
  const since =
    execution.queued?.stepIndex === paced.stepIndex &&
    execution.queued.attemptNo === paced.attemptNo
      ? execution.queued.since
      : entry.queuedAt;
  await markQueued(execution.id, {
    kind,
    bucket,
    stepIndex: paced.stepIndex,
    attemptNo: paced.attemptNo,
    since,
  });
  // A slot freed between the first try and the enqueue would otherwise wait for the next release.
  if (!(await acquire(organizationId, kind, grant, now))) return 'queued';
  if (!(await markGranted(organizationId, kind, entry, now))) return 'handedOff';
  await removeQueued(organizationId, kind, entry);
  return 'held';
}

interface Grant {
  holderId: string;
  cap: number;
  leaseUntil: number;
}

/** Takes a slot for the holder (true also when it holds a live one already: it was handed one). */
async function acquire(
  organizationId: string,
  kind: SlotKind,
  grant: Grant,
  now: Date
): Promise<boolean> {
  for (let tries = 0; tries < 4; tries++) {
    if (await takeSlot(organizationId, kind, grant, now)) return true;
    const slots = await readSlots(organizationId, kind);
    if (!slots.exists) {
      await createSlots(organizationId, kind);
      continue;
    }
    if ((slots.holders[grant.holderId] ?? 0) > now.getTime()) return true;
    const expired = expiredHolders(slots.holders, now);
    if (Object.keys(expired).length === 0 && Object.keys(slots.holders).length >= grant.cap)
      return false;
    await reclaimLeases(organizationId, kind, expired);
  }
  return false;
}

/**
 * Gives the attempt's slot back (after its outcome, or when it turned out not to contact after
 * all) and hands it to the next queued run. Safe to call twice: only one call frees it.
 */
export async function releaseSlotOf(
  execution: Execution,
  stepIndex: number,
  attemptId: string,
  now: Date
): Promise<void> {
  const kind = kindOfStep(execution, stepIndex);
  if (!(await releaseSlot(execution.organizationId, kind, attemptId))) return;
  await pumpQueue(execution.organizationId, kind, now);
}

/**
 * A cancelled run leaves the queue at once, so no hand-over is spent on it later: its token is
 * completed without a slot, and its Dispatch finds it cancelled and ends it (a cancel through
 * the API has stopped the run already; the token is then simply gone).
 */
export async function leaveQueue(execution: ExecutionState, now: Date): Promise<void> {
  const { queued } = execution;
  if (!queued) return;
  const entry = await findQueued({
    organizationId: execution.organizationId,
    kind: queued.kind,
    bucket: queued.bucket,
    priorityDate: execution.priorityDate,
    executionId: execution.id,
    stepIndex: queued.stepIndex,
    attemptNo: queued.attemptNo,
  });
  if (entry && !entry.grantedAt) await sendBack(execution.organizationId, queued.kind, entry, now);
}

/**
 * A run that failed gives back the slot its current attempt may hold. The failure path does not
 * know the step's kind without reading the run whole, so it tries both; and it has no grants on
 * the queue, so the sweep hands the slot on (within a minute) instead of a pump here.
 */
export async function releaseSlotOfRun(execution: ExecutionState): Promise<void> {
  const holderId = stepExecutionId(execution.id, execution.stepIndex, execution.attemptNo);
  for (const kind of ['CALL', 'TEXT'] as const) {
    await releaseSlot(execution.organizationId, kind, holderId);
  }
}
