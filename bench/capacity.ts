/**
 * DynamoDB capacity as the handlers use it: the table's units as dynalite reports them with
 * `ReturnConsumedCapacity` (the larger of the item before and after, per 1 KB written or 4 KB
 * read), plus the global secondary indexes' write units, which dynalite does not report and
 * this module models from each write, the item sizes and the table's own index projections.
 * A read that finds nothing, which dynalite reports as 0 units, is counted at the smallest read
 * DynamoDB bills: half a unit, a whole one when strongly consistent.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamo } from '../lambdas/adapters/aws-clients.js';
import { LambdaRuntime } from '../local/lambda-runtime.js';

export const noIo = {
  reads: 0,
  writes: 0,
  readUnits: 0,
  writeUnits: 0,
  indexWriteUnits: 0,
  refusedWrites: 0,
  emptyReads: 0,
};

export interface Io {
  reads: number;
  writes: number;
  readUnits: number;
  writeUnits: number;
  /** Modelled: the index entries each write puts, rewrites or deletes (see IndexModel). */
  indexWriteUnits: number;
  /** Writes refused by their condition: billed on AWS, not reported by dynalite. */
  refusedWrites: number;
  /** Reads dynalite reported as 0 units (nothing found), counted in readUnits at the minimum. */
  emptyReads: number;
}

export interface Index {
  keys: string[];
  /** Attributes an entry holds beyond the table's and the index's keys; undefined: ALL. */
  projected: string[] | undefined;
}

type Item = Record<string, unknown>;
const reads = new Set(['Get', 'Query', 'Scan', 'BatchGet']);

/** `PutItemCommand` and the document client's `PutCommand` alike: `Put`. */
function operationOf(commandName: string | undefined): string {
  return (commandName ?? '').replace(/(Item)?Command$/, '');
}

/** The table's global secondary indexes, as the synthesized stack declared them. */
async function describeIndexes(): Promise<Index[]> {
  const client = new DynamoDBClient({
    endpoint: process.env.DYNAMODB_ENDPOINT,
    region: 'local-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Table } = await client.send(
    new DescribeTableCommand({ TableName: process.env.TABLE_NAME })
  );
  client.destroy();
  return (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
    keys: (index.KeySchema ?? []).map((key) => key.AttributeName ?? ''),
    projected:
      index.Projection?.ProjectionType === 'ALL'
        ? undefined
        : (index.Projection?.NonKeyAttributes ?? []),
  }));
}

/** DynamoDB's item size: attribute names plus values (UTF-8 bytes; numbers about 1 per 2 digits). */
function bytesOf(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(value).length / 2) + 1;
  if (value === null || typeof value === 'boolean') return 1;
  if (Array.isArray(value)) return 3 + value.reduce((t: number, v) => t + 1 + bytesOf(v), 0);
  return (
    3 + Object.entries(value as Item).reduce((t, [k, v]) => t + 1 + bytesOf(k) + bytesOf(v), 0)
  );
}

/** The attributes an UpdateExpression sets and those it removes (first path component). */
function updatedAttributes(input: Item): { set: Set<string>; removed: Set<string> } {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const expression = String(input.UpdateExpression ?? '');
  const [, sets = '', removes = ''] = /^(?:SET (.*?))?\s*(?:REMOVE (.*))?$/.exec(expression) ?? [];
  const named = (placeholders: string[]) =>
    new Set(placeholders.filter(Boolean).map((placeholder) => names[placeholder] ?? placeholder));
  return {
    set: named([...sets.matchAll(/(#\w+)(?:\.#\w+)*\s*=/g)].map((m) => m[1] ?? '')),
    removed: named(removes.split(',').map((path) => path.trim().split('.')[0] ?? '')),
  };
}

/**
 * The index model, after DynamoDB's rules for index writes
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.Writes):
 * a put of an item that has an index's keys writes its entry (and one that drops them deletes
 * it); an update that removes an index key deletes the entry, one that sets a key deletes and
 * re-puts it; an update of a projected attribute rewrites it; an update of anything else writes
 * no index at all. An entry costs its own size in 1 KB units (the whole item's under ALL).
 */
export class IndexModel {
  /** Items known to have an entry, by `pk|sk|index`: their entry's units. */
  private readonly entries = new Map<string, number>();

  constructor(private readonly indexes: Index[]) {}

  units(operation: string, input: Item, tableUnits: number): number {
    const item = (input.Key ?? input.Item) as Item | undefined;
    const id = `${item?.pk}|${item?.sk}`;
    return this.indexes.reduce(
      (total, index, i) => total + this.unitsOf(`${id}|${i}`, index, operation, input, tableUnits),
      0
    );
  }

  private unitsOf(entry: string, index: Index, operation: string, input: Item, tableUnits: number) {
    const known = this.entries.get(entry);
    if (operation === 'Put') {
      const item = input.Item as Item;
      if (!index.keys.every((k) => item[k] !== undefined)) {
        this.entries.delete(entry);
        return known ?? 0;
      }
      const units = index.projected ? this.entryUnits(item, index) : tableUnits;
      this.entries.set(entry, units);
      return units;
    }
    if (known === undefined) return 0;
    if (operation === 'Delete') {
      this.entries.delete(entry);
      return known;
    }
    if (operation !== 'Update') return 0;
    const { set, removed } = updatedAttributes(input);
    if (index.keys.some((k) => removed.has(k))) {
      this.entries.delete(entry);
      return known;
    }
    if (index.keys.some((k) => set.has(k))) return 2 * known;
    if (!index.projected) return tableUnits;
    return index.projected.some((a) => set.has(a) || removed.has(a)) ? known : 0;
  }

  private entryUnits(item: Item, index: Index): number {
    const attributes = ['pk', 'sk', ...index.keys, ...(index.projected ?? [])];
    const size = attributes.reduce(
      (t, a) => t + (item[a] === undefined ? 0 : bytesOf(a) + bytesOf(item[a])),
      0
    );
    return Math.max(1, Math.ceil(size / 1024));
  }
}

function consumed(output: Item): number {
  const capacity = output.ConsumedCapacity as
    | { CapacityUnits?: number }
    | { CapacityUnits?: number }[];
  if (Array.isArray(capacity)) return capacity.reduce((t, c) => t + (c.CapacityUnits ?? 0), 0);
  return capacity?.CapacityUnits ?? 0;
}

/**
 * Counts every DynamoDB request the handlers make from now on, by function (`runtime` for the
 * local runtime's own). `counting()` false pauses it.
 */
export async function countDynamoDb(counting: () => boolean): Promise<Map<string, Io>> {
  const io = new Map<string, Io>();
  const model = new IndexModel(await describeIndexes());
  // At `initialize` the document client's input and output are plain (unmarshalled) values.
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Item;
      input.ReturnConsumedCapacity = 'TOTAL';
      const fn = LambdaRuntime.current.getStore() ?? 'runtime';
      const entry = io.get(fn) ?? { ...noIo };
      io.set(fn, entry);
      const result = await next(args).catch((error: Error) => {
        if (counting() && error.name === 'ConditionalCheckFailedException') entry.refusedWrites++;
        throw error;
      });
      if (!counting()) return result;
      const operation = operationOf(context.commandName);
      const units = consumed(result.output as Item);
      if (reads.has(operation)) {
        entry.reads++;
        if (units === 0) entry.emptyReads++;
        entry.readUnits += units || (input.ConsistentRead ? 1 : 0.5);
      } else {
        entry.writes++;
        entry.writeUnits += units;
        entry.indexWriteUnits += model.units(operation, input, units);
      }
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' }
  );
  return io;
}
