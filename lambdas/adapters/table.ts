import {
  BatchGetCommand,
  type NativeAttributeValue,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { required } from '../shared/config.js';
import { dynamo } from './aws-clients.js';

/** The one table every repository reads and writes. */
export function tableName(): string {
  return required('TABLE_NAME');
}

/** True when a write was refused because its ConditionExpression did not hold. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Runs a conditional write; false when its condition did not hold, any other error throws. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionalCheckFailed(error)) return false;
    throw error;
  }
}

/** Which sort keys of a partition to read: those that sort before `below`, or that start with `prefix`. */
export type SortKeyRange = { below: string } | { prefix: string };

function keyCondition(pk: string, range: SortKeyRange | undefined) {
  if (!range) return { expression: 'pk = :pk', values: { ':pk': pk } };
  if ('below' in range)
    return { expression: 'pk = :pk AND sk < :sk', values: { ':pk': pk, ':sk': range.below } };
  return {
    expression: 'pk = :pk AND begins_with(sk, :sk)',
    values: { ':pk': pk, ':sk': range.prefix },
  };
}

/**
 * Every item of one partition (or of one `range` of its sort keys), read strongly consistent
 * (paged when it is large).
 */
export async function readWholePartition(
  pk: string,
  range?: SortKeyRange
): Promise<Record<string, unknown>[]> {
  const { expression, values } = keyCondition(pk, range);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: expression,
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      })
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

type Key = Record<string, string>;
type Item = Record<string, unknown>;

/** BatchGetItem's cap on keys per request. */
const BATCH_GET_LIMIT = 100;
const BATCH_GET_TRIES = 8;

/**
 * The items of `itemKeys` (pk/sk), eventually consistent, in no particular order; a key with
 * no item is simply absent. Keys DynamoDB leaves unprocessed (throttling, the 16 MB response
 * cap) are asked for again with a growing pause; still unprocessed after that is an error.
 */
export async function batchGetItems(itemKeys: Key[]): Promise<Item[]> {
  const items: Item[] = [];
  for (let start = 0; start < itemKeys.length; start += BATCH_GET_LIMIT) {
    let pending: Key[] = itemKeys.slice(start, start + BATCH_GET_LIMIT);
    for (let tries = 0; pending.length > 0; tries++) {
      if (tries === BATCH_GET_TRIES) throw new Error(`${pending.length} keys stayed unprocessed`);
      if (tries > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** tries));
      const { Responses, UnprocessedKeys } = await dynamo().send(
        new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending } } })
      );
      items.push(...(Responses?.[tableName()] ?? []));
      pending = (UnprocessedKeys?.[tableName()]?.Keys ?? []) as Key[];
    }
  }
  return items;
}

type Values = Record<string, NativeAttributeValue>;

/**
 * A small UpdateItem builder: every attribute name and value becomes a placeholder, so callers
 * write `set('status', 'RUNNING')` and conditions with `#name`/`:value` placeholders they
 * register with `name()`/`value()`. Keeps reserved words (status, error, schedule) safe.
 */
export class Update {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly conditions: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Values = {};
  private counter = 0;

  /** A placeholder for an attribute path such as `attempt.handedOverAt`. */
  name(path: string): string {
    return path
      .split('.')
      .map((part) => {
        const placeholder = `#${part.replace(/[^A-Za-z0-9_]/g, '_')}`;
        this.names[placeholder] = part;
        return placeholder;
      })
      .join('.');
  }

  value(value: NativeAttributeValue): string {
    const placeholder = `:v${this.counter++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  set(path: string, value: NativeAttributeValue): this {
    this.sets.push(`${this.name(path)} = ${this.value(value)}`);
    return this;
  }

  /** Sets the attribute only when it has no value yet. */
  setIfAbsent(path: string, value: NativeAttributeValue): this {
    const name = this.name(path);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.value(value)})`);
    return this;
  }

  /** `version = version + 1`, guarded by `version = expected`: lost updates become conflicts. */
  bumpVersion(expected: number): this {
    const name = this.name('version');
    this.sets.push(`${name} = ${this.value(expected + 1)}`);
    return this.when(`${name} = ${this.value(expected)}`);
  }

  remove(path: string): this {
    this.removes.push(this.name(path));
    return this;
  }

  /** Adds a condition; all conditions must hold. */
  when(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  whenExists(path = 'pk'): this {
    return this.when(`attribute_exists(${this.name(path)})`);
  }

  whenAbsent(path: string): this {
    return this.when(`attribute_not_exists(${this.name(path)})`);
  }

  whenIn(path: string, options: readonly NativeAttributeValue[]): this {
    const list = options.map((option) => this.value(option)).join(', ');
    return this.when(`${this.name(path)} IN (${list})`);
  }

  whenEquals(path: string, value: NativeAttributeValue): this {
    return this.when(`${this.name(path)} = ${this.value(value)}`);
  }

  input(key: Record<string, string>): UpdateCommandInput {
    const clauses = [
      this.sets.length > 0 ? `SET ${this.sets.join(', ')}` : '',
      this.removes.length > 0 ? `REMOVE ${this.removes.join(', ')}` : '',
    ].filter(Boolean);
    return {
      TableName: tableName(),
      Key: key,
      UpdateExpression: clauses.join(' '),
      ...(this.conditions.length > 0 && { ConditionExpression: this.conditions.join(' AND ') }),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length > 0 && { ExpressionAttributeValues: this.values }),
    };
  }

  /** Runs the update; false when a condition did not hold. */
  run(key: Record<string, string>): Promise<boolean> {
    return conditionally(() => dynamo().send(new UpdateCommand(this.input(key))));
  }
}
