import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { BadRequestError } from '../shared/errors.js';
import { dynamo } from './aws-clients.js';

type Key = Record<string, unknown>;

/**
 * Cursors are opaque: the id of the last item of the page (a UUID, or an E.164 number for the
 * suppression list), nothing of the table's key layout or
 * the organization. The start key is rebuilt inside the caller's own partition, so an edited
 * cursor can at most move within the caller's own list, and anything but an id is a 400.
 */
const idCursorSchema = z
  .object({ after: z.union([z.uuid(), z.string().regex(/^\+[1-9]\d{1,14}$/)]) })
  .strict();
/** A position in a list sorted in memory: only ever compared with the list's own keys. */
const positionCursorSchema = z.object({ after: z.string().min(1).max(200) }).strict();

export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

export function decodeCursor(
  cursor: string,
  schema: z.ZodType<{ after: string }> = idCursorSchema
): string {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError('cursor is not a cursor returned by this API');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError('cursor is not a cursor returned by this API');
  return parsed.data.after;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A page of exactly `limit` matching items (fewer only at the end), even when a filter drops
 * items: DynamoDB applies `Limit` before `FilterExpression`, so one Query can return short pages.
 * Every listed item carries its `id`; `startKeyOf(id)` rebuilds the key to continue after it.
 */
export interface PageOptions {
  limit: number;
  cursor?: string;
  /** Items to skip first (read and dropped: DynamoDB has no offsets). */
  offset?: number;
}

export interface QueryPageOptions extends PageOptions {
  startKeyOf: (id: string) => Key;
  /** What a cursor may carry, for lists whose ids are not UUIDs (agents). */
  cursorSchema?: z.ZodType<{ after: string }>;
  /**
   * Turns the items of one Query page into the items listed, in the same order: for an index
   * that projects only keys, reads the items themselves and drops those that do not match.
   */
  resolve?: (items: Key[]) => Promise<Key[]>;
}

export async function queryPage(
  input: QueryCommandInput,
  options: QueryPageOptions
): Promise<Page<Key>> {
  const items: Key[] = [];
  const wanted = (options.offset ?? 0) + options.limit;
  let startKey =
    options.cursor === undefined
      ? undefined
      : options.startKeyOf(decodeCursor(options.cursor, options.cursorSchema));
  do {
    const page = await dynamo().send(
      new QueryCommand({ ...input, Limit: Math.min(wanted, 1000), ExclusiveStartKey: startKey })
    );
    const found = page.Items ?? [];
    items.push(...(options.resolve ? await options.resolve(found) : found));
    startKey = page.LastEvaluatedKey;
  } while (items.length < wanted && startKey);
  const kept = items.slice(options.offset ?? 0, wanted);
  const more = items.length > wanted || startKey !== undefined;
  // A full page may still be the last one; one extra empty page is cheaper than a look-ahead.
  const last = kept.at(-1);
  return { items: kept, nextCursor: more && last ? encodeCursor(String(last.id)) : null };
}

/**
 * A page of a list already in memory, sorted by `keyOf` (unique keys): the cursor is the key of
 * the page's last item, so a page goes on after it even when items were added meanwhile.
 */
export function pageOfSorted<T>(
  items: T[],
  keyOf: (item: T) => string,
  options: PageOptions
): Page<T> {
  const after =
    options.cursor === undefined ? undefined : decodeCursor(options.cursor, positionCursorSchema);
  const rest = after === undefined ? items : items.filter((item) => keyOf(item) > after);
  const start = options.offset ?? 0;
  const kept = rest.slice(start, start + options.limit);
  const last = kept.at(-1);
  const more = rest.length > start + options.limit;
  return { items: kept, nextCursor: more && last ? encodeCursor(keyOf(last)) : null };
}
