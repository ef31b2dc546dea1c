import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakInFlight } from '../../bench/in-flight.js';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  distinctPhone,
  featherExecution,
  featherWorkflow,
  waitFor,
} from '../helpers/local-api.js';

const RUNS = Number(process.env.PACING_RUNS ?? 500);
const CAP = 20;
const DAY = 86_400_000;
/** 100 simulated seconds per real second: leases (two real minutes at least) never end here. */
const TIME_SCALE = 100;

let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi({
    timeScale: TIME_SCALE,
    environment: {
      OUTREACH_CHANNEL: 'simulator',
      SIMULATOR_OUTCOME: 'NO_ANSWER',
      // Each call lasts one real second (100 simulated s): long against the local hand-over
      // (a few store round trips), so the calls in flight stay near the cap.
      SIMULATOR_DELAY_MS: '1000',
      DISPATCH_SPREAD_SECONDS: '0',
    },
  });
});

afterAll(async () => {
  await api.runtime.stop();
});

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

async function allRuns(workflowId: string): Promise<any[]> {
  const runs: any[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.request(
      'GET',
      `/api/v1/workflow/${workflowId}/executions?limit=100&enriched=true${cursor ? `&cursor=${cursor}` : ''}`
    );
    runs.push(...page.body.executions);
    cursor = page.body.pagination.nextCursor ?? undefined;
  } while (cursor);
  return runs;
}

describe('pacing: 500 runs due at once under a cap of 20 calls', () => {
  it('never has more than 20 calls in flight, completes every run, and shares by bucket', async () => {
    const settings = await api.request('PATCH', '/api/v1/organization', {
      maxConcurrentCalls: CAP,
      priorityDateBucketConfig: {
        enabled: true,
        buckets: [
          { minDays: 0, maxDays: 7, percentage: 60 },
          { minDays: 8, maxDays: 30, percentage: 30 },
          { minDays: 31, maxDays: null, percentage: 10 },
        ],
      },
    });
    expect(settings.status).toBe(200);
    const workflow = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
      definition: { steps: [featherWorkflow.definition.steps[0]] },
    });
    expect(workflow.status).toBe(201);
    const now = Date.now();
    const startedCreating = performance.now();
    // Ages well inside each bucket: 300 recent, 150 middle, 50 old, created in random order.
    const ageOf = (i: number) => (i < 300 ? 1 + (i % 6) : i < 450 ? 10 + (i % 18) : 40 + (i % 50));
    const leads = shuffled(
      Array.from({ length: RUNS }, (_, i) => ({
        ...featherExecution,
        customerLeadId: `lead-${i}`,
        primaryPhone: distinctPhone(),
        priorityDate: new Date(now - ageOf(i) * DAY).toISOString(),
        // All due at the same instant, well after the last create is answered.
        startAt: new Date(now + 4_000 * TIME_SCALE).toISOString(),
      }))
    );
    // Bulk creates take 25 leads each (Feather's batch).
    const batches = Array.from({ length: RUNS / 25 }, (_, i) => leads.slice(i * 25, i * 25 + 25));
    await Promise.all(
      batches.map(async (batch) => {
        const created = await api.request(
          'POST',
          `/api/v1/workflow/${workflow.body.id}/execution/bulk`,
          { leads: batch }
        );
        expect(created.body.successful).toBe(25);
      })
    );
    const createdIn = performance.now() - startedCreating;

    let debugLoad = '';
    const runs = await waitFor(
      async () => {
        if (process.env.PACING_DEBUG) {
          const o = (await api.request('GET', '/api/v1/organization')).body.organization;
          debugLoad = `${o.activeCallCount} active, ${o.queuedCallCount} queued`;
        }
        return allRuns(workflow.body.id);
      },
      (list) => {
        const counts: Record<string, number> = {};
        for (const run of list) counts[run.status] = (counts[run.status] ?? 0) + 1;
        if (process.env.PACING_DEBUG) console.log(JSON.stringify(counts), debugLoad);
        return list.length === RUNS && list.every((run) => run.status === 'COMPLETED');
      },
      240_000,
      2_000
    );
    const attempts = runs.flatMap((run) =>
      run.stepExecutions.map((step: any) => ({ ...step, priorityDate: run.priorityDate }))
    );
    expect(attempts).toHaveLength(RUNS);
    const peak = peakInFlight(attempts);
    expect(peak).toBeLessThanOrEqual(CAP);
    // And the cap was used, not merely respected (locally each hand-over takes a few store
    // round trips, so the measured peak sits a little under it).
    expect(peak).toBeGreaterThanOrEqual(CAP / 2);

    // Shares over the first 300 contacts, by the age bucket of their priorityDate.
    const first = [...attempts]
      .sort((a, b) => Date.parse(a.handedOverAt) - Date.parse(b.handedOverAt))
      .slice(0, 300);
    const ages = first.map((attempt) => (now - Date.parse(attempt.priorityDate)) / DAY);
    const share = (low: number, high: number) =>
      (100 * ages.filter((age) => age >= low && age < high).length) / first.length;
    expect(Math.abs(share(0, 8) - 60)).toBeLessThanOrEqual(5);
    expect(Math.abs(share(8, 31) - 30)).toBeLessThanOrEqual(5);
    expect(Math.abs(share(31, 1000) - 10)).toBeLessThanOrEqual(5);

    const organization = await api.request('GET', '/api/v1/organization');
    expect(organization.body.organization).toMatchObject({
      activeCallCount: 0,
      queuedCallCount: 0,
    });
    console.log(
      `paced ${RUNS} runs (created in ${Math.round(createdIn)} ms): peak ${peak} in flight, shares ${[share(0, 8), share(8, 31), share(31, 1000)].map((s) => s.toFixed(1)).join('/')} over the first 300`
    );
  }, 300_000);
});
