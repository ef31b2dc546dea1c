import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OrganizationSettingsPatch } from '../schemas/organization.js';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName } from './table.js';
import { keys } from './table-keys.js';

/**
 * Replaces the settings an organization has set, only if nobody wrote them since they were read
 * at `readVersion` (0: never written). False when another write came first: read again, merge
 * again. The organization must exist: this never creates one.
 */
export async function writeOrganizationSettings(
  organizationId: string,
  settings: OrganizationSettingsPatch,
  readVersion: number,
  now: Date
): Promise<boolean> {
  const versionCondition =
    readVersion === 0 ? 'attribute_not_exists(settingsVersion)' : 'settingsVersion = :read';
  return conditionally(() =>
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.organization(organizationId),
        UpdateExpression: 'SET settings = :settings, settingsVersion = :next, updatedAt = :now',
        ConditionExpression: `attribute_exists(pk) AND ${versionCondition}`,
        ExpressionAttributeValues: {
          ':settings': settings,
          ':next': readVersion + 1,
          ':now': now.toISOString(),
          ...(readVersion === 0 ? {} : { ':read': readVersion }),
        },
      })
    )
  );
}
