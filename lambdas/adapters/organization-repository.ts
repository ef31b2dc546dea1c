import { createHash, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { storedOrganizationSettingsSchema } from '../schemas/organization.js';
import { dynamo } from './aws-clients.js';
import { isConditionalCheckFailed, tableName } from './table.js';
import { keys } from './table-keys.js';

/** Only this hash of an API key is ever stored. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

export function generateApiKey(): string {
  return `ow_${randomBytes(32).toString('base64url')}`;
}

/** The organization an API key belongs to, or undefined for an unknown key. */
export async function findOrganizationIdByApiKey(apiKey: string): Promise<string | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.apiKey(hashApiKey(apiKey)) })
  );
  return typeof Item?.organizationId === 'string' ? Item.organizationId : undefined;
}

/** Finds the organization by name, creating it (and its name index) when it does not exist. */
export async function ensureOrganization(name: string, now: Date): Promise<string> {
  const table = tableName();
  const existing = await dynamo().send(
    new GetCommand({ TableName: table, Key: keys.organizationName(name) })
  );
  if (typeof existing.Item?.organizationId === 'string') return existing.Item.organizationId;
  const organizationId = uuidv7();
  try {
    // The name index is written first and conditionally, so two racing creators agree on one id.
    await dynamo().send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.organizationName(name), organizationId },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    );
  } catch (error) {
    if (isConditionalCheckFailed(error)) return ensureOrganization(name, now);
    throw error;
  }
  await dynamo().send(
    new PutCommand({
      TableName: table,
      Item: {
        ...keys.organization(organizationId),
        id: organizationId,
        name,
        createdAt: now.toISOString(),
      },
    })
  );
  return organizationId;
}

/** Stores the hash of `apiKey` for the organization. */
export async function storeApiKey(
  organizationId: string,
  apiKey: string,
  now: Date
): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...keys.apiKey(hashApiKey(apiKey)),
        organizationId,
        prefix: apiKey.slice(0, 7),
        createdAt: now.toISOString(),
      },
    })
  );
}

const organizationSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
  settings: storedOrganizationSettingsSchema.optional(),
  /** Counts settings writes, so a write based on an older read is refused. */
  settingsVersion: z.int().min(0).optional(),
});
export type Organization = z.infer<typeof organizationSchema>;

export async function findOrganization(organizationId: string): Promise<Organization | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.organization(organizationId) })
  );
  return Item ? organizationSchema.parse(Item) : undefined;
}
