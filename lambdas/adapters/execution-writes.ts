import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Disposition } from '../schemas/common.js';
import {
  activeStatuses,
  type Execution,
  type ExecutionState,
  type ScheduleDecision,
  snapshotOf,
} from '../schemas/execution.js';
import { dynamo } from './aws-clients.js';
import { ensureSnapshot } from './snapshots.js';
import { conditionally, tableName, Update } from './table.js';
import { keys } from './table-keys.js';
import { keepReplacedDecision } from './timeline-records.js';

/**
 * Every state transition of a run's state item. Each write checks and increments `version`
 * (a write based on a stale read is refused, and the caller re-reads), and each checks the
 * status and step it expects, so a cancel, a pause or a racing report always wins cleanly.
 */

/**
 * Stores a new run: snapshot (if new), contact, then the state item last, so a reader never
 * sees a run whose parts are missing. False when a run with this id was already stored (a
 * retried create under an idempotency key): the stored one stands.
 */
export async function insertExecution(execution: Execution): Promise<boolean> {
  await ensureSnapshot(execution.snapshotId, snapshotOf(execution));
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      // Unconditional: a retry of the same create writes the same contact.
      Item: {
        ...keys.executionContact(execution.id),
        variables: execution.variables,
        metadata: execution.metadata,
      },
    })
  );
  return conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.execution(execution.id),
          ...keys.executionByWorkflow(execution.workflowId, execution.id),
          ...stateOf(execution),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
}

function stateOf(execution: Execution): ExecutionState {
  const {
    variables: _v,
    metadata: _m,
    definition: _d,
    timezone: _t,
    workflowSchedule: _w,
    tcpaSchedule: _s,
    maxAttemptsPer24h: _c,
    attempts: _a,
    ...state
  } = execution;
  return state;
}

const live = ['CREATED', 'RUNNING'] as const;

/**
 * Records the schedule check's answer for the current step (nextRunAt and why); the decision it
 * replaces goes to the run's timeline.
 */
export async function recordSchedule(
  execution: ExecutionState,
  decision: ScheduleDecision,
  now: Date
): Promise<boolean> {
  const update = new Update()
    .set('nextRunAt', decision.nextRunAt)
    .set('schedule', decision)
    .set('updatedAt', now.toISOString())
    .whenEquals('stepIndex', decision.stepIndex)
    .whenIn('status', live)
    .bumpVersion(execution.version);
  await keepReplacedDecision(execution, decision, update);
  return update.run(keys.execution(execution.id));
}

/**
 * Claims the current step for a contact: loses to a cancel or pause (the status is in the
 * condition) and to any write since the read (the version). The first claim moves a run from
 * CREATED to RUNNING. The write-once attempt item is the second guard (step-attempts.ts).
 */
export function claimStep(
  execution: ExecutionState,
  stepIndex: number,
  now: Date
): Promise<boolean> {
  return new Update()
    .set('status', 'RUNNING')
    .setIfAbsent('startedAt', now.toISOString())
    .set('updatedAt', now.toISOString())
    .whenEquals('stepIndex', stepIndex)
    .whenIn('status', live)
    .bumpVersion(execution.version)
    .run(keys.execution(execution.id));
}

/**
 * Notes on the run that its current attempt waits for a pacing slot. Not version-checked and
 * not versioned: it changes nothing a decision depends on, so it neither refuses nor is refused
 * by the writes that move the run.
 */
export async function markQueued(
  executionId: string,
  queued: NonNullable<ExecutionState['queued']>
): Promise<void> {
  await new Update().set('queued', queued).whenExists().run(keys.execution(executionId));
}

export interface Advance {
  stepIndex: number;
  /** The attempt whose outcome moves the run on: a late report of an earlier one cannot. */
  attemptNo: number;
  disposition: Disposition;
  /** Finished: the run ends COMPLETED with this disposition; else it moves to `nextStepIndex`. */
  finished: boolean;
  nextStepIndex: number;
  nextAttemptNo: number;
  schedule?: ScheduleDecision;
}

/**
 * Moves a run past the step whose outcome was recorded, with the next step's schedule (the
 * decision it replaces goes to the run's timeline).
 */
export async function advanceExecution(
  execution: ExecutionState,
  advance: Advance,
  now: Date
): Promise<boolean> {
  const at = now.toISOString();
  const update = new Update()
    .set('updatedAt', at)
    .set('nextRunAt', advance.schedule?.nextRunAt ?? null)
    .whenEquals('stepIndex', advance.stepIndex)
    .whenEquals('attemptNo', advance.attemptNo)
    .whenIn('status', ['RUNNING', 'PAUSED'])
    .bumpVersion(execution.version);
  if (advance.schedule) {
    update.set('schedule', advance.schedule);
    await keepReplacedDecision(execution, advance.schedule, update);
  }
  if (advance.finished) {
    update
      .set('status', 'COMPLETED')
      .set('disposition', advance.disposition)
      .set('completedAt', at);
  } else {
    update.set('stepIndex', advance.nextStepIndex).set('attemptNo', advance.nextAttemptNo);
  }
  return update.run(keys.execution(execution.id));
}

/**
 * Ends a run that cannot continue; a run that already ended keeps its status. Like a cancel, it
 * lets go of a paused run's park token: the execution that held it has ended.
 */
export function markFailed(execution: ExecutionState, error: string, now: Date): Promise<boolean> {
  return endRun(execution, 'FAILED', now, { error });
}

/**
 * Ends an active run with `status` (a version-checked write, so it loses to any change since
 * the read): it is no longer due, and it lets go of a paused run's park token, whose execution
 * has ended. False when the run changed or already ended.
 */
export function endRun(
  execution: ExecutionState,
  status: 'FAILED' | 'CANCELLED',
  now: Date,
  fields: Partial<Pick<ExecutionState, 'error' | 'cancelledBy'>>
): Promise<boolean> {
  const update = new Update()
    .set('status', status)
    .set('completedAt', now.toISOString())
    .set('updatedAt', now.toISOString())
    .set('nextRunAt', null);
  for (const [name, value] of Object.entries(fields)) if (value) update.set(name, value);
  return update
    .remove('pausedFrom')
    .remove('parkToken')
    .whenIn('status', activeStatuses)
    .bumpVersion(execution.version)
    .run(keys.execution(execution.id));
}
