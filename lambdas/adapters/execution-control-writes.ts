import { type ControlRecord, type ExecutionState, finishedStatuses } from '../schemas/execution.js';
import { endRun } from './execution-writes.js';
import { Update } from './table.js';
import { keys } from './table-keys.js';
import { keepReplacedControl } from './timeline-records.js';

/**
 * The controls' writes on a run's state item. Each checks the status it expects and the version
 * it read, so a control racing a claim, an outcome or another control either wins outright or
 * is refused and re-read: never half-applied.
 */

/** The pause or resume a control writes on the state item, for the run's timeline. */
function control(state: ExecutionState, action: ControlRecord['action'], now: Date): ControlRecord {
  return { action, at: now.toISOString(), count: (state.lastControl?.count ?? 0) + 1 };
}

export async function pauseState(state: ExecutionState, now: Date): Promise<boolean> {
  const update = new Update()
    .set('status', 'PAUSED')
    .set('pausedFrom', state.status)
    .set('lastControl', control(state, 'PAUSED', now))
    .set('updatedAt', now.toISOString())
    .whenIn('status', ['CREATED', 'RUNNING'])
    .bumpVersion(state.version);
  await keepReplacedControl(state, update);
  return update.run(keys.execution(state.id));
}

/** Back to the status the run had when paused; the park token (if any) is the caller's to release. */
export async function resumeState(state: ExecutionState, now: Date): Promise<boolean> {
  const update = new Update()
    .set('status', state.pausedFrom ?? 'RUNNING')
    .set('lastControl', control(state, 'RESUMED', now))
    .set('updatedAt', now.toISOString())
    .remove('pausedFrom')
    .remove('parkToken')
    .whenEquals('status', 'PAUSED')
    .bumpVersion(state.version);
  await keepReplacedControl(state, update);
  return update.run(keys.execution(state.id));
}

export function cancelState(
  state: ExecutionState,
  by: NonNullable<ExecutionState['cancelledBy']>,
  now: Date,
  /** Why, when the run did not end on someone's say-so (a suppressed number). */
  reason?: string
): Promise<boolean> {
  return endRun(state, 'CANCELLED', now, { cancelledBy: by, error: reason });
}

/** The Park state's token, stored only while the run is still paused. */
export function recordParkToken(state: ExecutionState, token: string): Promise<boolean> {
  return new Update()
    .set('parkToken', token)
    .whenEquals('status', 'PAUSED')
    .bumpVersion(state.version)
    .run(keys.execution(state.id));
}

/** Hides a deleted run from reads and from the workflow's list (its index keys go). */
export function hideState(state: ExecutionState, now: Date): Promise<boolean> {
  return new Update()
    .set('deletedAt', now.toISOString())
    .set('updatedAt', now.toISOString())
    .remove('gsi1pk')
    .remove('gsi1sk')
    .whenIn('status', finishedStatuses)
    .whenAbsent('deletedAt')
    .bumpVersion(state.version)
    .run(keys.execution(state.id));
}

/** Replaces the run's metadata (its contact item holds it). */
export function replaceMetadata(executionId: string, metadata: Record<string, unknown>) {
  return new Update()
    .set('metadata', metadata)
    .whenExists()
    .run(keys.executionContact(executionId));
}
