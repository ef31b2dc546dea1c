import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Execution,
  type ExecutionState,
  type ExecutionStatus,
  executionContactSchema,
  executionStateSchema,
} from '../schemas/execution.js';
import { attemptKeyOf, type StepAttempt, stepAttemptSchema } from '../schemas/step-attempt.js';
import { ExecutionNotFoundError } from '../shared/errors.js';
import { dynamo } from './aws-clients.js';
import { type Page, type PageOptions, queryPage } from './pagination.js';
import { findSnapshot } from './snapshots.js';
import { batchGetItems, readWholePartition, tableName } from './table.js';
import { keys, TIMELINE_PREFIX, withoutKeys } from './table-keys.js';

const WORKFLOW_INDEX = 'gsi1';

/**
 * A run as the use cases see it: its state, contact, definition snapshot and step attempts.
 * Undefined until the state item exists (it is written last at creation).
 */
export async function findExecution(executionId: string): Promise<Execution | undefined> {
  // Timeline records sort last and are read only for the timeline.
  const items = await readWholePartition(keys.executionPartition(executionId), {
    below: TIMELINE_PREFIX,
  });
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
    attempts[attemptKeyOf(attempt)] = attempt;
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

/**
 * A workflow's runs, newest first (ids are UUIDv7). The cursor is the last run's id.
 * The index holds only keys and `customerLeadId` (so run updates never write it): the lead
 * filter runs in the index, then each page's state items are read in one BatchGetItem, and the
 * status filter (and a run deleted since the index was written) is applied to what they say.
 */
export async function listExecutionsOfWorkflow(
  workflowId: string,
  filter: ExecutionFilter,
  options: PageOptions
): Promise<Page<ExecutionState>> {
  const page = await queryPage(
    {
      TableName: tableName(),
      IndexName: WORKFLOW_INDEX,
      KeyConditionExpression: 'gsi1pk = :wf',
      ExpressionAttributeValues: {
        ':wf': `WORKFLOW#${workflowId}`,
        ...(filter.customerLeadId && { ':lead': filter.customerLeadId }),
      },
      ...(filter.customerLeadId && { FilterExpression: 'customerLeadId = :lead' }),
      ScanIndexForward: false,
    },
    {
      ...options,
      startKeyOf: (id) => ({
        ...keys.execution(id),
        ...keys.executionByWorkflow(workflowId, id),
      }),
      resolve: (indexItems) => readListedStates(indexItems, filter.status),
    }
  );
  return {
    items: page.items.map((item) => executionStateSchema.parse(withoutKeys(item))),
    nextCursor: page.nextCursor,
  };
}

/** The state items behind one index page, in the index's order, kept when still listed. */
async function readListedStates(
  indexItems: Record<string, unknown>[],
  status: ExecutionStatus | undefined
): Promise<Record<string, unknown>[]> {
  const stateKeys = indexItems.map(({ pk, sk }) => ({ pk: String(pk), sk: String(sk) }));
  const byPk = new Map((await batchGetItems(stateKeys)).map((item) => [item.pk, item]));
  return stateKeys
    .map(({ pk }) => byPk.get(pk))
    .filter(
      (item): item is Record<string, unknown> =>
        item !== undefined &&
        item.deletedAt === undefined &&
        (status === undefined || item.status === status)
    );
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
