import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../../lambdas/domain/timeline.js';
import {
  type ApiClient,
  bootLocalApi,
  createOpenWorkflow,
  featherExecution,
  placed,
  waitFor,
} from '../helpers/local-api.js';

let api: ApiClient;

// One simulated hour per real second: the deferral below lasts two or three seconds.
const TIME_SCALE = 3600;

beforeAll(async () => {
  api = await bootLocalApi({ timeScale: TIME_SCALE, environment: { OUTREACH_CHANNEL: 'manual' } });
});

afterAll(async () => {
  await api.runtime.stop();
});

const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/**
 * Open two hours a day (UTC), starting two simulated hours from now: a run created now is
 * deferred, and the window opens a couple of real seconds later. `Date` runs on the local
 * runtime's scaled clock in this process.
 */
function windowTwoHoursAhead() {
  const startHour = (new Date().getUTCHours() + 2) % 24;
  // A window may not cross midnight: one that would is cut at 24:00.
  const range = { startHour, startMinute: 0, endHour: Math.min(startHour + 2, 24), endMinute: 0 };
  return Object.fromEntries(days.map((day) => [day, { enabled: true, timeRanges: [range] }]));
}

interface Entry {
  at: string;
  type: string;
  stepIndex?: number;
  stepExecutionId?: string;
  attempt?: number;
  message: string;
  rule?: string;
}

/** The whole timeline, read three entries a page. */
async function readTimeline(path: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : '?limit=3';
    const page = await api.request('GET', `${path}/events${query}`);
    expect(page.status).toBe(200);
    expect(page.body.events.length).toBeLessThanOrEqual(3);
    expect(page.body.pagination.limit).toBe(3);
    entries.push(...page.body.events);
    cursor = page.body.pagination.nextCursor;
  } while (cursor);
  return entries;
}

describe('GET …/execution/{executionId}/events', () => {
  it('tells a run from creation through a deferral, its call, a pause and a resume to its cancel, in order', async () => {
    const workflowId = await createOpenWorkflow(api, {
      timezone: 'UTC',
      workflowSchedule: windowTwoHoursAhead(),
    });
    const created = await api.request(
      'POST',
      `/api/v1/workflow/${workflowId}/execution`,
      featherExecution
    );
    expect(created.status).toBe(201);
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;

    const waiting = await readTimeline(path);
    expect(waiting.map((entry) => entry.type)).toEqual(['CREATED', 'DEFERRED']);
    expect(waiting[1]?.rule).toMatch(/^workflowSchedule, \w+day before \d\d:00 in UTC$/);
    expect(waiting[1]?.message).toBe(
      `deferred to ${formatInstant(created.body.nextRunAt)}: ${waiting[1]?.rule}`
    );

    const calling = await waitFor(
      () => api.request('GET', path),
      (run) => placed(run.body).length === 1,
      60_000
    );
    const call = placed(calling.body)[0];
    const reported = await api.request('POST', `/api/v1/step-executions/${call.id}/outcome`, {
      disposition: 'NO_ANSWER',
    });
    expect(reported.status).toBe(200);
    // The text is due a day later: the run waits while it is paused, resumed and cancelled.
    for (const control of ['pause', 'resume', 'cancel']) {
      expect((await api.request('POST', `${path}/${control}`)).status).toBe(200);
    }

    const entries = await readTimeline(path);
    expect(entries.map((entry) => entry.type)).toEqual([
      'CREATED',
      'DEFERRED',
      'DISPATCHED',
      'OUTCOME',
      expect.stringMatching(/^(SCHEDULED|DEFERRED)$/),
      'PAUSED',
      'RESUMED',
      'CANCELLED',
    ]);
    const instants = entries.map((entry) => Date.parse(entry.at));
    expect(instants).toEqual([...instants].sort((a, b) => a - b));
    expect(entries[2]).toMatchObject({ stepIndex: 0, attempt: 1, stepExecutionId: call.id });
    expect(Date.parse(entries[2]?.at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(created.body.nextRunAt)
    );
    expect(entries[3]).toMatchObject({
      stepExecutionId: call.id,
      message: 'step 1 (CALL) ended NO_ANSWER',
    });
    expect(entries[4]).toMatchObject({ stepIndex: 1, attempt: 1 });
    expect(entries[7]?.message).toBe('cancelled through the API');

    const stranger = await api.otherOrganization('timeline-stranger');
    const hidden = await stranger('GET', `${path}/events`);
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ code: 'NOT_FOUND', success: false });
  });
});
