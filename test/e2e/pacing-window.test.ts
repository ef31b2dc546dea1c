import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  distinctPhone,
  featherExecution,
  featherWorkflow,
  placed,
  waitFor,
} from '../helpers/local-api.js';

/** Ten simulated minutes per real second: the window closes 12 to 18 real seconds after the start. */
const TIME_SCALE = 600;
const HOUR = 3_600_000;

let api: ApiClient;

beforeAll(async () => {
  // The manual channel: the first call holds the only slot until its outcome is reported.
  api = await bootLocalApi({
    timeScale: TIME_SCALE,
    environment: { DISPATCH_SPREAD_SECONDS: '0' },
  });
  await api.request('PATCH', '/api/v1/organization', { maxConcurrentCalls: 1 });
});

afterAll(async () => {
  await api.runtime.stop();
});

/**
 * A fixed-offset zone where it is now between 10:00 and 11:00, so a 10:00–13:00 window is open
 * now and closes in two to three (simulated) hours, whatever the hour of the real clock.
 */
function zoneAtTenNow(): string {
  const offset = (10 - new Date().getUTCHours() + 24) % 24;
  const signed = offset > 12 ? offset - 24 : offset;
  // Etc/GMT zones name the offset with the opposite sign (Etc/GMT-2 is UTC+2).
  return signed === 0 ? 'Etc/GMT' : `Etc/GMT${signed > 0 ? '-' : '+'}${Math.abs(signed)}`;
}

describe('a queued run whose window closes while it waits', () => {
  it('goes back to wait for its next window, without being dispatched outside this one', async () => {
    const tenToOne = {
      enabled: true,
      timeRanges: [{ startHour: 10, startMinute: 0, endHour: 13, endMinute: 0 }],
    };
    const days = Object.keys(alwaysOpen);
    const workflow = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      timezone: zoneAtTenNow(),
      workflowSchedule: Object.fromEntries(days.map((day) => [day, tenToOne])),
      tcpaSchedule: alwaysOpen,
      definition: { steps: [featherWorkflow.definition.steps[0]] },
    });
    expect(workflow.status).toBe(201);
    const path = (id: string) => `/api/v1/workflow/${workflow.body.id}/execution/${id}`;
    const create = async (lead: string) => {
      const created = await api.request('POST', `/api/v1/workflow/${workflow.body.id}/execution`, {
        ...featherExecution,
        customerLeadId: lead,
        primaryPhone: distinctPhone(),
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const get = async (id: string) => (await api.request('GET', path(id))).body;

    const holder = await create('holder');
    const holding = await waitFor(
      () => get(holder),
      (run) => placed(run).length === 1
    );
    const waiting = await create('waiting');
    const queued = await waitFor(
      () => get(waiting),
      (run) => run.queue?.status === 'QUEUED'
    );
    const queuedAt = Date.parse(queued.queue.since);

    // The window closes (the slot is still taken); the sweep sends the run back to re-plan.
    const replanned = await waitFor(
      () => get(waiting),
      (run) => run.queue === null && Date.parse(run.nextRunAt) > queuedAt + 12 * HOUR,
      45_000,
      250
    );
    expect(placed(replanned)).toEqual([]);
    expect(replanned.schedule.deferredBy.join(' ')).toContain('workflow');
    // Its next window opens at 10:00 local the next day: between 21 and 24 hours on.
    const ahead = Date.parse(replanned.nextRunAt) - queuedAt;
    expect(ahead).toBeGreaterThan(21 * HOUR);
    expect(ahead).toBeLessThanOrEqual(24 * HOUR);

    // The slot frees now, outside the window: nobody is dispatched for it.
    const [call] = placed(holding);
    await api.request('POST', `/api/v1/step-executions/${call.id}/outcome`, {
      disposition: 'NO_ANSWER',
    });
    await waitFor(
      () => get(holder),
      (run) => run.status === 'COMPLETED'
    );
    const organization = (await api.request('GET', '/api/v1/organization')).body.organization;
    expect(organization).toMatchObject({ activeCallCount: 0, queuedCallCount: 0 });
    expect(placed(await get(waiting))).toEqual([]);
  });
});
