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

let api: ApiClient;
let workflowId: string;

beforeAll(async () => {
  // The manual channel: a call stays in flight (holding its slot) until its outcome is reported.
  api = await bootLocalApi({ environment: { DISPATCH_SPREAD_SECONDS: '0' } });
  expect(
    (await api.request('PATCH', '/api/v1/organization', { maxConcurrentCalls: 1 })).status
  ).toBe(200);
  const workflow = await api.request('POST', '/api/v1/workflow', {
    ...featherWorkflow,
    workflowSchedule: alwaysOpen,
    tcpaSchedule: alwaysOpen,
    definition: { steps: [featherWorkflow.definition.steps[0]] },
  });
  workflowId = workflow.body.id;
});

afterAll(async () => {
  await api.runtime.stop();
});

const pathOf = (id: string) => `/api/v1/workflow/${workflowId}/execution/${id}`;

async function create(name: string): Promise<string> {
  const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
    ...featherExecution,
    customerLeadId: name,
    primaryPhone: distinctPhone(),
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

const get = async (id: string) => (await api.request('GET', pathOf(id))).body;

function until(id: string, done: (run: any) => boolean) {
  return waitFor(() => get(id), done, 30_000);
}

async function report(run: any): Promise<void> {
  const [attempt] = placed(run);
  const answer = await api.request('POST', `/api/v1/step-executions/${attempt.id}/outcome`, {
    disposition: 'NO_ANSWER',
  });
  expect(answer.status).toBe(200);
}

const load = async () => (await api.request('GET', '/api/v1/organization')).body.organization;

describe('pacing with one call slot: queued runs, their place, and controls that win', () => {
  it('queues, shows the place, and lets cancel and pause win over a queued run', async () => {
    const first = await create('first');
    const inFlight = await until(first, (run) => placed(run).length === 1);
    // Created one after another: the same priorityDate order as their creation (newest first).
    const [oldest, middle, newest] = [
      await create('oldest'),
      await create('middle'),
      await create('newest'),
    ];
    const queued = await until(oldest, (run) => run.queue?.status === 'QUEUED');
    await until(newest, (run) => run.queue?.status === 'QUEUED');
    await until(middle, (run) => run.queue?.status === 'QUEUED');
    expect(queued.queue).toMatchObject({ kind: 'CALL', position: 3 });
    expect((await get(newest)).queue.position).toBe(1);
    expect(await load()).toMatchObject({ activeCallCount: 1, queuedCallCount: 3 });

    // The newest is cancelled and the middle one paused while they wait for the slot.
    expect((await api.request('POST', `${pathOf(newest)}/cancel`)).status).toBe(200);
    expect((await api.request('POST', `${pathOf(middle)}/pause`)).status).toBe(200);
    await report(inFlight);

    // The slot skips the cancelled run, the paused one gives it back, the oldest gets it.
    const next = await until(oldest, (run) => placed(run).length === 1);
    expect(next.queue).toBeNull();
    expect(await get(newest)).toMatchObject({ status: 'CANCELLED', queue: null });
    expect(placed(await get(newest))).toEqual([]);
    const paused = await until(middle, (run) => run.status === 'PAUSED' && run.queue === null);
    expect(placed(paused)).toEqual([]);
    expect(await load()).toMatchObject({ activeCallCount: 1, queuedCallCount: 0 });

    // Resumed, it queues again behind the call in flight, then gets the slot after it.
    expect((await api.request('POST', `${pathOf(middle)}/resume`)).status).toBe(200);
    await until(middle, (run) => run.queue?.status === 'QUEUED');
    await report(next);
    const resumed = await until(middle, (run) => placed(run).length === 1);
    await report(resumed);
    await until(middle, (run) => run.status === 'COMPLETED');
    expect(await load()).toMatchObject({ activeCallCount: 0, queuedCallCount: 0 });

    const events = await api.request('GET', `${pathOf(middle)}/events`);
    const types = events.body.events.map((event: any) => event.type);
    expect(types.filter((type: string) => type === 'QUEUED')).toHaveLength(1);
    expect(types.indexOf('QUEUED')).toBeLessThan(types.indexOf('DISPATCHED'));
  });
});
