import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, bootLocalApi, featherWorkflow } from '../helpers/local-api.js';

let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi();
});

afterAll(async () => {
  await api.runtime.stop();
});

describe('workflow API (local runtime over HTTP)', () => {
  it('creates the Feather docs example with 201 and returns it on GET', async () => {
    const created = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Two-step follow-up',
      active: true,
      timezone: 'America/New_York',
      organizationId: api.runtime.organizationId,
    });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.body.definition.steps).toHaveLength(2);
    // No tcpaSchedule sent: the federal default applies.
    expect(created.body.tcpaSchedule.sunday.timeRanges[0]).toEqual({
      startHour: 8,
      startMinute: 0,
      endHour: 21,
      endMinute: 0,
    });
    const fetched = await api.request('GET', `/api/v1/workflow/${created.body.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
  });

  it('lists with cursor pagination', async () => {
    for (let i = 0; i < 3; i++)
      await api.request('POST', '/api/v1/workflow', { ...featherWorkflow, name: `wf ${i}` });
    const first = await api.request('GET', '/api/v1/workflow?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.workflows).toHaveLength(2);
    expect(first.body.pagination.limit).toBe(2);
    const second = await api.request(
      'GET',
      `/api/v1/workflow?limit=2&cursor=${first.body.pagination.nextCursor}`
    );
    const ids = [...first.body.workflows, ...second.body.workflows].map(
      (w: { id: string }) => w.id
    );
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(4);
  });

  it('patches a workflow and bumps updatedAt, then deletes it', async () => {
    const created = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const patched = await api.request('PATCH', `/api/v1/workflow/${created.body.id}`, {
      active: false,
      timezone: 'America/Los_Angeles',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      active: false,
      timezone: 'America/Los_Angeles',
      name: featherWorkflow.name,
    });
    expect(patched.body.updatedAt > created.body.updatedAt).toBe(true);
    const deleted = await api.request('DELETE', `/api/v1/workflow/${created.body.id}`);
    expect(deleted).toEqual({
      status: 200,
      body: { message: `Workflow ${created.body.id} deleted`, cancelledCount: 0 },
    });
    expect((await api.request('GET', `/api/v1/workflow/${created.body.id}`)).status).toBe(404);
  });

  it('answers 401 in the envelope without a key or with a wrong key', async () => {
    const url = `${api.runtime.url}/api/v1/workflow`;
    const attempts: Array<Record<string, string>> = [{}, { 'x-api-key': 'ow_wrong' }];
    for (const headers of attempts) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        status: 401,
        code: 'UNAUTHORIZED',
        message: 'Missing or invalid API key',
        success: false,
      });
    }
  });

  it("hides one organization's workflows from another (404, absent from lists)", async () => {
    const created = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    const other = await api.otherOrganization('other-org');
    const fetched = await other('GET', `/api/v1/workflow/${created.body.id}`);
    expect(fetched.status).toBe(404);
    expect(fetched.body.code).toBe('NOT_FOUND');
    expect(
      (await other('PATCH', `/api/v1/workflow/${created.body.id}`, { name: 'x' })).status
    ).toBe(404);
    expect((await other('DELETE', `/api/v1/workflow/${created.body.id}`)).status).toBe(404);
    const listed = await other('GET', '/api/v1/workflow?limit=100');
    expect(listed.body.workflows).toEqual([]);
  });

  it('answers unknown routes, bad JSON, wrong content types and huge bodies in the envelope', async () => {
    const unknown = await api.request('GET', '/api/v1/nope');
    expect(unknown).toEqual({
      status: 404,
      body: { status: 404, code: 'NOT_FOUND', message: 'No such route', success: false },
    });
    const malformed = await api.request('POST', '/api/v1/workflow', '{"name":', {});
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({
      code: 'BAD_REQUEST',
      success: false,
      message: 'Request body is not valid JSON',
    });
    const text = await api.request('POST', '/api/v1/workflow', JSON.stringify(featherWorkflow), {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const huge = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      description: 'x'.repeat(300_000),
    });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    const badId = await api.request('GET', '/api/v1/workflow/not-a-uuid');
    expect(badId.status).toBe(400);
  });

  const steps = featherWorkflow.definition.steps;
  const badInputs: Array<[string, Record<string, unknown>, string]> = [
    ['missing name', { name: undefined }, 'name'],
    ['empty name', { name: '' }, 'name'],
    ['unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone'],
    [
      'unknown weekday',
      { workflowSchedule: { funday: { enabled: true, timeRanges: [] } } },
      'workflowSchedule.funday',
    ],
    [
      'start after end',
      {
        workflowSchedule: {
          monday: { enabled: true, timeRanges: [{ startHour: 17, endHour: 9 }] },
        },
      },
      'workflowSchedule.monday.timeRanges.0.endHour',
    ],
    [
      'range across midnight',
      { tcpaSchedule: { monday: { enabled: true, timeRanges: [{ startHour: 22, endHour: 2 }] } } },
      'tcpaSchedule.monday.timeRanges.0.endHour',
    ],
    [
      'hour 25',
      {
        workflowSchedule: {
          monday: { enabled: true, timeRanges: [{ startHour: 9, endHour: 25 }] },
        },
      },
      'workflowSchedule.monday.timeRanges.0.endHour',
    ],
    [
      'minute 60',
      {
        workflowSchedule: {
          monday: { enabled: true, timeRanges: [{ startHour: 9, startMinute: 60, endHour: 17 }] },
        },
      },
      'workflowSchedule.monday.timeRanges.0.startMinute',
    ],
    [
      '24:30 end',
      {
        workflowSchedule: {
          monday: { enabled: true, timeRanges: [{ startHour: 9, endHour: 24, endMinute: 30 }] },
        },
      },
      'workflowSchedule.monday.timeRanges.0.endMinute',
    ],
    [
      'enabled day without ranges',
      { workflowSchedule: { monday: { enabled: true, timeRanges: [] } } },
      'workflowSchedule.monday.timeRanges',
    ],
    ['no steps', { definition: { steps: [] } }, 'definition.steps'],
    [
      'unknown step type',
      { definition: { steps: [{ ...steps[0], type: 'EMAIL' }] } },
      'definition.steps.0.type',
    ],
    [
      'duplicate order',
      { definition: { steps: [steps[0], { ...steps[1], order: 1 }] } },
      'definition.steps.1.order',
    ],
    [
      'negative delay',
      { definition: { steps: [{ ...steps[0], delayInSecs: -1 }] } },
      'definition.steps.0.delayInSecs',
    ],
    [
      'delays adding up to more than 180 days',
      {
        definition: {
          steps: [
            { ...steps[0], delayInSecs: 100 * 86_400 },
            { ...steps[1], delayInSecs: 100 * 86_400 },
          ],
        },
      },
      'definition.steps',
    ],
    [
      'fractional delay',
      { definition: { steps: [{ ...steps[0], delayInSecs: 1.5 }] } },
      'definition.steps.0.delayInSecs',
    ],
    [
      'unknown disposition',
      { definition: { steps: [{ ...steps[0], finishOn: ['BOOKED'] }] } },
      'definition.steps.0.finishOn.0',
    ],
    [
      'missing agentId',
      { definition: { steps: [{ ...steps[0], agentId: undefined }] } },
      'definition.steps.0.agentId',
    ],
    [
      'TEXT without initialMessage',
      { definition: { steps: [{ ...steps[1], order: 1, initialMessage: undefined }] } },
      'definition.steps.0.initialMessage',
    ],
    ['unknown top-level field', { colour: 'blue' }, 'colour'],
    [
      'unknown step field',
      { definition: { steps: [{ ...steps[0], retries: 3 }] } },
      'definition.steps.0.retries',
    ],
    ['active not boolean', { active: 'yes' }, 'active'],
  ];

  it.each(badInputs)('rejects %s with 400 and the field path', async (_label, change, path) => {
    const body = JSON.parse(JSON.stringify({ ...featherWorkflow, ...change }));
    const response = await api.request('POST', '/api/v1/workflow', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, code: 'BAD_REQUEST', success: false });
    expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('rejects an empty PATCH and an unknown PATCH field', async () => {
    const created = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    expect((await api.request('PATCH', `/api/v1/workflow/${created.body.id}`, {})).status).toBe(
      400
    );
    const unknown = await api.request('PATCH', `/api/v1/workflow/${created.body.id}`, {
      steps: [],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details[0].path).toBe('steps');
  });
});
