import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  attemptKey,
  type Execution,
  type ExecutionState,
  type ExecutionStatus,
  executionContactSchema,
  executionStateSchema,
  type StepAttempt,
  stepAttemptSchema,
} from '../schemas/execution.js';
import { ExecutionNotFoundError } from '../shared/errors.js';
import { dynamo } from './aws-clients.js';
import { type Page, type PageOptions, queryPage } from './pagination.js';
import { findSnapshot } from './snapshots.js';
import { readWholePartition, tableName } from './table.js';
import { keys, withoutKeys } from './table-keys.js';

const WORKFLOW_INDEX = 'gsi1';

/**
 * A run as the use cases see it: its state, contact, definition snapshot and step attempts.
 * Undefined until the state item exists (it is written last at creation).
 */
export async function findExecution(executionId: string): Promise<Execution | undefined> {
  const items = await readWholePartition(keys.executionPartition(executionId));
  const stateItem = items.find((item) => item.sk === 'EXECUTION');
  const contactItem = items.find((item) => item.sk === 'CONTACT');
  if (!stateItem || !contactItem) return undefined;
  const state = executionStateSchema.parse(withoutKeys(stateItem));
  const snapshot = await findSnapshot(state.snapshotId);
  if (!snapshot) throw new Error(`Execution ${executionId} refers to a missing snapshot`);
  const attempts: Record<string, StepAttempt> = {};
  for (const item of items) {
    if (typeof item.sk !== 'string' || !item.sk.startsWith('ATTEMPT#')) continue;
    const attempt = stepAttemptSchema.parse(withoutKeys(item));
    attempts[attemptKey(attempt.stepIndex, attempt.attemptNo)] = attempt;
  }
  return {
    ...state,
    ...executionContactSchema.parse(withoutKeys(contactItem)),
    ...snapshot,
    attempts,
  };
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
    execution.deletedAt !== undefined ||
    execution.organizationId !== organizationId ||
    (workflowId !== undefined && execution.workflowId !== workflowId)
  ) {
    throw new ExecutionNotFoundError(executionId);
  }
  return execution;
}

export interface ExecutionFilter {
  status?: ExecutionStatus;
  customerLeadId?: string;
}

/** A workflow's runs, newest first (ids are UUIDv7). The cursor is the last run's id. */
export async function listExecutionsOfWorkflow(
  workflowId: string,
  filter: ExecutionFilter,
  options: PageOptions
): Promise<Page<ExecutionState>> {
  const conditions: string[] = [];
  const values: Record<string, unknown> = { ':wf': `WORKFLOW#${workflowId}` };
  if (filter.status) {
    conditions.push('#status = :status');
    values[':status'] = filter.status;
  }
  if (filter.customerLeadId) {
    conditions.push('customerLeadId = :lead');
    values[':lead'] = filter.customerLeadId;
  }
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: WORKFLOW_INDEX,
      KeyConditionExpression: 'gsi1pk = :wf',
      ExpressionAttributeValues: values,
      ...(conditions.length > 0 && { FilterExpression: conditions.join(' AND ') }),
      ...(filter.status && { ExpressionAttributeNames: { '#status': 'status' } }),
      ScanIndexForward: false,
    },
    {
      ...options,
      startKeyOf: (id) => ({
        ...keys.execution(id),
        ...keys.executionByWorkflow(workflowId, id),
      }),
    }
  );
  return {
    items: page.items.map((item) => executionStateSchema.parse(withoutKeys(item))),
    nextCursor: page.nextCursor,
  };
}

/** Only the run's state item (status, step, version): what the sweep and Mark Failed need. */
export async function findExecutionState(executionId: string): Promise<ExecutionState | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.execution(executionId),
      ConsistentRead: true,
    })
  );
  return Item ? executionStateSchema.parse(withoutKeys(Item)) : undefined;
}
