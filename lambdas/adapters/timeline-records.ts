import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ExecutionState, ScheduleDecision } from '../schemas/execution.js';
import {
  MAX_TIMELINE_RECORDS,
  type TimelineRecord,
  timelineRecordSchema,
} from '../schemas/timeline.js';
import { dynamo } from './aws-clients.js';
import { readWholePartition, tableName, type Update } from './table.js';
import { keys, TIMELINE_PREFIX, withoutKeys } from './table-keys.js';

/**
 * Timeline records: what a run's state item holds until a later write replaces it (the schedule
 * decision, the latest pause or resume). The write that replaces one first copies it to its own
 * item. The copy is of something already stored, so a write that then loses its race leaves no
 * entry for a change that did not happen, and a crash between the two loses nothing: the state
 * item still holds it, and the retried write copies it again, to the same key with the same
 * content. Everything else on the timeline is read off the state and attempt items.
 */

function recordKey(executionId: string, record: TimelineRecord) {
  if (record.kind === 'DECISION') {
    const { decidedAt, stepIndex, attemptNo } = record.decision;
    const step = String(stepIndex).padStart(4, '0');
    const attempt = String(attemptNo ?? 0).padStart(3, '0');
    return keys.timelineRecord(executionId, decidedAt, `DECISION#${step}#${attempt}`);
  }
  const count = String(record.control.count).padStart(6, '0');
  return keys.timelineRecord(executionId, record.control.at, `CONTROL#${count}`);
}

/** Copies `record` to its own item and counts it on the state write (`update`), while under the bound. */
async function keep(state: ExecutionState, record: TimelineRecord, update: Update): Promise<void> {
  const kept = state.timelineKept ?? 0;
  if (kept >= MAX_TIMELINE_RECORDS) return;
  await dynamo().send(
    new PutCommand({ TableName: tableName(), Item: { ...recordKey(state.id, record), ...record } })
  );
  update.set('timelineKept', kept + 1);
}

/** The same step attempt planned for the same instant again (a capped wait re-planned, say). */
function isRepeat(previous: ScheduleDecision, next: ScheduleDecision): boolean {
  return (
    previous.stepIndex === next.stepIndex &&
    previous.attemptNo === next.attemptNo &&
    previous.nextRunAt === next.nextRunAt
  );
}

/**
 * Before `update` stores `next` as the run's decision: keeps the decision it replaces. A repeat
 * of it simply replaces it, so a run that waits for weeks does not pile up copies.
 */
export async function keepReplacedDecision(
  state: ExecutionState,
  next: ScheduleDecision,
  update: Update
): Promise<void> {
  const previous = state.schedule;
  if (!previous || isRepeat(previous, next)) return;
  await keep(state, { kind: 'DECISION', decision: previous }, update);
}

/** Before `update` records a pause or a resume: keeps the one before it. */
export async function keepReplacedControl(state: ExecutionState, update: Update): Promise<void> {
  if (state.lastControl) await keep(state, { kind: 'CONTROL', control: state.lastControl }, update);
}

/** A run's timeline records, oldest first (strongly consistent). */
export async function readTimelineRecords(executionId: string): Promise<TimelineRecord[]> {
  const items = await readWholePartition(keys.executionPartition(executionId), {
    prefix: TIMELINE_PREFIX,
  });
  return items.map((item) => timelineRecordSchema.parse(withoutKeys(item)));
}
