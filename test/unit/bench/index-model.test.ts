import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countDynamoDb, type Index, IndexModel } from '../../../bench/capacity.js';
import { dynamo } from '../../../lambdas/adapters/aws-clients.js';
import { Update } from '../../../lambdas/adapters/table.js';
import { LambdaRuntime } from '../../../local/lambda-runtime.js';
import { type InMemoryTable, startTable, TABLE_NAME } from '../../helpers/in-memory-table.js';

/** The bench's model of index write units, which dynalite does not report. */

// The update builder names the table it writes to.
process.env.TABLE_NAME = 'Outreach';

const gsi1 = (projected: string[] | undefined): Index => ({
  keys: ['gsi1pk', 'gsi1sk'],
  projected,
});
const state = {
  pk: 'EXECUTION#1',
  sk: 'EXECUTION',
  gsi1pk: 'WORKFLOW#w',
  gsi1sk: 'EXECUTION#1',
  customerLeadId: 'lead-1',
  status: 'CREATED',
};
const key = { pk: state.pk, sk: state.sk };
const update = (build: (u: Update) => Update) => build(new Update()).input(key) as never;

describe('the bench index model', () => {
  it('keys and customerLeadId: written at create and delete, never by a status update', () => {
    const model = new IndexModel([gsi1(['customerLeadId'])]);
    expect(model.units('Put', { Item: state }, 1)).toBe(1);
    expect(
      model.units(
        'Update',
        update((u) => u.set('status', 'RUNNING').bumpVersion(1)),
        2
      )
    ).toBe(0);
    expect(
      model.units(
        'Update',
        update((u) => u.set('customerLeadId', 'x')),
        1
      )
    ).toBe(1);
    expect(
      model.units(
        'Update',
        update((u) => u.remove('gsi1pk').remove('gsi1sk')),
        1
      )
    ).toBe(1);
    expect(
      model.units(
        'Update',
        update((u) => u.set('status', 'DONE')),
        1
      )
    ).toBe(0);
  });

  it('ALL: every update of an indexed item is written again, at the item size', () => {
    const model = new IndexModel([gsi1(undefined)]);
    expect(model.units('Put', { Item: state }, 2)).toBe(2);
    expect(
      model.units(
        'Update',
        update((u) => u.set('status', 'RUNNING')),
        3
      )
    ).toBe(3);
  });

  it('items without the index keys never write it', () => {
    const model = new IndexModel([gsi1(undefined)]);
    const attempt = { pk: 'EXECUTION#1', sk: 'ATTEMPT#0000#001', taskToken: 'x'.repeat(1024) };
    expect(model.units('Put', { Item: attempt }, 2)).toBe(0);
    expect(model.units('Update', { Key: { pk: attempt.pk, sk: attempt.sk } }, 2)).toBe(0);
  });
});

describe('the bench read count on dynalite', () => {
  let table: InMemoryTable;
  beforeAll(async () => {
    table = await startTable();
  });
  afterAll(() => table.close());

  it('a read that finds nothing counts at the smallest billed read; others as reported', async () => {
    const io = await countDynamoDb(() => true);
    const query = (ConsistentRead: boolean) =>
      dynamo().send(
        new QueryCommand({
          TableName: TABLE_NAME,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'NOTHING#here' },
          ConsistentRead,
        })
      );
    await LambdaRuntime.current.run('Fn', async () => {
      await query(false);
      await query(true);
      await dynamo().send(new PutCommand({ TableName: TABLE_NAME, Item: { pk: 'A', sk: 'B' } }));
      await dynamo().send(
        new GetCommand({ TableName: TABLE_NAME, Key: { pk: 'A', sk: 'B' }, ConsistentRead: true })
      );
    });
    expect(io.get('Fn')).toMatchObject({ reads: 3, emptyReads: 2, readUnits: 0.5 + 1 + 1 });
  });
});
