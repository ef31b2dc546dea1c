import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName } from './table.js';
import { keys } from './table-keys.js';

/**
 * An organization's emergency stops: one item per blocked state in the organization's
 * partition, so Dispatch reads them all with one small Query (an organization without any
 * reads an empty page). Read eventually consistent: a stop takes hold within about a second.
 */
export interface EmergencyStop {
  state: string;
  since: string;
}

/** Blocks the state; false when it was blocked already (the first `since` stays). */
export function putEmergencyStop(
  organizationId: string,
  state: string,
  now: Date
): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.emergencyStop(organizationId, state), state, since: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
}

/** Lifts the stop; false when the state was not blocked. */
export function deleteEmergencyStop(organizationId: string, state: string): Promise<boolean> {
  return conditionally(() =>
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.emergencyStop(organizationId, state),
        ConditionExpression: 'attribute_exists(pk)',
      })
    )
  );
}

/** The organization's blocked states (a few at most, so one page). */
export async function listEmergencyStops(organizationId: string): Promise<EmergencyStop[]> {
  const { pk, skPrefix } = keys.emergencyStopPrefix(organizationId);
  const { Items } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
    })
  );
  return (Items ?? []).map((item) => ({ state: String(item.state), since: String(item.since) }));
}
