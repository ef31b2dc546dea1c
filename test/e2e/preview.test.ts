/**
 * The launch preview against what the engine then does, on the local runtime: 25 mixed leads
 * (ZIPs in nine zones, states spanning two, no location, invalid fields, starts on schedule
 * edges) are previewed, then created through bulk create and run to the end by the simulator,
 * which reports ENDED (the preview's assumed outcome) for every step.
 *
 * What is compared, and why it is exact:
 * - Step 1: the run's stored schedule decision (nextRunAt, dueAt, deferredBy), read before any
 *   dispatch. Every lead has a start a day or more ahead, so the due time is the start in the
 *   preview and in the run alike, whatever the instant of each request.
 * - Step 2: its nextRunAt. The run's text falls due twelve hours after the call's outcome,
 *   which lands it in closed hours (every call is placed 09:00–17:00 in New York), so it is
 *   deferred to the next opening in both; the due time itself is later in the run by however
 *   long the call took (here, the runtime's latency), which the preview assumes to be zero.
 * - Attempts: each step is contacted at or after its previewed instant (within the dispatch
 *   spread and the runtime's latency; the plan's exact Wait end is not visible through the API).
 * - Refusals: bulk create refuses exactly the leads the preview blocks, for the same reason.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Weekday } from '../../lambdas/schemas/common.js';
import { type ApiClient, bootLocalApi, waitFor } from '../helpers/local-api.js';
import { addDays, localDateOf, weekdayOf, zonedWallTimeToInstant } from '../helpers/zoned-time.js';

let api: ApiClient;
// One simulated day in about 4 real seconds. Every call is planned at least two hours before
// its window closes and every text falls due at least six hours before the next opening, so
// the runtime's latency (a simulated hour is 180 real ms) moves no instant across an edge.
const TIME_SCALE = 20_000;
const DAY_MS = 86_400_000;
const NEW_YORK = 'America/New_York';

beforeAll(async () => {
  api = await bootLocalApi({
    timeScale: TIME_SCALE,
    environment: {
      OUTREACH_CHANNEL: 'simulator',
      SIMULATOR_OUTCOME: 'ENDED',
      SIMULATOR_DELAY_MS: '0',
      // The law in force, as in a deployment: the preview must match it too.
      STATE_CALLING_RULES: 'enforced',
    },
  });
});

afterAll(async () => {
  await api.runtime.stop();
});

const nineToFive = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 }],
};
const workflow = {
  name: 'Preview: call, then a text twelve hours later',
  timezone: NEW_YORK,
  workflowSchedule: {
    monday: nineToFive,
    tuesday: nineToFive,
    wednesday: nineToFive,
    thursday: nineToFive,
    friday: nineToFive,
  },
  definition: {
    steps: [
      { type: 'CALL', order: 1, delayInSecs: 0, agentId: 'call', finishOn: ['CALENDLY', 'DNC'] },
      { type: 'TEXT', order: 2, delayInSecs: 12 * 3600, agentId: 'text', initialMessage: 'Hi' },
    ],
  },
};

/** The first `weekday` HH:MM in New York at least a day after `from`. */
function newYork(from: number, weekday: Weekday, hour: number, minute = 0): string {
  let date = localDateOf(new Date(from + DAY_MS), NEW_YORK);
  for (;;) {
    const at = zonedWallTimeToInstant(date, hour * 60 + minute, NEW_YORK);
    if (weekdayOf(date) === weekday && at.getTime() >= from + DAY_MS) return at.toISOString();
    date = addDays(date, 1);
  }
}

/** Where and when: ZIPs and states across zones, starts at the edges of the windows. */
function mixedLeads(from: number) {
  const at = (weekday: Weekday, hour: number, minute = 0) => ({
    startAt: newYork(from, weekday, hour, minute),
  });
  const where: Array<[string, Record<string, unknown>]> = [
    ['ny-open', { zipcode: '10001', ...at('tuesday', 10) }],
    ['ny-before-open', { zipcode: '10001', ...at('wednesday', 8, 59) }],
    ['ny-at-open', { zipcode: '10001', ...at('thursday', 9) }],
    ['ny-two-hours-before-close', { zipcode: '10001', ...at('monday', 15) }],
    ['ny-at-close', { zipcode: '10001', ...at('monday', 17) }],
    ['ny-friday-evening', { zipcode: '10001', ...at('friday', 18) }],
    ['ny-saturday', { zipcode: '10001', ...at('saturday', 10) }],
    ['brooklyn-sunday-night', { zipcode: '11201', ...at('sunday', 23) }],
    ['san-francisco-early', { zipcode: '94107', ...at('tuesday', 9, 30) }],
    ['beverly-hills', { zipcode: '90210-1234', ...at('wednesday', 14) }],
    ['chicago', { zipcode: '60601', ...at('monday', 9) }],
    ['denver', { zipcode: '80202', ...at('tuesday', 9) }],
    ['phoenix', { zipcode: '85001', ...at('wednesday', 9, 30) }],
    ['el-paso', { zipcode: '79901', ...at('thursday', 9, 15) }],
    ['honolulu', { zipcode: '96813', ...at('monday', 10) }],
    ['anchorage', { zipcode: '99501', ...at('friday', 11) }],
    ['texas', { state: 'TX', ...at('monday', 9) }],
    ['florida', { state: 'fl', ...at('tuesday', 14, 30) }],
    ['indiana', { state: 'IN', ...at('wednesday', 8) }],
    ['puerto-rico', { zipcode: '00901', ...at('thursday', 14, 45) }],
    ['guam', { zipcode: '96910', ...at('monday', 9) }],
    ['nowhere', { ...at('monday', 9) }],
    ['bad-phone', { primaryPhone: '+1415555', zipcode: '10001' }],
    ['text-only', { zipcode: '10001', attempt: 1, ...at('tuesday', 20) }],
    ['bad-zip', { zipcode: '1234' }],
  ];
  return where.map(([customerLeadId, fields], i) => ({
    customerLeadId,
    primaryPhone: `+1212555${String(1000 + i)}`,
    ...fields,
  }));
}

async function listRuns(workflowId: string, enriched: boolean): Promise<Map<string, any>> {
  const page = await api.request(
    'GET',
    `/api/v1/workflow/${workflowId}/executions?limit=100&enriched=${enriched}`
  );
  return new Map(page.body.executions.map((run: any) => [run.id, run]));
}

describe('the launch preview', () => {
  it('matches, instant for instant, what the engine then does with 25 mixed leads', async () => {
    const created = await api.request('POST', '/api/v1/workflow', workflow);
    const workflowId = created.body.id;
    const leads = mixedLeads(Date.now());

    const preview = await api.request('POST', `/api/v1/workflow/${workflowId}/execution/preview`, {
      leads,
    });
    expect(preview.status).toBe(200);
    // Blocked: the bad phone, the bad ZIP, and Guam, whose windows never meet New York's (every
    // lead's phone is a 212 number, so New York's zone and law apply to every lead too).
    expect(preview.body.summary).toMatchObject({ total: 25, contactable: 22, blocked: 3 });
    const bulk = await api.request('POST', `/api/v1/workflow/${workflowId}/execution/bulk`, {
      leads,
    });
    expect(bulk.status).toBe(201);

    // Refused by bulk create exactly when blocked by the preview, for the same reason.
    const results: any[] = bulk.body.results;
    const previewed: any[] = preview.body.leads;
    expect(results.map((r) => (r.success ? null : r.error))).toEqual(
      previewed.map((lead) => lead.blocked?.reason ?? null)
    );

    // Step 1: each run's decision as creation stored it, before any dispatch.
    const stored = await listRuns(workflowId, false);
    const runs = results.flatMap((result, index) =>
      result.success ? [{ id: result.executionId as string, lead: previewed[index] }] : []
    );
    for (const { id, lead } of runs) {
      const run = stored.get(id);
      const [first] = lead.steps;
      expect(run.schedule.stepIndex, `${lead.customerLeadId} was dispatched already`).toBe(
        first.stepIndex
      );
      expect({ lead: lead.customerLeadId, ...pick(run.schedule) }).toEqual({
        lead: lead.customerLeadId,
        nextRunAt: first.firstContactAt,
        dueAt: first.dueAt,
        deferredBy: first.deferredBy,
      });
    }

    // Step 2 and the attempts, once every run has ended.
    const ended = await waitFor(
      () => listRuns(workflowId, true),
      (all) => runs.every(({ id }) => all.get(id)?.status === 'COMPLETED'),
      110_000,
      500
    );
    for (const { id, lead } of runs) {
      const run = ended.get(id);
      const last = lead.steps.at(-1);
      expect([lead.customerLeadId, run.schedule.nextRunAt]).toEqual([
        lead.customerLeadId,
        last.firstContactAt,
      ]);
      // The run's due time is later by the time the call took; the preview assumes none.
      expect(Date.parse(run.schedule.dueAt)).toBeGreaterThanOrEqual(Date.parse(last.dueAt));
      const contacted = run.stepExecutions.map((step: any) => [step.stepIndex, step.startedAt]);
      expect(contacted.map(([stepIndex]: [number]) => stepIndex)).toEqual(
        lead.steps.map((step: any) => step.stepIndex)
      );
      lead.steps.forEach((step: any, k: number) => {
        expect(Date.parse(contacted[k][1])).toBeGreaterThanOrEqual(Date.parse(step.firstContactAt));
      });
    }
  });
});

function pick(schedule: { nextRunAt: string; dueAt: string; deferredBy: string[] }) {
  return { nextRunAt: schedule.nextRunAt, dueAt: schedule.dueAt, deferredBy: schedule.deferredBy };
}
