import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  bootLocalApi,
  createOpenWorkflow,
  distinctPhone,
  featherExecution,
  featherWorkflow,
  placed,
  waitFor,
} from '../helpers/local-api.js';
import { formatWallTime } from '../helpers/zoned-time.js';

let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi({ environment: { OUTREACH_CHANNEL: 'manual' } });
});

afterAll(async () => {
  await api.runtime.stop();
});

describe('executions with the manual channel', () => {
  it('plans the Feather docs execution inside Mon/Tue 09–17 New York and 08–21 San Francisco', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    const before = Date.now();
    const created = await api.request(
      'POST',
      `/api/v1/workflow/${workflow.body.id}/execution`,
      featherExecution
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'CREATED',
      stepIndex: 0,
      customerLeadId: 'contact-123',
      primaryPhone: '+14155550123',
    });
    // Feather shows the upcoming step as a PENDING step execution with its planned time.
    expect(created.body.stepExecutions).toEqual([
      expect.objectContaining({
        status: 'PENDING',
        stepIndex: 0,
        attemptNo: 1,
        type: 'CALL',
        scheduledAt: created.body.nextRunAt,
        startedAt: null,
      }),
    ]);
    const nextRunAt = new Date(created.body.nextRunAt);
    expect(nextRunAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // Mon/Tue 09–17 in New York ∩ 08–21 in San Francisco = Mon/Tue 11:00–17:00 New York.
    const [weekday, , time] = formatWallTime(nextRunAt, 'America/New_York').split(' ');
    expect(['monday', 'tuesday']).toContain(weekday);
    expect(time! >= '11:00' && time! < '17:00').toBe(true);
    expect(created.body.schedule.recipientZones).toEqual(['America/Los_Angeles']);
  });

  it('completes with CALENDLY on step 1 and never dispatches the text', async () => {
    const workflowId = await createOpenWorkflow(api);
    const created = await api.request(
      'POST',
      `/api/v1/workflow/${workflowId}/execution`,
      featherExecution
    );
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const running = await waitFor(
      () => api.request('GET', path),
      (r) => placed(r.body).length === 1
    );
    const step = running.body.stepExecutions[0];
    expect(step).toMatchObject({
      status: 'IN_PROGRESS',
      type: 'CALL',
      channel: 'manual',
      disposition: null,
    });

    const reported = await api.request('POST', `/api/v1/step-executions/${step.id}/outcome`, {
      disposition: 'CALENDLY',
    });
    expect(reported.status).toBe(200);
    expect(reported.body.duplicate).toBe(false);

    const done = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'COMPLETED'
    );
    expect(done.body.disposition).toBe('CALENDLY');
    expect(done.body.stepExecutions).toHaveLength(1);
    expect(done.body.stepExecutions[0]).toMatchObject({
      status: 'COMPLETED',
      disposition: 'CALENDLY',
    });

    const again = await api.request('POST', `/api/v1/step-executions/${step.id}/outcome`, {
      disposition: 'NO_ANSWER',
    });
    expect(again.status).toBe(200);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.stepExecution.disposition).toBe('CALENDLY');
  });

  it('moves to the text when the outcome is not in finishOn, and completes after the last step', async () => {
    const workflowId = await createOpenWorkflow(api, {
      definition: {
        steps: [
          featherWorkflow.definition.steps[0],
          { ...featherWorkflow.definition.steps[1], delayInSecs: 0 },
        ],
      },
    });
    const created = await api.request(
      'POST',
      `/api/v1/workflow/${workflowId}/execution`,
      featherExecution
    );
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const call = await waitFor(
      () => api.request('GET', path),
      (r) => placed(r.body).length === 1
    );
    await api.request('POST', `/api/v1/step-executions/${call.body.stepExecutions[0].id}/outcome`, {
      disposition: 'NO_ANSWER',
    });
    const text = await waitFor(
      () => api.request('GET', path),
      (r) => placed(r.body).length === 2
    );
    expect(text.body.stepIndex).toBe(1);
    await api.request('POST', `/api/v1/step-executions/${text.body.stepExecutions[1].id}/outcome`, {
      disposition: 'TEXT_CONSENT',
    });
    const done = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'COMPLETED'
    );
    expect(done.body.disposition).toBe('TEXT_CONSENT');
    expect(done.body.stepExecutions.map((s: { type: string }) => s.type)).toEqual(['CALL', 'TEXT']);
  });

  it('lists executions with filters, enrichment and pagination', async () => {
    const workflowId = await createOpenWorkflow(api);
    for (const lead of ['lead-a', 'lead-b', 'lead-b']) {
      await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
        ...featherExecution,
        customerLeadId: lead,
      });
    }
    const byLead = await api.request(
      'GET',
      `/api/v1/workflow/${workflowId}/executions?customerLeadId=lead-b&limit=1`
    );
    expect(byLead.body.executions).toHaveLength(1);
    expect(byLead.body.executions[0].variables).toBeUndefined();
    const rest = await api.request(
      'GET',
      `/api/v1/workflow/${workflowId}/executions?customerLeadId=lead-b&limit=1&enriched=true&cursor=${byLead.body.pagination.nextCursor}`
    );
    expect(rest.body.executions).toHaveLength(1);
    expect(rest.body.executions[0].variables).toEqual(featherExecution.variables);
    expect(rest.body.executions[0].id).not.toBe(byLead.body.executions[0].id);
    const bad = await api.request('GET', `/api/v1/workflow/${workflowId}/executions?status=DONE`);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].path).toBe('status');
  });

  it.each([
    ['a phone without +', { primaryPhone: '4155550123' }, 'primaryPhone'],
    ['a bad ZIP', { zipcode: '9410' }, 'zipcode'],
    ['an unknown state', { state: 'XX' }, 'state'],
    ['startAt without offset', { startAt: '2026-12-01T10:00:00' }, 'startAt'],
    ['startAt more than 180 days away', { startAt: '2099-01-01T10:00:00Z' }, 'startAt'],
    ['attempt past the last step', { attempt: 2 }, 'attempt'],
    ['an unknown field', { email: 'a@b.c' }, 'email'],
  ])('rejects %s with 400 and the field path', async (_label, change, path) => {
    const workflowId = await createOpenWorkflow(api);
    const response = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      ...change,
    });
    expect(response.status).toBe(400);
    expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('refuses executions of an inactive workflow with 409', async () => {
    const workflowId = await createOpenWorkflow(api, { active: false });
    const response = await api.request(
      'POST',
      `/api/v1/workflow/${workflowId}/execution`,
      featherExecution
    );
    expect(response.status).toBe(409);
    expect(response.body.code).toBe('CONFLICT');
  });

  it('refuses with 409 and stores nothing when the schedules never meet for this recipient', async () => {
    // 23:00–24:00 in the recipient's own zone: the federal 08:00–21:00 default never allows it.
    const late = {
      enabled: true,
      timeRanges: [{ startHour: 23, startMinute: 0, endHour: 24, endMinute: 0 }],
    };
    const workflowId = await createOpenWorkflow(api, {
      timezone: 'America/Los_Angeles',
      workflowSchedule: { monday: late, friday: late },
      tcpaSchedule: undefined,
    });
    const response = await api.request(
      'POST',
      `/api/v1/workflow/${workflowId}/execution`,
      featherExecution
    );
    expect(response.status).toBe(409);
    expect(response.body.message).toMatch(/No allowed contact window within 14 days/);
    const listed = await api.request('GET', `/api/v1/workflow/${workflowId}/executions`);
    expect(listed.body.executions).toEqual([]);
  });

  it('hides executions and step executions from another organization', async () => {
    const workflowId = await createOpenWorkflow(api);
    // The earlier tests called the example's number three times today: the cap would hold it.
    const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      primaryPhone: distinctPhone(),
    });
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const running = await waitFor(
      () => api.request('GET', path),
      (r) => placed(r.body).length === 1
    );
    const other = await api.otherOrganization('intruder');
    expect((await other('GET', path)).status).toBe(404);
    const report = await other(
      'POST',
      `/api/v1/step-executions/${running.body.stepExecutions[0].id}/outcome`,
      { disposition: 'DNC' }
    );
    expect(report.status).toBe(404);
    expect((await api.request('GET', path)).body.status).toBe('RUNNING');
  });
});
