import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../shared/errors.js';
import { dynamo } from './aws-clients.js';

type Key = Record<string, unknown>;

export function encodeCursor(key: Key | undefined): string | null {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;
}

/** Decodes a cursor and checks it belongs to the partition being read (no cross-tenant hops). */
export function decodeCursor(cursor: string | undefined, partition: Key): Key | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError('cursor is not a cursor returned by this API');
  }
  const valid =
    typeof key === 'object' &&
    key !== null &&
    Object.entries(partition).every(([name, value]) => (key as Key)[name] === value);
  if (!valid) throw new BadRequestError('cursor is not a cursor returned by this API');
  return key as Key;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A page of exactly `limit` matching items (fewer only at the end), even when a filter drops
 * items: DynamoDB applies `Limit` before `FilterExpression`, so one Query can return short pages.
 */
export async function queryPage(
  input: QueryCommandInput,
  options: { limit: number; cursor?: string; partition: Key; keyOf: (item: Key) => Key }
): Promise<Page<Key>> {
  const items: Key[] = [];
  let startKey = decodeCursor(options.cursor, options.partition);
  do {
    const page = await dynamo().send(
      new QueryCommand({ ...input, Limit: options.limit, ExclusiveStartKey: startKey })
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (items.length < options.limit && startKey);
  if (items.length > options.limit) {
    const kept = items.slice(0, options.limit);
    return { items: kept, nextCursor: encodeCursor(options.keyOf(kept.at(-1) as Key)) };
  }
  // A full page may still be the last one; one extra empty page is cheaper than a look-ahead.
  return { items, nextCursor: encodeCursor(startKey) };
}
