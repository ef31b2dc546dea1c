import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ChildRuntime, killHard, startChildRuntime } from '../helpers/child-runtime.js';
import { alwaysOpen, distinctPhone, waitFor } from '../helpers/local-api.js';

const CREATES = 500;
const dataDir = mkdtempSync(join(tmpdir(), 'outreach-create-crash-'));
const ledgerFile = join(dataDir, 'simulator-contacts.jsonl');
const env = {
  DATA_DIR: dataDir,
  TIME_SCALE: '60',
  SIMULATOR_DELAY_MS: '100',
  SIMULATOR_OUTCOME: 'NO_ANSWER',
};
const running: ChildRuntime[] = [];

afterAll(async () => {
  for (const runtime of running) await killHard(runtime);
});

function contactsPerRun(): Map<string, number> {
  const counts = new Map<string, number>();
  if (!existsSync(ledgerFile)) return counts;
  for (const line of readFileSync(ledgerFile, 'utf8').split('\n').filter(Boolean)) {
    const { executionId } = JSON.parse(line) as { executionId: string };
    counts.set(executionId, (counts.get(executionId) ?? 0) + 1);
  }
  return counts;
}

async function listAll(runtime: ChildRuntime, workflowId: string) {
  const runs: Array<{ id: string; status: string; nextRunAt: string | null }> = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const page = await runtime.request(
      'GET',
      `/api/v1/workflow/${workflowId}/executions?limit=100${query}`
    );
    expect(page.status).toBe(200);
    runs.push(...page.body.executions);
    cursor = page.body.pagination.nextCursor;
  } while (cursor);
  return runs;
}

describe('kill -9 of npm start during 500 parallel creates', () => {
  it('starts every stored run after the restart, each exactly once', async () => {
    const first = await startChildRuntime(env);
    running.push(first);
    const workflow = await first.request('POST', '/api/v1/workflow', {
      name: 'One call',
      timezone: 'America/New_York',
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
      definition: {
        steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'CALL_AGENT_ID', finishOn: [] }],
      },
    });
    expect(workflow.status).toBe(201);

    let answered = 0;
    const creates = Array.from({ length: CREATES }, (_, i) =>
      first
        .request('POST', `/api/v1/workflow/${workflow.body.id}/execution`, {
          customerLeadId: `lead-${i}`,
          primaryPhone: distinctPhone(),
          zipcode: '94107',
        })
        .then((response) => {
          if (response.status === 201) answered++;
        })
        // Requests cut off by the kill fail: that is the point.
        .catch(() => undefined)
    );
    // Die in the middle of the burst, without any shutdown hook.
    await waitFor(
      async () => answered,
      (count) => count >= 100,
      60_000
    );
    await killHard(first);
    await Promise.allSettled(creates);
    const answeredBeforeKill = answered;

    const second = await startChildRuntime(env);
    running.push(second);
    const restartedAt = performance.now();
    // Within a minute every stored run has reached its step (none left CREATED)...
    await waitFor(
      () => listAll(second, workflow.body.id),
      (runs) => runs.every((run) => run.status !== 'CREATED'),
      60_000,
      1_000
    );
    const secondsToStart = (performance.now() - restartedAt) / 1000;
    // ...and then each completes, having contacted its one step exactly once.
    const settled = await waitFor(
      () => listAll(second, workflow.body.id),
      (runs) => runs.every((run) => run.status === 'COMPLETED'),
      120_000,
      1_000
    );

    // Every create that was answered is stored, and more were stored than answered.
    expect(settled.length).toBeGreaterThanOrEqual(answeredBeforeKill);
    expect(settled.length).toBeLessThanOrEqual(CREATES);
    expect(secondsToStart).toBeLessThan(60);
    // None stranded, none started twice: each stored run contacted its one step exactly once.
    const contacts = contactsPerRun();
    for (const run of settled) expect(contacts.get(run.id)).toBe(1);
    console.info(
      `${answeredBeforeKill} creates answered before the kill, ${settled.length} runs stored; every run reached its step ${secondsToStart.toFixed(1)} s after the restart`
    );
  });
});
