import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Disposition } from '../schemas/common.js';
import {
  type Execution,
  type ExecutionStatus,
  executionSchema,
  type ScheduleDecision,
  type StepAttempt,
} from '../schemas/execution.js';
import { getEnv } from '../shared/env.js';
import { ExecutionNotFoundError } from '../shared/errors.js';
import { dynamo } from './aws-clients.js';
import { type Page, queryPage } from './pagination.js';
import { keys, withoutKeys } from './table-keys.js';

const WORKFLOW_INDEX = 'gsi1';

function isConditionFailure(error: unknown): boolean {
  return (error as Error).name === 'ConditionalCheckFailedException';
}

/** Runs a conditional update; false when its condition did not hold. */
async function conditionalUpdate(
  input: ConstructorParameters<typeof UpdateCommand>[0]
): Promise<boolean> {
  try {
    await dynamo().send(new UpdateCommand(input));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function insertExecution(execution: Execution): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: getEnv('TABLE_NAME'),
      Item: {
        ...keys.execution(execution.id),
        ...keys.executionByWorkflow(execution.workflowId, execution.id),
        ...execution,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    })
  );
}

/** Removes an execution whose state machine never started (no half-written records). */
export async function deleteExecution(executionId: string): Promise<void> {
  await dynamo().send(
    new DeleteCommand({ TableName: getEnv('TABLE_NAME'), Key: keys.execution(executionId) })
  );
}

export async function findExecution(executionId: string): Promise<Execution | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: getEnv('TABLE_NAME'),
      Key: keys.execution(executionId),
      ConsistentRead: true,
    })
  );
  return Item ? executionSchema.parse(withoutKeys(Item)) : undefined;
}

/** An execution as its organization sees it: another organization's id is simply not found. */
export async function getExecution(
  organizationId: string,
  executionId: string,
  workflowId?: string
): Promise<Execution> {
  const execution = await findExecution(executionId);
  if (
    !execution ||
    execution.organizationId !== organizationId ||
    (workflowId !== undefined && execution.workflowId !== workflowId)
  ) {
    throw new ExecutionNotFoundError(executionId);
  }
  return execution;
}

export async function listExecutionsOfWorkflow(
  workflowId: string,
  filter: { status?: ExecutionStatus; customerLeadId?: string },
  options: { limit: number; cursor?: string }
): Promise<Page<Execution>> {
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':wf': `WORKFLOW#${workflowId}` };
  if (filter.status) {
    conditions.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = filter.status;
  }
  if (filter.customerLeadId) {
    conditions.push('customerLeadId = :lead');
    values[':lead'] = filter.customerLeadId;
  }
  const page = await queryPage(
    {
      TableName: getEnv('TABLE_NAME'),
      IndexName: WORKFLOW_INDEX,
      KeyConditionExpression: 'gsi1pk = :wf',
      ExpressionAttributeValues: values,
      ...(conditions.length > 0 && {
        FilterExpression: conditions.join(' AND '),
        ...(Object.keys(names).length > 0 && { ExpressionAttributeNames: names }),
      }),
      ScanIndexForward: false,
    },
    {
      ...options,
      partition: { gsi1pk: `WORKFLOW#${workflowId}` },
      keyOf: (item) => ({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk }),
    }
  );
  return {
    items: page.items.map((item) => executionSchema.parse(withoutKeys(item))),
    nextCursor: page.nextCursor,
  };
}

/** Records the schedule-check's answer for the current step (nextRunAt and why). */
export async function recordSchedule(
  executionId: string,
  decision: ScheduleDecision,
  now: Date
): Promise<boolean> {
  return conditionalUpdate({
    TableName: getEnv('TABLE_NAME'),
    Key: keys.execution(executionId),
    UpdateExpression: 'SET nextRunAt = :next, #schedule = :schedule, updatedAt = :now',
    ConditionExpression: 'stepIndex = :index AND #status IN (:created, :running)',
    ExpressionAttributeNames: { '#schedule': 'schedule', '#status': 'status' },
    ExpressionAttributeValues: {
      ':next': decision.nextRunAt,
      ':schedule': decision,
      ':index': decision.stepIndex,
      ':created': 'CREATED',
      ':running': 'RUNNING',
      ':now': now.toISOString(),
    },
  });
}

/**
 * Claims a step attempt: the one write that allows a contact. It succeeds once per
 * (execution, step, attempt), and never after a cancel or pause (the status is in the condition).
 * The first claim is also what moves a run from CREATED to RUNNING.
 */
export async function claimAttempt(
  executionId: string,
  key: string,
  attempt: StepAttempt,
  now: Date
): Promise<boolean> {
  return conditionalUpdate({
    TableName: getEnv('TABLE_NAME'),
    Key: keys.execution(executionId),
    UpdateExpression:
      'SET attempts.#key = :attempt, #status = :running, startedAt = if_not_exists(startedAt, :now), updatedAt = :now',
    ConditionExpression:
      '#status IN (:created, :running) AND stepIndex = :index AND attribute_not_exists(attempts.#key)',
    ExpressionAttributeNames: { '#key': key, '#status': 'status' },
    ExpressionAttributeValues: {
      ':attempt': attempt,
      ':created': 'CREATED',
      ':running': 'RUNNING',
      ':index': attempt.stepIndex,
      ':now': now.toISOString(),
    },
  });
}

/** Points an attempt that has no outcome yet at the task token now waiting for it. */
export async function swapTaskToken(
  executionId: string,
  key: string,
  taskToken: string
): Promise<boolean> {
  return conditionalUpdate({
    TableName: getEnv('TABLE_NAME'),
    Key: keys.execution(executionId),
    UpdateExpression: 'SET attempts.#key.taskToken = :token',
    ConditionExpression:
      'attribute_exists(attempts.#key) AND attribute_not_exists(attempts.#key.disposition)',
    ExpressionAttributeNames: { '#key': key },
    ExpressionAttributeValues: { ':token': taskToken },
  });
}

/** Records that the channel accepted the attempt, so a restart knows not to deliver again. */
export async function markHandedOver(executionId: string, key: string, now: Date): Promise<void> {
  await conditionalUpdate({
    TableName: getEnv('TABLE_NAME'),
    Key: keys.execution(executionId),
    UpdateExpression: 'SET attempts.#key.handedOverAt = :now',
    ConditionExpression: 'attribute_exists(attempts.#key)',
    ExpressionAttributeNames: { '#key': key },
    ExpressionAttributeValues: { ':now': now.toISOString() },
  });
}

export interface OutcomeWrite {
  key: string;
  stepIndex: number;
  disposition: Disposition;
  agentCall?: StepAttempt['agentCall'];
  error?: string;
  /**
   * Set when the run advances: the next step index (with its schedule decision, stored in the
   * same write), or the final disposition.
   */
  advance?: { finished: boolean; nextStepIndex: number; schedule?: ScheduleDecision };
  now: Date;
}

/**
 * Records a step's outcome exactly once (a second report finds the disposition already set)
 * and, with `advance`, moves the execution on in the same write.
 */
export async function recordOutcome(executionId: string, write: OutcomeWrite): Promise<boolean> {
  const now = write.now.toISOString();
  const sets = [
    'attempts.#key.#attemptStatus = :completed',
    'attempts.#key.disposition = :disposition',
    'attempts.#key.completedAt = :now',
    'updatedAt = :now',
  ];
  const names: Record<string, string> = { '#key': write.key, '#attemptStatus': 'status' };
  const values: Record<string, unknown> = {
    ':completed': write.error ? 'FAILED' : 'COMPLETED',
    ':disposition': write.disposition,
    ':now': now,
  };
  if (write.agentCall) {
    sets.push('attempts.#key.agentCall = :agentCall');
    values[':agentCall'] = write.agentCall;
  }
  if (write.error) {
    sets.push('attempts.#key.#error = :error');
    names['#error'] = 'error';
    values[':error'] = write.error;
  }
  let condition =
    'attribute_exists(attempts.#key) AND attribute_not_exists(attempts.#key.disposition)';
  if (write.advance) {
    names['#status'] = 'status';
    values[':index'] = write.stepIndex;
    values[':running'] = 'RUNNING';
    values[':paused'] = 'PAUSED';
    condition += ' AND stepIndex = :index AND #status IN (:running, :paused)';
    const schedule = write.advance.schedule;
    sets.push('nextRunAt = :next');
    values[':next'] = schedule?.nextRunAt ?? null;
    if (schedule) {
      sets.push('#schedule = :schedule');
      names['#schedule'] = 'schedule';
      values[':schedule'] = schedule;
    }
    if (write.advance.finished) {
      sets.push('#status = :done', 'disposition = :disposition', 'completedAt = :now');
      values[':done'] = 'COMPLETED';
    } else {
      sets.push('stepIndex = :nextIndex');
      values[':nextIndex'] = write.advance.nextStepIndex;
    }
  }
  return conditionalUpdate({
    TableName: getEnv('TABLE_NAME'),
    Key: keys.execution(executionId),
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/** Ends a run that cannot continue; a run that already ended keeps its status. */
export async function markFailed(executionId: string, error: string, now: Date): Promise<boolean> {
  return conditionalUpdate({
    TableName: getEnv('TABLE_NAME'),
    Key: keys.execution(executionId),
    UpdateExpression:
      'SET #status = :failed, #error = :error, completedAt = :now, updatedAt = :now, nextRunAt = :null',
    ConditionExpression:
      'attribute_exists(pk) AND NOT #status IN (:completed, :failed, :cancelled)',
    ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
    ExpressionAttributeValues: {
      ':failed': 'FAILED',
      ':completed': 'COMPLETED',
      ':cancelled': 'CANCELLED',
      ':error': error,
      ':now': now.toISOString(),
      ':null': null,
    },
  });
}

export interface StepExecutionPointer {
  executionId: string;
  organizationId: string;
  key: string;
}

/** Written before the attempt is claimed; idempotent, and harmless if the claim then fails. */
export async function putStepExecutionPointer(
  id: string,
  pointer: StepExecutionPointer
): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: getEnv('TABLE_NAME'),
      Item: { ...keys.stepExecution(id), ...pointer },
    })
  );
}

export async function findStepExecutionPointer(
  id: string
): Promise<StepExecutionPointer | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: getEnv('TABLE_NAME'), Key: keys.stepExecution(id) })
  );
  if (!Item) return undefined;
  return {
    executionId: String(Item.executionId),
    organizationId: String(Item.organizationId),
    key: String(Item.key),
  };
}
