import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamo } from '../../lambdas/adapters/aws-clients.js';
import { keys } from '../../lambdas/adapters/table-keys.js';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  distinctPhone,
  waitFor,
} from '../helpers/local-api.js';

let api: ApiClient;
const ledger = join(mkdtempSync(join(tmpdir(), 'outreach-stale-')), 'contacts.jsonl');

beforeAll(async () => {
  api = await bootLocalApi({
    // One simulated day per real second: a number is contacted at most 3 times per 24 h, so a
    // run of many steps waits a day after every third one.
    timeScale: 86_400,
    environment: {
      OUTREACH_CHANNEL: 'simulator',
      SIMULATOR_OUTCOME: 'NO_ANSWER',
      SIMULATOR_DELAY_MS: '150',
      SIMULATOR_LEDGER_FILE: ledger,
    },
  });
});

afterAll(async () => {
  await api.runtime.stop();
});

function contacts(): Array<{ stepExecutionId: string; executionId: string; stepIndex: number }> {
  try {
    return readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

/** A workflow of `steps` texts, each with a 1,600-character message, one minute apart. */
function longWorkflow(steps: number) {
  return {
    name: `${steps} long texts`,
    timezone: 'America/New_York',
    workflowSchedule: alwaysOpen,
    tcpaSchedule: alwaysOpen,
    definition: {
      steps: Array.from({ length: steps }, (_, index) => ({
        type: 'TEXT',
        order: index + 1,
        delayInSecs: 60,
        agentId: 'TEXT_AGENT_ID',
        initialMessage: `${index} ${'x'.repeat(1596)}`.slice(0, 1600),
        finishOn: [],
      })),
    },
  };
}

async function stepsOf(workflowId: string, executionId: string) {
  const { body } = await api.request(
    'GET',
    `/api/v1/workflow/${workflowId}/execution/${executionId}`
  );
  return body;
}

describe('a stored run state that goes back in time', () => {
  it('fails the run loudly and contacts no step twice', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', longWorkflow(12));
    const created = await api.request('POST', `/api/v1/workflow/${workflow.body.id}/execution`, {
      customerLeadId: 'stale-1',
      primaryPhone: distinctPhone(),
      zipcode: '94107',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // A copy of the state item once step 1 has its outcome...
    await waitFor(
      () => stepsOf(workflow.body.id, id),
      (run) => run.stepIndex >= 2
    );
    const { Item: old } = await dynamo().send(
      new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.execution(id) })
    );
    expect(old?.stepIndex).toBeGreaterThanOrEqual(2);
    // ...written back a few steps later, as a storage layer losing recent writes would.
    await waitFor(
      () => stepsOf(workflow.body.id, id),
      (run) => run.stepIndex >= (old?.stepIndex ?? 0) + 3
    );
    await dynamo().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: old }));

    const ended = await waitFor(
      () => stepsOf(workflow.body.id, id),
      (run) => run.status === 'FAILED' || run.status === 'COMPLETED'
    );
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toMatch(/ExecutionRegressedError: .*behind its run/);
    const placed = contacts().filter((contact) => contact.executionId === id);
    expect(placed.length).toBeGreaterThanOrEqual((old?.stepIndex ?? 0) + 3);
    expect(new Set(placed.map((contact) => contact.stepExecutionId)).size).toBe(placed.length);
  });
});

describe('a 50-step run with 1,600-character texts under concurrent load', () => {
  it('contacts each step attempt exactly once and keeps the state item small', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', longWorkflow(50));
    expect(workflow.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await api.request('POST', `/api/v1/workflow/${workflow.body.id}/execution`, {
        customerLeadId: `long-${i}`,
        primaryPhone: distinctPhone(),
        zipcode: '94107',
        variables: { note: 'y'.repeat(8_000) },
      });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
    }
    const runs = await waitFor(
      () => Promise.all(ids.map((id) => stepsOf(workflow.body.id, id))),
      (all) => all.every((run) => run.status === 'COMPLETED'),
      100_000
    );
    for (const run of runs) expect(run.stepExecutions).toHaveLength(50);
    const placed = contacts().filter((contact) => ids.includes(contact.executionId));
    expect(placed).toHaveLength(200);
    expect(new Set(placed.map((contact) => contact.stepExecutionId)).size).toBe(200);
    // The item every step attempt rewrites stays small whatever the workflow's size.
    for (const id of ids) {
      const { Item } = await dynamo().send(
        new GetCommand({ TableName: process.env.TABLE_NAME, Key: keys.execution(id) })
      );
      expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(4_096);
    }
  });
});
