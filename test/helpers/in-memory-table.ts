import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamo, resetClients } from '../../lambdas/adapters/aws-clients.js';
import { findExecution } from '../../lambdas/adapters/execution-queries.js';
import { insertExecution } from '../../lambdas/adapters/execution-writes.js';
import { snapshotIdOf } from '../../lambdas/adapters/snapshots.js';
import {
  claimAttemptRecord,
  putStepExecutionPointer,
} from '../../lambdas/adapters/step-attempts.js';
import { keys, withoutKeys } from '../../lambdas/adapters/table-keys.js';
import { putWorkflow } from '../../lambdas/adapters/workflow-repository.js';
import {
  type Execution,
  type ExecutionState,
  snapshotOf,
} from '../../lambdas/schemas/execution.js';
import { logger } from '../../lambdas/shared/logger.js';
import { anExecution } from './execution-fixture.js';

/**
 * The fast lane's DynamoDB: dynalite in memory on loopback, with the table the data stack
 * declares (pk/sk, GSI `gsi1` on gsi1pk/gsi1sk projecting the keys and customerLeadId). The use cases run against it
 * through their real adapters, so conditional writes, write-once items and strongly consistent
 * reads behave as they do on AWS. One table per test file (vitest runs files in separate forks).
 */

const require = createRequire(import.meta.url);

export const TABLE_NAME = 'Outreach';
export const STATE_MACHINE_ARN = 'arn:aws:states:local-1:000000000000:stateMachine:Outreach';

export interface InMemoryTable {
  endpoint: string;
  close(): Promise<void>;
}

let raw: DynamoDBDocumentClient | undefined;

/** A client of the test's own: its reads and writes never pass the injections below. */
function direct(): DynamoDBDocumentClient {
  if (!raw) throw new Error('startTable() first');
  return raw;
}

/** Starts dynalite, creates the table, and points the adapters' clients at it. */
export async function startTable(): Promise<InMemoryTable> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: TABLE_NAME,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customerLeadId'] },
        },
      ],
    })
  );
  for (let tries = 0; tries < 100; tries++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE_NAME }));
    if (Table?.TableStatus === 'ACTIVE') break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  raw = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

  Object.assign(process.env, {
    TABLE_NAME,
    DYNAMODB_ENDPOINT: endpoint,
    AWS_REGION: 'local-1',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    STATE_MACHINE_ARN,
  });
  // The logger may have been made before the variable was set: silence it either way.
  logger.setLogLevel('SILENT');
  resetClients();

  return {
    endpoint,
    async close() {
      dynamo().destroy();
      resetClients();
      client.destroy();
      raw = undefined;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The shared fixture with fresh execution and organization ids and a snapshot id computed from
 * its content (runs with different definitions or schedules never share a snapshot).
 */
export function aRun(overrides: Partial<Execution> = {}): Execution {
  // An organization of its own: the per-number attempt caps of one never hold up another test.
  const run = anExecution({ id: randomUUID(), organizationId: randomUUID(), ...overrides });
  return { ...run, snapshotId: snapshotIdOf(snapshotOf(run)) };
}

/** Stores a run the way the product does: insertExecution, then each attempt and its pointer. */
export async function seed(execution: Execution): Promise<Execution> {
  // The run's workflow exists (Dispatch never contacts for a deleted one).
  await putWorkflow({
    id: execution.workflowId,
    organizationId: execution.organizationId,
    name: 'Seeded workflow',
    description: '',
    active: true,
    timezone: execution.timezone,
    workflowSchedule: execution.workflowSchedule,
    tcpaSchedule: execution.tcpaSchedule,
    definition: execution.definition,
    createdAt: execution.createdAt,
    updatedAt: execution.createdAt,
  });
  await insertExecution(execution);
  for (const attempt of Object.values(execution.attempts)) {
    if (!(await claimAttemptRecord(execution.id, attempt))) {
      throw new Error(`seed: attempt ${attempt.id} already stored`);
    }
    await putStepExecutionPointer(attempt.id, {
      executionId: execution.id,
      organizationId: execution.organizationId,
      stepIndex: attempt.stepIndex,
      attemptNo: attempt.attemptNo,
    });
  }
  return execution;
}

/** The run as the use cases read it. */
export function readRun(executionId: string): Promise<Execution | undefined> {
  return findExecution(executionId);
}

/** The run as the use cases read it; it must be stored. */
export async function mustRead(executionId: string): Promise<Execution> {
  const run = await readRun(executionId);
  if (!run) throw new Error(`run ${executionId} is not stored`);
  return run;
}

/** The run's state item as stored (no contact, snapshot or attempts). */
export async function readState(executionId: string): Promise<ExecutionState | undefined> {
  const { Item } = await direct().send(
    new GetCommand({
      TableName: TABLE_NAME,
      Key: keys.execution(executionId),
      ConsistentRead: true,
    })
  );
  return Item ? (withoutKeys(Item) as ExecutionState) : undefined;
}

/**
 * Rewrites one item as `change` returns it (keys kept), unconditionally and outside the
 * adapters: what another writer would leave behind.
 */
export async function rewriteItem(
  key: { pk: string; sk: string },
  change: (item: Record<string, unknown>) => Record<string, unknown>
): Promise<void> {
  const { Item } = await direct().send(
    new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true })
  );
  if (!Item) throw new Error(`rewriteItem: no item ${key.pk} ${key.sk}`);
  const { gsi1pk, gsi1sk } = Item;
  await direct().send(
    new PutCommand({
      TableName: TABLE_NAME,
      Item: { ...change(withoutKeys(Item)), ...key, ...(gsi1pk ? { gsi1pk, gsi1sk } : {}) },
    })
  );
}

/**
 * Rewrites the run's state item as `change` returns it: a pause, a cancel, or a stale copy
 * written back.
 */
export function rewriteState(
  executionId: string,
  change: (state: ExecutionState) => ExecutionState
): Promise<void> {
  return rewriteItem(keys.execution(executionId), (item) => change(item as ExecutionState));
}

/** Every item of one partition, keys included. */
export async function itemsOfPartition(pk: string): Promise<Record<string, unknown>[]> {
  const { Items } = await direct().send(
    new QueryCommand({
      TableName: TABLE_NAME,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    })
  );
  return Items ?? [];
}

/** Every item of a run's partition (state, contact, attempts), keys included. */
export function partitionItems(executionId: string): Promise<Record<string, unknown>[]> {
  return itemsOfPartition(keys.executionPartition(executionId));
}

/** Any item by key, keys included. */
export async function getItem(key: {
  pk: string;
  sk: string;
}): Promise<Record<string, unknown> | undefined> {
  const { Item } = await direct().send(
    new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true })
  );
  return Item;
}

export async function deleteItem(key: { pk: string; sk: string }): Promise<void> {
  await direct().send(new DeleteCommand({ TableName: TABLE_NAME, Key: key }));
}

/** A DynamoDB command as the adapters send it: its name and its (unmarshalled) input. */
export interface SentCommand {
  /** The low-level name, e.g. `UpdateItemCommand`, `PutItemCommand`, `QueryCommand`. */
  name: string;
  input: Record<string, unknown>;
}

let injections = 0;

/**
 * Runs `action` once, just before the adapters' next DynamoDB command named `commandName`
 * (low-level names: `GetItemCommand`, `PutItemCommand`, `UpdateItemCommand`, `QueryCommand`…)
 * whose input satisfies `match`; the command then goes on as sent. This puts a write exactly
 * between a use case's read and its write. The hook is removed before `action` runs, so the
 * action may itself call the adapters or the use cases.
 * Resolves when the action has run (or rejects with its error).
 */
export function beforeNext(
  commandName: string,
  action: () => Promise<void>,
  match: (command: SentCommand) => boolean = () => true
): { ran: Promise<void>; cancel(): void } {
  const name = `test-injection-${++injections}`;
  const stack = dynamo().middlewareStack;
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;
  const ran = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Callers that only use the side effect need not await it.
  ran.catch(() => undefined);
  stack.add(
    (next, context) => async (args) => {
      const sent = {
        name: context.commandName ?? '',
        input: args.input as Record<string, unknown>,
      };
      if (sent.name === commandName && match(sent) && stack.remove(name)) {
        try {
          await action();
          settle?.resolve();
        } catch (error) {
          settle?.reject(error);
          throw error;
        }
      }
      return next(args);
    },
    { step: 'initialize', name }
  );
  return { ran, cancel: () => void stack.remove(name) };
}

/**
 * Records every command the adapters send to DynamoDB until `stop()`.
 */
export function recordCommands(): { commands: SentCommand[]; stop(): void } {
  const name = `test-recorder-${++injections}`;
  const commands: SentCommand[] = [];
  const stack = dynamo().middlewareStack;
  stack.add(
    (next, context) => async (args) => {
      commands.push({
        name: context.commandName ?? '',
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name }
  );
  return { commands, stop: () => void stack.remove(name) };
}

/**
 * The simulator channel with a fresh contact ledger (the simulated provider's record: one line
 * per contact placed), NO_ANSWER at once.
 */
export function useSimulator(): { file: string; contacts(): string[]; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'outreach-ledger-'));
  const file = join(dir, 'contacts.jsonl');
  Object.assign(process.env, {
    OUTREACH_CHANNEL: 'simulator',
    SIMULATOR_DELAY_MS: '0',
    SIMULATOR_OUTCOME: 'NO_ANSWER',
    SIMULATOR_LEDGER_FILE: file,
  });
  return {
    file,
    contacts: () =>
      existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
