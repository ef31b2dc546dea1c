import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Workflow, workflowSchema } from '../schemas/workflow.js';
import { WorkflowNotFoundError } from '../shared/errors.js';
import { dynamo } from './aws-clients.js';
import { type Page, type PageOptions, queryPage } from './pagination.js';
import { isConditionalCheckFailed, tableName } from './table.js';
import { keys, withoutKeys } from './table-keys.js';

export async function putWorkflow(workflow: Workflow): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...keys.workflow(workflow.organizationId, workflow.id), ...workflow },
    })
  );
}

/** Replaces a workflow that must still exist (a concurrent delete wins over an update). */
export async function replaceWorkflow(workflow: Workflow): Promise<void> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.workflow(workflow.organizationId, workflow.id), ...workflow },
        ConditionExpression: 'attribute_exists(pk)',
      })
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      throw new WorkflowNotFoundError(workflow.id);
    }
    throw error;
  }
}

export async function getWorkflow(organizationId: string, workflowId: string): Promise<Workflow> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.workflow(organizationId, workflowId),
    })
  );
  if (!Item) throw new WorkflowNotFoundError(workflowId);
  return workflowSchema.parse(withoutKeys(Item));
}

/** Whether the workflow still exists (an eventually consistent read is enough: deletes are rare). */
export async function workflowExists(organizationId: string, workflowId: string): Promise<boolean> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.workflow(organizationId, workflowId),
      ProjectionExpression: 'pk',
    })
  );
  return Item !== undefined;
}

/** An organization's workflows, newest first, optionally only active or inactive ones. */
export async function listWorkflows(
  organizationId: string,
  options: PageOptions & { active?: boolean }
): Promise<Page<Workflow>> {
  const { pk, skPrefix } = keys.workflowPrefix(organizationId);
  const page = await queryPage(
    {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': pk,
        ':prefix': skPrefix,
        ...(options.active !== undefined && { ':active': options.active }),
      },
      ...(options.active !== undefined && { FilterExpression: 'active = :active' }),
      ScanIndexForward: false,
    },
    { ...options, startKeyOf: (id) => keys.workflow(organizationId, id) }
  );
  return {
    items: page.items.map((item) => workflowSchema.parse(withoutKeys(item))),
    nextCursor: page.nextCursor,
  };
}

export async function deleteWorkflow(organizationId: string, workflowId: string): Promise<void> {
  try {
    await dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.workflow(organizationId, workflowId),
        ConditionExpression: 'attribute_exists(pk)',
      })
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) {
      throw new WorkflowNotFoundError(workflowId);
    }
    throw error;
  }
}
