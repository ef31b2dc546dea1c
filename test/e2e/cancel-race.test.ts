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
} from '../helpers/local-api.js';

let api: ApiClient;
const ledger = join(mkdtempSync(join(tmpdir(), 'outreach-cancel-race-')), 'contacts.jsonl');

beforeAll(async () => {
  api = await bootLocalApi({
    environment: {
      OUTREACH_CHANNEL: 'simulator',
      SIMULATOR_OUTCOME: 'NO_ANSWER',
      SIMULATOR_DELAY_MS: '20',
      SIMULATOR_LEDGER_FILE: ledger,
    },
  });
});

afterAll(async () => {
  await api.runtime.stop();
});

const PHONES = 200;
const PER_BULK = 5;

function contactsByRun(): Map<string, number> {
  const counts = new Map<string, number>();
  let text = '';
  try {
    text = readFileSync(ledger, 'utf8');
  } catch {
    return counts;
  }
  for (const line of text.split('\n').filter(Boolean)) {
    const { executionId } = JSON.parse(line) as { executionId: string };
    counts.set(executionId, (counts.get(executionId) ?? 0) + 1);
  }
  return counts;
}

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: size }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    })
  );
}

describe('cancels by phone racing bulk creates of the same phones', () => {
  it('cancels every run created before its cancel, and no claim ever follows a cancel', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
    });
    const phones = Array.from({ length: PHONES }, (_, i) => `+1415555${String(1000 + i)}`);
    const batches = Array.from({ length: PHONES / PER_BULK }, (_, i) =>
      phones.slice(i * PER_BULK, (i + 1) * PER_BULK)
    );
    const runs: Array<{ id: string; phone: string }> = [];
    let cancelledCount = 0;
    await pool(batches, 8, async (batch) => {
      const created = await api.request(
        'POST',
        `/api/v1/workflow/${workflow.body.id}/execution/bulk`,
        {
          // Starts spread over the next 8 s: some runs are claimed before their cancel
          // lands, some would be after it, some while it is in flight.
          leads: batch.map((phone, i) => ({
            ...featherExecution,
            primaryPhone: phone,
            customerLeadId: phone,
            startAt: new Date(Date.now() + i * 2_000).toISOString(),
          })),
        }
      );
      expect(created.body.successful).toBe(PER_BULK);
      created.body.results.forEach((result: { executionId: string }, i: number) => {
        runs.push({ id: result.executionId, phone: batch[i] as string });
      });
      // Each cancel is sent after its run's create was answered, while other creates and
      // dispatches are in flight.
      await Promise.all(
        batch.map(async (phone) => {
          const cancelled = await api.request('POST', '/api/v1/executions/cancel', {
            phoneNumber: phone,
          });
          expect(cancelled.status).toBe(200);
          cancelledCount += cancelled.body.cancelledCount;
        })
      );
    });

    expect(runs).toHaveLength(PHONES);
    expect(cancelledCount).toBe(PHONES);
    const contacts = contactsByRun();
    let contacted = 0;
    for (const { id } of runs) {
      const run = await api.request('GET', `/api/v1/workflow/${workflow.body.id}/execution/${id}`);
      expect(run.body.status).toBe('CANCELLED');
      // A run is either never claimed, or claimed (and contacted once) before its cancel.
      for (const step of run.body.stepExecutions as Array<{ startedAt: string }>) {
        expect(Date.parse(step.startedAt)).toBeLessThanOrEqual(Date.parse(run.body.completedAt));
      }
      expect(contacts.get(id) ?? 0).toBe(run.body.stepExecutions.length);
      if (run.body.stepExecutions.length > 0) contacted++;
    }
    console.info(`${contacted} of ${PHONES} runs were contacted before their cancel; none after`);
  });
});
