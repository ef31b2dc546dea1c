import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TemplateResolver } from './template.js';

const require = createRequire(import.meta.url);

export interface LocalDynamo {
  endpoint: string;
  server: Server;
  client: DynamoDBDocumentClient;
}

/**
 * dynalite on loopback: on disk under `path`, in memory without one. Creates every table the
 * template declares (named by logical id), plus the local engine's own checkpoint table.
 */
export async function startDynamo(
  resolver: TemplateResolver,
  path: string | undefined,
  extraTables: string[]
): Promise<LocalDynamo> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({
    endpoint,
    region: 'local-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const existing = new Set((await raw.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const [logicalId, resource] of resolver.resourcesOfType('AWS::DynamoDB::Table')) {
    if (existing.has(logicalId)) continue;
    const p = resource.Properties;
    await raw.send(
      new CreateTableCommand({
        TableName: logicalId,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: p.KeySchema,
        AttributeDefinitions: p.AttributeDefinitions,
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes,
      })
    );
  }
  for (const table of extraTables) {
    if (existing.has(table)) continue;
    await raw.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      })
    );
  }
  const client = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { endpoint, server, client };
}
