import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChildRuntime, killHard, startChildRuntime } from '../helpers/child-runtime.js';
import {
  alwaysOpen,
  distinctPhone,
  featherExecution,
  featherWorkflow,
  placed,
  waitFor,
} from '../helpers/local-api.js';

const EXECUTIONS = 100;
const dataDir = mkdtempSync(join(tmpdir(), 'outreach-crash-'));
const ledgerFile = join(dataDir, 'simulator-contacts.jsonl');
const env = {
  DATA_DIR: dataDir,
  // One simulated hour per real second; the text waits two hours after the call.
  TIME_SCALE: '3600',
  SIMULATOR_DELAY_MS: '1500',
  SIMULATOR_OUTCOME: 'NO_ANSWER',
};
const running: ChildRuntime[] = [];

afterAll(async () => {
  for (const runtime of running) await killHard(runtime);
});

interface Contact {
  stepExecutionId: string;
  executionId: string;
  stepIndex: number;
}

function contacts(): Contact[] {
  if (!existsSync(ledgerFile)) return [];
  return readFileSync(ledgerFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Contact);
}

async function listAll(runtime: ChildRuntime, workflowId: string): Promise<any[]> {
  const response = await runtime.request(
    'GET',
    `/api/v1/workflow/${workflowId}/executions?limit=100&enriched=true`
  );
  expect(response.status).toBe(200);
  return response.body.executions;
}

/** Where each run was when the process died: the mix must cover every kind of crash. */
function phases(executions: any[]) {
  const count = { notStarted: 0, inDispatch: 0, waiting: 0, completed: 0 };
  for (const execution of executions) {
    const attempts = placed(execution);
    if (execution.status === 'COMPLETED') count.completed++;
    else if (attempts.some((attempt) => attempt.disposition === null)) count.inDispatch++;
    else if (attempts.length === 0) count.notStarted++;
    else count.waiting++;
  }
  return count;
}

describe('kill -9 of npm start during 100 running executions', () => {
  it('finishes every execution after a restart, contacting each step attempt exactly once', async () => {
    const first = await startChildRuntime(env);
    running.push(first);
    const workflow = await first.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
      definition: {
        steps: featherWorkflow.definition.steps.map((step) =>
          step.type === 'TEXT' ? { ...step, delayInSecs: 7200 } : step
        ),
      },
    });
    expect(workflow.status).toBe(201);
    for (let i = 0; i < EXECUTIONS; i++) {
      const created = await first.request(
        'POST',
        `/api/v1/workflow/${workflow.body.id}/execution`,
        {
          ...featherExecution,
          primaryPhone: distinctPhone(),
          customerLeadId: `lead-${i}`,
        }
      );
      expect(created.status).toBe(201);
    }
    // Let roughly half the calls happen, then pull the plug.
    await waitFor(
      async () => contacts().length,
      (n) => n >= EXECUTIONS * 0.6,
      60_000
    );
    const before = phases(await listAll(first, workflow.body.id));
    await killHard(first);
    expect(before.completed).toBeLessThan(EXECUTIONS);
    expect(before.inDispatch).toBeGreaterThan(0);
    expect(before.waiting + before.notStarted).toBeGreaterThan(0);

    const second = await startChildRuntime(env);
    running.push(second);
    // Runs can finish between the sample and the kill, never the other way round.
    expect(second.resumed).toBeGreaterThan(0);
    expect(second.resumed).toBeLessThanOrEqual(EXECUTIONS - before.completed);
    const executions = await waitFor(
      () => listAll(second, workflow.body.id),
      (all) => all.length === EXECUTIONS && all.every((e) => e.status === 'COMPLETED'),
      90_000,
      500
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${second.stderr().slice(-4000)}`);
    });

    const ledger = contacts();
    const attempts = executions.flatMap((execution) => execution.stepExecutions as any[]);
    expect(attempts).toHaveLength(EXECUTIONS * 2);
    expect(attempts.every((attempt) => attempt.disposition === 'NO_ANSWER')).toBe(true);
    // Exactly once: every attempt is in the ledger once, and the ledger holds nothing else.
    const times = new Map<string, number>();
    for (const contact of ledger) {
      times.set(contact.stepExecutionId, (times.get(contact.stepExecutionId) ?? 0) + 1);
    }
    expect([...times.values()].filter((n) => n !== 1)).toEqual([]);
    expect(new Set(times.keys())).toEqual(new Set(attempts.map((attempt) => attempt.id)));
    expect(ledger).toHaveLength(EXECUTIONS * 2);
    // The text still waited its two hours after each call, across the crash.
    for (const execution of executions) {
      const [call, text] = execution.stepExecutions;
      const gap = new Date(text.startedAt).getTime() - new Date(call.completedAt).getTime();
      expect(gap).toBeGreaterThanOrEqual(7_200_000);
    }
    console.log('state at the kill:', before);
  });
});
