import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  featherExecution,
  featherWorkflow,
  waitFor,
} from '../helpers/local-api.js';

let api: ApiClient;
const ledger = join(mkdtempSync(join(tmpdir(), 'outreach-ledger-')), 'contacts.jsonl');

beforeAll(async () => {
  // One simulated day passes in about 4 real seconds.
  api = await bootLocalApi({
    timeScale: 21_600,
    environment: {
      OUTREACH_CHANNEL: 'simulator',
      SIMULATOR_OUTCOME: 'NO_ANSWER',
      SIMULATOR_DELAY_MS: '50',
      SIMULATOR_LEDGER_FILE: ledger,
    },
  });
});

afterAll(async () => {
  await api.runtime.stop();
});

describe('executions with the simulator and TIME_SCALE', () => {
  it('runs the two-step example (text a day after the call) to COMPLETED', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
    });
    const created = await api.request(
      'POST',
      `/api/v1/workflow/${workflow.body.id}/execution`,
      featherExecution
    );
    const path = `/api/v1/workflow/${workflow.body.id}/execution/${created.body.id}`;
    const done = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'COMPLETED',
      60_000
    );
    expect(done.body.disposition).toBe('NO_ANSWER');
    const [call, text] = done.body.stepExecutions;
    expect([call.type, text.type]).toEqual(['CALL', 'TEXT']);
    // The text waited its day after the call ended (in scaled time).
    const gap = new Date(text.startedAt).getTime() - new Date(call.completedAt).getTime();
    expect(gap).toBeGreaterThanOrEqual(86_400_000);
    const contacts = readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(
      contacts.filter((c) => c.executionId === created.body.id).map((c) => c.stepIndex)
    ).toEqual([0, 1]);
  });
});
