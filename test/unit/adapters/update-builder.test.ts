import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../../lambdas/adapters/aws-clients.js';
import { Update } from '../../../lambdas/adapters/table.js';
import { type InMemoryTable, startTable, TABLE_NAME } from '../../helpers/in-memory-table.js';

let table: InMemoryTable;
const key = { pk: 'TEST#update', sk: 'TEST' };

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  await table.close();
});

async function stored() {
  const { Item } = await dynamo().send(new GetCommand({ TableName: TABLE_NAME, Key: key }));
  return Item;
}

describe('Update', () => {
  it('sets, sets once, removes and bumps the version under its conditions (reserved words too)', async () => {
    await dynamo().send(
      new PutCommand({
        TableName: TABLE_NAME,
        Item: { ...key, status: 'RUNNING', version: 1, error: 'x', startedAt: 'first' },
      })
    );
    const applied = await new Update()
      .set('status', 'PAUSED')
      .setIfAbsent('startedAt', 'second')
      .remove('error')
      .whenIn('status', ['CREATED', 'RUNNING'])
      .bumpVersion(1)
      .run(key);
    expect(applied).toBe(true);
    expect(await stored()).toEqual({ ...key, status: 'PAUSED', version: 2, startedAt: 'first' });
  });

  it('answers false, and changes nothing, when a condition does not hold', async () => {
    const stale = await new Update().set('status', 'CANCELLED').bumpVersion(1).run(key);
    const wrongStatus = await new Update()
      .set('status', 'CANCELLED')
      .whenEquals('status', 'RUNNING')
      .run(key);
    const missing = await new Update()
      .set('status', 'CANCELLED')
      .whenExists()
      .run({ pk: 'TEST#none', sk: 'TEST' });
    expect([stale, wrongStatus, missing]).toEqual([false, false, false]);
    expect((await stored())?.status).toBe('PAUSED');
  });

  it('writes nested paths and refuses a second write of a write-once attribute', async () => {
    expect(await new Update().set('meta', { a: 1 }).run(key)).toBe(true);
    expect(await new Update().set('meta.b', 2).whenAbsent('meta.b').run(key)).toBe(true);
    expect(await new Update().set('meta.b', 3).whenAbsent('meta.b').run(key)).toBe(false);
    expect((await stored())?.meta).toEqual({ a: 1, b: 2 });
  });
});
