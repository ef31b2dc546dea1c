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

// One simulated day per real 4 s: the 24 h cap window passes within a test.
const TIME_SCALE = 21_600;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  api = await bootLocalApi({ timeScale: TIME_SCALE, environment: { OUTREACH_CHANNEL: 'manual' } });
});

afterAll(async () => {
  await api.runtime.stop();
});

const oneCall = {
  definition: {
    steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'CALL_AGENT_ID', finishOn: [] }],
  },
};

async function createRun(workflowId: string, fields: Record<string, unknown>) {
  const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
    ...featherExecution,
    ...fields,
  });
  expect(created.status).toBe(201);
  return `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
}

const read = (path: string) => api.request('GET', path);

/** Waits for the run's first placed call and answers it with `disposition`. */
async function answerFirstCall(path: string, disposition: string) {
  const run = await waitFor(
    () => read(path),
    (r) => placed(r.body).length === 1
  );
  const [call] = placed(run.body);
  const answer = await api.request('POST', `/api/v1/step-executions/${call.id}/outcome`, {
    disposition,
  });
  expect(answer.status).toBe(200);
  return call;
}

describe('attempt cap', () => {
  it('contacts a number 3 times in 24 h across workflows and defers the 4th until a slot frees', async () => {
    const phone = '+14155550181';
    const [first, second] = [
      await createOpenWorkflow(api, oneCall),
      await createOpenWorkflow(api, oneCall),
    ];
    const calls = [];
    for (const workflowId of [first, second, first]) {
      calls.push(
        await answerFirstCall(await createRun(workflowId, { primaryPhone: phone }), 'NO_ANSWER')
      );
    }
    const fourth = await createRun(second, { primaryPhone: phone });
    const deferred = await waitFor(
      () => read(fourth),
      (r) =>
        /^attempt cap: 3 in 24 h for \+14155550181, next at /.test(
          r.body.schedule?.deferredBy?.[0] ?? ''
        )
    );
    expect(placed(deferred.body)).toHaveLength(0);
    expect(deferred.body.status).toBe('CREATED');

    const late = await answerFirstCall(fourth, 'NO_ANSWER');
    // Contacted only once the first counted attempt had left the 24 h window.
    expect(Date.parse(late.startedAt) - Date.parse(calls[0].startedAt)).toBeGreaterThanOrEqual(
      DAY_MS
    );
  });
});

describe('do-not-contact', () => {
  it('a DNC in workflow A cancels the number’s run in workflow B and refuses new runs for it', async () => {
    const phone = '+14155550182';
    const workflowA = await createOpenWorkflow(api, oneCall);
    const workflowB = await createOpenWorkflow(api, oneCall);
    const inA = await createRun(workflowA, { primaryPhone: phone });
    // Workflow B's run would call tomorrow (about 4 real seconds away).
    const startAt = new Date(Date.now() + DAY_MS).toISOString();
    const inB = await createRun(workflowB, { primaryPhone: phone, startAt });
    await answerFirstCall(inA, 'DNC');

    const cancelled = await waitFor(
      () => read(inB),
      (r) => r.body.status === 'CANCELLED'
    );
    expect(cancelled.body.error).toMatch(
      /^\+14155550182 is on the organization's do-not-contact list \(DNC outcome of step execution /
    );
    const refused = await api.request('POST', `/api/v1/workflow/${workflowB}/execution`, {
      ...featherExecution,
      primaryPhone: phone,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      { path: 'primaryPhone', message: "is on the organization's do-not-contact list" },
    ]);
    // Past B's start: it never placed a call.
    const later = Date.parse(startAt) + 3_600_000;
    await waitFor(
      () => Promise.resolve(Date.now()),
      (now) => now > later
    );
    expect(placed((await read(inB)).body)).toHaveLength(0);

    const list = await api.request('GET', '/api/v1/suppressions?limit=100');
    expect(list.body.suppressions).toContainEqual(
      expect.objectContaining({ phoneNumber: phone, reason: expect.stringMatching(/^DNC outcome/) })
    );
    const other = await api.otherOrganization('compliance-other');
    expect((await other('GET', '/api/v1/suppressions')).body.suppressions).toEqual([]);
  });

  it('adds numbers in bulk (E.164-normalised), refuses bad ones with their path, removes one', async () => {
    const bad = await api.request('POST', '/api/v1/suppressions', {
      phoneNumbers: ['+14155550183', 'not a number'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('phoneNumbers.1');

    const added = await api.request('POST', '/api/v1/suppressions', {
      // Feather's dashed form is stored as E.164.
      phoneNumbers: ['+1415-555-0183', '+14155550184'],
      reason: 'asked by email',
    });
    expect(added.status).toBe(200);
    expect(added.body.addedCount).toBe(2);
    const removed = await api.request('DELETE', '/api/v1/suppressions/%2B14155550183');
    expect(removed.status).toBe(200);
    const again = await api.request('DELETE', '/api/v1/suppressions/%2B14155550183');
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({
      code: 'NOT_FOUND',
      message: "+14155550183 is not on the organization's do-not-contact list",
    });
  });
});

describe('emergency stop per state', () => {
  it('makes runs for a stopped state wait, and lifting the stop lets them go on', async () => {
    const workflowId = await createOpenWorkflow(api, oneCall);
    const stop = await api.request('PUT', '/api/v1/organization/emergency-stops/la');
    expect(stop.status).toBe(200);
    expect(stop.body.emergencyStops).toEqual([expect.objectContaining({ state: 'LA' })]);
    const organization = await api.request('GET', '/api/v1/organization');
    expect(organization.body.organization.emergencyStops).toEqual([
      expect.objectContaining({ state: 'LA' }),
    ]);

    const path = await createRun(workflowId, {
      primaryPhone: '+15045550185',
      zipcode: '70112',
      state: 'LA',
    });
    const waiting = await waitFor(
      () => read(path),
      (r) => /^emergency stop: contact to LA blocked/.test(r.body.schedule?.deferredBy?.[0] ?? '')
    );
    expect(waiting.body.status).toBe('CREATED');
    // A few re-checks later (15 simulated minutes each) it still waits, uncontacted.
    const later = Date.now() + 3_600_000;
    await waitFor(
      () => Promise.resolve(Date.now()),
      (now) => now > later
    );
    expect(placed((await read(path)).body)).toHaveLength(0);

    const lifted = await api.request('DELETE', '/api/v1/organization/emergency-stops/LA');
    expect(lifted.status).toBe(200);
    expect(lifted.body.emergencyStops).toEqual([]);
    await waitFor(
      () => read(path),
      (r) => placed(r.body).length === 1
    );
  });
});
