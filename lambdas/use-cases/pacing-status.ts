import { countQueued, positionInQueue } from '../adapters/slot-queue.js';
import { readSlots } from '../adapters/slots.js';
import { liveHolders, type SlotKind } from '../domain/pacing.js';
import type { Execution } from '../schemas/execution.js';
import { attemptKey } from '../schemas/step-attempt.js';

/** What pacing looks like from outside: a run's place in the queue, an organization's load. */

export interface QueueStatus {
  status: 'QUEUED';
  kind: SlotKind;
  /** 1: the next of its priority bucket to get a slot (counted up to about 1,000). */
  position: number;
  since: string;
}

/** The run's current attempt's place in the pacing queue; null when it is not waiting there. */
export async function queueStatusOf(execution: Execution): Promise<QueueStatus | null> {
  const queued = execution.queued;
  if (!queued || execution.status === 'COMPLETED' || execution.status === 'CANCELLED') return null;
  if (queued.stepIndex !== execution.stepIndex || queued.attemptNo !== execution.attemptNo)
    return null;
  if (execution.attempts[attemptKey(queued.stepIndex, queued.attemptNo)]) return null;
  const position = await positionInQueue({
    organizationId: execution.organizationId,
    kind: queued.kind,
    bucket: queued.bucket,
    priorityDate: execution.priorityDate,
    executionId: execution.id,
    stepIndex: queued.stepIndex,
    attemptNo: queued.attemptNo,
  });
  if (position === undefined) return null;
  return { status: 'QUEUED', kind: queued.kind, position, since: queued.since };
}

/**
 * Calls and texts in flight (slots whose lease still runs) and waiting for a slot (counted up to
 * about 1,000 each). Feather shows `activeCallCount`; the other three are ours.
 */
export async function pacingLoad(organizationId: string, now: Date) {
  const [calls, texts, queuedCalls, queuedTexts] = await Promise.all([
    readSlots(organizationId, 'CALL'),
    readSlots(organizationId, 'TEXT'),
    countQueued(organizationId, 'CALL'),
    countQueued(organizationId, 'TEXT'),
  ]);
  return {
    activeCallCount: Object.keys(liveHolders(calls.holders, now)).length,
    activeTextCount: Object.keys(liveHolders(texts.holders, now)).length,
    queuedCallCount: queuedCalls,
    queuedTextCount: queuedTexts,
  };
}
