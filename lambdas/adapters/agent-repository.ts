import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type Agent, agentIdSchema, agentSchema } from '../schemas/agent.js';
import { dynamo } from './aws-clients.js';
import { type Page, type PageOptions, queryPage } from './pagination.js';
import { conditionally, isConditionalCheckFailed, tableName, Update } from './table.js';
import { keys, withoutKeys } from './table-keys.js';

/** Agents: one item each in their organization's partition (`ORG#<orgId>` / `AGENT#<agentId>`). */

const agentCursorSchema = z.strictObject({ after: agentIdSchema });

/** Stores a new agent; false when the organization already has one with this id. */
export function insertAgent(agent: Agent): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.agent(agent.organizationId, agent.id), ...agent },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
}

/** The organization's agent, read strongly consistent (an update checks its version). */
export async function getAgent(
  organizationId: string,
  agentId: string
): Promise<Agent | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: keys.agent(organizationId, agentId),
      ConsistentRead: true,
    })
  );
  return Item ? agentSchema.parse(withoutKeys(Item)) : undefined;
}

/** An organization's agents in id order. */
export async function listAgents(
  organizationId: string,
  options: PageOptions
): Promise<Page<Agent>> {
  const { pk, skPrefix } = keys.agentPrefix(organizationId);
  const page = await queryPage(
    {
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
    },
    {
      ...options,
      cursorSchema: agentCursorSchema,
      startKeyOf: (id) => keys.agent(organizationId, id),
    }
  );
  return {
    items: page.items.map((item) => agentSchema.parse(withoutKeys(item))),
    nextCursor: page.nextCursor,
  };
}

/**
 * Writes `agent`'s changeable fields over the stored ones, only if the item still exists at
 * `readVersion`; false otherwise (deleted, or updated since it was read).
 */
export function updateAgent(agent: Agent, readVersion: number): Promise<boolean> {
  const update = new Update()
    .set('name', agent.name)
    .set('type', agent.type)
    .set('provider', agent.provider)
    .set('settings', agent.settings)
    .set('credentialKeys', agent.credentialKeys)
    .set('updatedAt', agent.updatedAt)
    .whenExists()
    .bumpVersion(readVersion);
  if (agent.maxConcurrentCalls === undefined) update.remove('maxConcurrentCalls');
  else update.set('maxConcurrentCalls', agent.maxConcurrentCalls);
  return update.run(keys.agent(agent.organizationId, agent.id));
}

/** Deletes the agent; answers it as it was, or undefined when there was none. */
export async function deleteAgent(
  organizationId: string,
  agentId: string
): Promise<Agent | undefined> {
  try {
    const { Attributes } = await dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.agent(organizationId, agentId),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      })
    );
    return Attributes ? agentSchema.parse(withoutKeys(Attributes)) : undefined;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return undefined;
    throw error;
  }
}
