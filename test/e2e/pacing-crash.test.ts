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
  waitFor,
} from '../helpers/local-api.js';

const CAP = 20;
const RUNS = 40;
const TIME_SCALE = 60;
/** 900 simulated seconds: 15 real seconds at this scale. */
const LEASE_SECONDS = 900;
const dataDir = mkdtempSync(join(tmpdir(), 'outreach-pacing-crash-'));
const ledgerFile = join(dataDir, 'simulator-contacts.jsonl');
const env = {
  DATA_DIR: dataDir,
  TIME_SCALE: String(TIME_SCALE),
  // Calls that outlast the test: their outcomes never come, so only leases free their slots.
  SIMULATOR_DELAY_MS: '600000',
  SLOT_LEASE_SECONDS: String(LEASE_SECONDS),
  DISPATCH_SPREAD_SECONDS: '0',
};
const running: ChildRuntime[] = [];

afterAll(async () => {
  for (const runtime of running) await killHard(runtime);
});

function contacts(): Array<{ stepExecutionId: string; executionId: string }> {
  if (!existsSync(ledgerFile)) return [];
  return readFileSync(ledgerFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

const organization = async (runtime: ChildRuntime) =>
  (await runtime.request('GET', '/api/v1/organization')).body.organization;

describe('kill -9 with every call slot held', () => {
  it('recovers the slots when their leases end, and contacts no one twice', async () => {
    const first = await startChildRuntime(env);
    running.push(first);
    await first.request('PATCH', '/api/v1/organization', { maxConcurrentCalls: CAP });
    const workflow = await first.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
      definition: { steps: [featherWorkflow.definition.steps[0]] },
    });
    for (const size of [25, RUNS - 25]) {
      const created = await first.request(
        'POST',
        `/api/v1/workflow/${workflow.body.id}/execution/bulk`,
        {
          leads: Array.from({ length: size }, (_, i) => ({
            ...featherExecution,
            customerLeadId: `lead-${size}-${i}`,
            primaryPhone: distinctPhone(),
          })),
        }
      );
      expect(created.body.successful).toBe(size);
    }
    const held = await waitFor(
      () => organization(first),
      (org) => org.activeCallCount === CAP && org.queuedCallCount === RUNS - CAP,
      30_000,
      250
    );
    expect(contacts()).toHaveLength(CAP);
    expect(held.activeCallCount).toBe(CAP);
    await killHard(first);

    const second = await startChildRuntime(env);
    running.push(second);
    const restartedAt = performance.now();
    // The leases taken before the kill end; the sweep takes the slots back and hands them out.
    await waitFor(
      async () => contacts().length,
      (count) => count >= RUNS,
      60_000,
      250
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${second.stderr().slice(-4000)}`);
    });
    const recoveredInMs = performance.now() - restartedAt;
    console.log(
      `slots recovered and ${RUNS - CAP} queued runs contacted ${Math.round(recoveredInMs)} ms after the restart`
    );
    // Within the lease (real time), plus the sweep's period (one real second here) and margin.
    expect(recoveredInMs).toBeLessThan((LEASE_SECONDS / TIME_SCALE + 10) * 1000);

    const ledger = contacts();
    expect(new Set(ledger.map((contact) => contact.stepExecutionId)).size).toBe(ledger.length);
    expect(new Set(ledger.map((contact) => contact.executionId)).size).toBe(RUNS);
    // No slot leaked: the 20 held before the kill were taken back, the new ones are in use.
    const after = await waitFor(
      () => organization(second),
      (org) => org.queuedCallCount === 0,
      10_000,
      250
    );
    expect(after.activeCallCount).toBe(CAP);
    // Nothing more happens: the first 20 are not contacted again after their leases ended.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(contacts()).toHaveLength(RUNS);
  }, 180_000);
});
