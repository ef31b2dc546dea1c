import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  bootLocalApi,
  createOpenWorkflow,
  distinctPhone,
  featherExecution,
  placed,
  waitFor,
} from '../helpers/local-api.js';

let api: ApiClient;

// One simulated day per real 86 ms: a 60-day pause passes in about five seconds.
const TIME_SCALE = 1_000_000;

beforeAll(async () => {
  api = await bootLocalApi({ timeScale: TIME_SCALE, environment: { OUTREACH_CHANNEL: 'manual' } });
});

afterAll(async () => {
  await api.runtime.stop();
});

async function createRun(workflowId: string, overrides: Record<string, unknown> = {}) {
  const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
    ...featherExecution,
    primaryPhone: distinctPhone(),
    ...overrides,
  });
  expect(created.status).toBe(201);
  return `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
}

/** Waits until the run has `count` step executions, all but the last with an outcome. */
function stepsOf(path: string, count: number) {
  return waitFor(
    () => api.request('GET', path),
    (run) => placed(run.body).length === count
  );
}

async function report(stepExecutionId: string, disposition: string) {
  const answer = await api.request('POST', `/api/v1/step-executions/${stepExecutionId}/outcome`, {
    disposition,
  });
  expect(answer.status).toBe(200);
  return answer.body;
}

const transitions = () => api.runtime.engine.stats.stateTransitions;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pause and resume', () => {
  it('holds a run paused mid-call for 60 days at no cost, then runs each remaining step once', async () => {
    const workflowId = await createOpenWorkflow(api);
    const path = await createRun(workflowId);
    const calling = await stepsOf(path, 1);

    const paused = await api.request('POST', `${path}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('PAUSED');
    // The call in progress finishes; nothing after it starts.
    await report(calling.body.stepExecutions[0].id, 'NO_ANSWER');
    const parked = await waitFor(
      () => api.request('GET', path),
      (run) => run.body.stepIndex === 1
    );
    expect(parked.body.status).toBe('PAUSED');
    const before = transitions();
    await sleep(5_500); // 60+ simulated days; the text was due after one
    expect(transitions()).toBe(before);
    expect(placed((await api.request('GET', path)).body)).toHaveLength(1);

    const resumed = await api.request('POST', `${path}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('RUNNING');
    const texting = await stepsOf(path, 2);
    await report(texting.body.stepExecutions[1].id, 'ENDED');
    const done = await waitFor(
      () => api.request('GET', path),
      (run) => run.body.status === 'COMPLETED'
    );
    expect(done.body.stepExecutions.map((step: { stepIndex: number }) => step.stepIndex)).toEqual([
      0, 1,
    ]);
  });

  it('pauses and resumes through PUT, and a run paused before its first claim stays CREATED', async () => {
    const workflowId = await createOpenWorkflow(api);
    const path = await createRun(workflowId, {
      startAt: new Date(Date.now() + 3_600_000 * 24 * 30).toISOString(),
    });
    const paused = await api.request('PUT', path, { status: 'PAUSED', metadata: { note: 'hold' } });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ status: 'PAUSED', metadata: { note: 'hold' } });
    const resumed = await api.request('PUT', path, { status: 'RUNNING' });
    expect(resumed.body.status).toBe('CREATED');
    const again = await api.request('PUT', path, { status: 'RUNNING' });
    expect(again.status).toBe(200);
    const bad = await api.request('PUT', path, { status: 'COMPLETED' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('status');
    await api.request('POST', `${path}/cancel`);
  });
});

describe('cancel one', () => {
  it('cancels on every path with no body, keeps who and when, and is a no-op the second time', async () => {
    const workflowId = await createOpenWorkflow(api);
    for (const variant of ['execution', 'executions'] as const) {
      const path = await createRun(workflowId);
      const target = path.replace('/execution/', `/${variant}/`);
      const cancelled = await api.request('POST', `${target}/cancel`, 'anything', {
        'content-type': 'text/plain',
      });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED' });
      expect(cancelled.body.completedAt).not.toBeNull();
      const again = await api.request('POST', `${target}/cancel`);
      expect(again.status).toBe(200);
      expect(again.body.completedAt).toBe(cancelled.body.completedAt);
      for (const action of ['pause', 'resume']) {
        const refused = await api.request('POST', `${path}/${action}`);
        expect(refused.status).toBe(409);
        expect(refused.body.code).toBe('CONFLICT');
      }
    }
  });

  it('refuses to cancel a finished run (409) and hides another organization’s run (404)', async () => {
    const workflowId = await createOpenWorkflow(api);
    const path = await createRun(workflowId);
    const calling = await stepsOf(path, 1);
    await report(calling.body.stepExecutions[0].id, 'CALENDLY');
    await waitFor(
      () => api.request('GET', path),
      (run) => run.body.status === 'COMPLETED'
    );
    expect((await api.request('POST', `${path}/cancel`)).status).toBe(409);
    const other = await api.otherOrganization('controls-other');
    expect((await other('POST', `${path}/cancel`)).status).toBe(404);
  });
});

describe('delete', () => {
  it('cancels an active run, hides it, and answers 404 the second time', async () => {
    const workflowId = await createOpenWorkflow(api);
    const path = await createRun(workflowId);
    const deleted = await api.request('DELETE', path);
    expect(deleted.status).toBe(200);
    expect(deleted.body.message).toMatch(/deleted/);
    expect((await api.request('GET', path)).status).toBe(404);
    expect((await api.request('DELETE', path)).status).toBe(404);
    const listed = await api.request('GET', `/api/v1/workflow/${workflowId}/executions`);
    expect(listed.body.executions).toEqual([]);
  });

  it('deleting a workflow cancels its active runs first and says how many', async () => {
    const workflowId = await createOpenWorkflow(api);
    const paths = [await createRun(workflowId), await createRun(workflowId)];
    const deleted = await api.request('DELETE', `/api/v1/workflow/${workflowId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.cancelledCount).toBe(2);
    for (const path of paths) expect((await api.request('GET', path)).status).toBe(404);
  });
});

describe('cancel by phone or lead', () => {
  it('cancels the active runs of one phone across workflows, and of one lead in one workflow', async () => {
    const first = await createOpenWorkflow(api);
    const second = await createOpenWorkflow(api);
    const phone = '+14155550199';
    const byPhone = [
      await createRun(first, { primaryPhone: phone, customerLeadId: 'p-1' }),
      await createRun(second, { primaryPhone: phone, customerLeadId: 'p-2' }),
    ];
    const untouched = await createRun(first, {
      primaryPhone: '+14155550198',
      customerLeadId: 'p-3',
    });
    const cancelled = await api.request('POST', '/api/v1/executions/cancel', {
      phoneNumber: phone,
    });
    expect(cancelled.body).toEqual({ cancelledCount: 2 });
    for (const path of byPhone) {
      expect((await api.request('GET', path)).body.status).toBe('CANCELLED');
    }
    expect((await api.request('GET', untouched)).body.status).not.toBe('CANCELLED');
    const again = await api.request('POST', '/api/v1/executions/cancel', { phoneNumber: phone });
    expect(again.body).toEqual({ cancelledCount: 0 });

    const lead = await api.request('POST', `/api/v1/workflow/${second}/executions/cancel`, {
      customerLeadId: 'p-3',
    });
    expect(lead.body).toEqual({ cancelledCount: 0 }); // p-3 runs in the first workflow only
    const leadInFirst = await api.request('POST', `/api/v1/workflow/${first}/executions/cancel`, {
      customerLeadId: 'p-3',
    });
    expect(leadInFirst.body).toEqual({ cancelledCount: 1 });
  });

  it('needs exactly one strict E.164 phone number or lead id', async () => {
    for (const body of [
      {},
      { phoneNumber: '+14155550199', customerLeadId: 'x' },
      { phoneNumber: '4155550199' },
    ]) {
      const answer = await api.request('POST', '/api/v1/executions/cancel', body);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('BAD_REQUEST');
    }
  });
});

describe('bulk create', () => {
  it('creates the good leads and names the wrong field of the bad one', async () => {
    const workflowId = await createOpenWorkflow(api);
    const answer = await api.request('POST', `/api/v1/workflow/${workflowId}/execution/bulk`, {
      leads: [
        { ...featherExecution, customerLeadId: 'bulk-1' },
        { ...featherExecution, customerLeadId: 'bulk-2', primaryPhone: 'nope' },
        { ...featherExecution, customerLeadId: 'bulk-3' },
      ],
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ total: 3, successful: 2, failed: 1 });
    expect(answer.body.results[1]).toMatchObject({
      success: false,
      executionId: null,
      customerLeadId: 'bulk-2',
      error: expect.stringMatching(/^primaryPhone: /),
    });
    for (const index of [0, 2]) {
      const { executionId } = answer.body.results[index];
      const read = await api.request(
        'GET',
        `/api/v1/workflow/${workflowId}/execution/${executionId}`
      );
      expect(read.status).toBe(200);
    }
  });

  it('takes 1 to 25 leads', async () => {
    const workflowId = await createOpenWorkflow(api);
    for (const count of [0, 26]) {
      const answer = await api.request('POST', `/api/v1/workflow/${workflowId}/execution/bulk`, {
        leads: Array.from({ length: count }, () => featherExecution),
      });
      expect(answer.status).toBe(400);
      expect(answer.body.details[0].path).toBe('leads');
    }
  });
});
