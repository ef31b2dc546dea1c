import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type DefinitionSnapshot, definitionSnapshotSchema } from '../schemas/execution.js';
import { dynamo } from './aws-clients.js';
import { conditionally, tableName } from './table.js';
import { keys, withoutKeys } from './table-keys.js';

/** Snapshots are immutable, so a container may keep them; bounded so memory stays flat. */
const cache = new Map<string, DefinitionSnapshot>();
const CACHE_LIMIT = 200;

function remember(id: string, snapshot: DefinitionSnapshot): void {
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, snapshot);
}

/** Content address of a snapshot: the same workflow version always gets the same id. */
export function snapshotIdOf(snapshot: DefinitionSnapshot): string {
  return createHash('sha256').update(JSON.stringify(snapshot)).digest('base64url');
}

/**
 * Stores a snapshot unless it is already stored. Known ids are skipped without a write, so a
 * bulk of runs of one workflow writes the (possibly large) definition once per container.
 */
export async function ensureSnapshot(id: string, snapshot: DefinitionSnapshot): Promise<void> {
  if (cache.has(id)) return;
  await conditionally(() =>
    dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...keys.snapshot(id), ...snapshot },
        ConditionExpression: 'attribute_not_exists(pk)',
      })
    )
  );
  remember(id, snapshot);
}

export async function findSnapshot(id: string): Promise<DefinitionSnapshot | undefined> {
  const known = cache.get(id);
  if (known) return known;
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: keys.snapshot(id), ConsistentRead: true })
  );
  if (!Item) return undefined;
  const snapshot = definitionSnapshotSchema.parse(withoutKeys(Item));
  remember(id, snapshot);
  return snapshot;
}
