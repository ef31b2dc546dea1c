import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  bootLocalApi,
  createOpenWorkflow,
  featherExecution,
  placed,
  waitFor,
} from '../helpers/local-api.js';

let api: ApiClient;
// One simulated day in about 29 real milliseconds.
const TIME_SCALE = 3_000_000;
const DAY = 86_400_000;

beforeAll(async () => {
  api = await bootLocalApi({ timeScale: TIME_SCALE, environment: { OUTREACH_CHANNEL: 'manual' } });
});

afterAll(async () => {
  await api.runtime.stop();
});

describe('a start far ahead', () => {
  it('starts no state machine execution until a one-time schedule starts it, up to a year ahead', async () => {
    const workflowId = await createOpenWorkflow(api);
    const active = api.runtime.engine.activeExecutions;
    const startAt = new Date(Date.now() + 300 * DAY).toISOString();
    const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      startAt,
    });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('CREATED');
    // Stored and scheduled, but no execution is open for it (the quota of open executions).
    expect(api.runtime.engine.activeExecutions).toBe(active);
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const started = await waitFor(
      () => api.request('GET', path),
      (run) => placed(run.body).length === 1,
      30_000
    );
    expect(Date.parse(placed(started.body)[0].startedAt)).toBeGreaterThanOrEqual(
      Date.parse(startAt)
    );
  });

  it('never starts a run cancelled before its start', async () => {
    const workflowId = await createOpenWorkflow(api);
    const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      startAt: new Date(Date.now() + 20 * DAY).toISOString(),
    });
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const active = api.runtime.engine.activeExecutions;
    expect((await api.request('POST', `${path}/cancel`)).body.status).toBe('CANCELLED');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // 50+ simulated days
    const run = await api.request('GET', path);
    expect(run.body.status).toBe('CANCELLED');
    expect(placed(run.body)).toEqual([]);
    expect(api.runtime.engine.activeExecutions).toBe(active);
  });

  it('refuses a start more than a year ahead', async () => {
    const workflowId = await createOpenWorkflow(api);
    const answer = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      startAt: new Date(Date.now() + 400 * DAY).toISOString(),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.details[0].path).toBe('startAt');
  });
});
