import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type ApiClient,
  alwaysOpen as allOpen,
  bootLocalApi,
  featherWorkflow,
  placed,
  waitFor,
} from '../helpers/local-api.js';

/**
 * Feather's documented requests, verbatim where the docs give them, and the requests its n8n
 * client sends, checked against response shapes written from Feather's API reference
 * (https://docs.featherhq.com/api-reference). Extra fields of ours are fine; renamed or missing
 * ones are not.
 */

let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi({ environment: { OUTREACH_CHANNEL: 'manual' } });
});

afterAll(async () => {
  await api.runtime.stop();
});

const timeRange = z.object({
  startHour: z.number(),
  startMinute: z.number(),
  endHour: z.number(),
  endMinute: z.number(),
});
const day = z.object({ enabled: z.boolean(), timeRanges: z.array(timeRange) });
const weekSchedule = z.object({
  monday: day,
  tuesday: day,
  wednesday: day,
  thursday: day,
  friday: day,
  saturday: day,
  sunday: day,
});
const step = z.object({
  id: z.string(),
  type: z.enum(['CALL', 'TEXT']),
  order: z.number(),
  delayInSecs: z.number(),
  agentId: z.string(),
  leaveVoicemail: z.boolean(),
  finishOn: z.array(z.string()),
});
const workflowShape = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  organizationId: z.string(),
  active: z.boolean(),
  timezone: z.string(),
  workflowSchedule: weekSchedule,
  tcpaSchedule: weekSchedule,
  definition: z.object({ steps: z.array(step) }),
});
const stepExecutionShape = z.object({
  id: z.string(),
  workflowExecutionId: z.string(),
  status: z.string(),
  type: z.string(),
  order: z.number(),
  delayInSecs: z.number(),
  needsTCPACompliance: z.boolean(),
  finishOn: z.array(z.string()),
  leaveVoicemail: z.boolean(),
  disposition: z.string().nullable(),
  agentId: z.string(),
  agentCall: z.unknown(),
});
const executionShape = z.object({
  id: z.string(),
  workflowId: z.string(),
  status: z.enum(['CREATED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'PAUSED']),
  customerLeadId: z.string(),
  primaryPhone: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  variables: z.record(z.string(), z.unknown()),
  disposition: z.string().nullable(),
  definition: z.object({ steps: z.array(step) }),
  stepExecutions: z.array(stepExecutionShape),
  stepIndex: z.number(),
  nextRunAt: z.string().nullable(),
  priorityDate: z.string(),
  createdAt: z.string(),
});

const allDisabled = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((name) => [
    name,
    { enabled: false, timeRanges: [] },
  ])
);

describe('Feather documented requests', () => {
  it('GET /api/v1/organization answers the key’s organization', async () => {
    const answer = await api.request('GET', '/api/v1/organization');
    expect(answer.status).toBe(200);
    expect(answer.body.organization).toMatchObject({
      id: api.runtime.organizationId,
      name: 'development',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('creates the docs’ workflow and answers every day of both schedules, all four time fields', async () => {
    const created = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    expect(created.status).toBe(201);
    workflowShape.parse(created.body);
    expect(created.body.workflowSchedule.sunday).toEqual({ enabled: false, timeRanges: [] });
  });

  it('accepts the documented step fields: needsTCPACompliance, conditions, count, a non-UUID id, isInfinite', async () => {
    const created = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      definition: {
        isInfinite: false,
        steps: [
          {
            id: 'CALL_AGENT_ID',
            type: 'CALL',
            order: 2,
            delayInSecs: 0,
            agentId: 'CALL_AGENT_ID',
            needsTCPACompliance: true,
            conditions: [],
            count: 1,
            finishOn: [],
          },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.definition.steps[0]).toMatchObject({
      id: 'CALL_AGENT_ID',
      order: 2,
      needsTCPACompliance: true,
      count: 1,
    });
    expect(created.body.definition.isInfinite).toBe(false);
  });

  it('refuses what it cannot honour instead of ignoring it', async () => {
    const base = featherWorkflow.definition.steps[0];
    for (const [definition, path] of [
      [{ steps: [{ ...base, conditions: [{ if: 'x' }] }] }, 'definition.steps.0.conditions'],
      [{ steps: [base], isInfinite: true }, 'definition.isInfinite'],
    ] as const) {
      const answer = await api.request('POST', '/api/v1/workflow', {
        ...featherWorkflow,
        definition,
      });
      expect(answer.status).toBe(400);
      expect(answer.body.details.map((d: { path: string }) => d.path)).toContain(path);
    }
  });

  it('takes schedules with every day disabled, and refuses runs under them with the reason', async () => {
    const created = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: allDisabled,
      tcpaSchedule: allDisabled,
    });
    expect(created.status).toBe(201);
    const run = await api.request('POST', `/api/v1/workflow/${created.body.id}/execution`, {
      customerLeadId: 'x',
      primaryPhone: '+14155550123',
      zipcode: '94107',
    });
    expect(run.status).toBe(409);
    expect(run.body.message).toMatch(/No allowed contact window/);
  });

  it('takes a workflow read with GET back as a PATCH, changing nothing but updatedAt', async () => {
    const created = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    const read = await api.request('GET', `/api/v1/workflow/${created.body.id}`);
    const patched = await api.request('PATCH', `/api/v1/workflow/${created.body.id}`, read.body);
    expect(patched.status).toBe(200);
    const { updatedAt: _before, ...rest } = read.body;
    const { updatedAt: _after, ...same } = patched.body;
    expect(same).toEqual(rest);
    const changingId = await api.request('PATCH', `/api/v1/workflow/${created.body.id}`, {
      ...read.body,
      organizationId: '00000000-0000-4000-8000-000000000000',
    });
    expect(changingId.status).toBe(400);
    expect(changingId.body.details[0].path).toBe('organizationId');
  });

  it('treats null as absent for optional fields', async () => {
    const created = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      description: null,
      startHour: null,
    });
    expect(created.status).toBe(201);
    const run = await api.request('POST', `/api/v1/workflow/${created.body.id}/execution`, {
      customerLeadId: 'nulls',
      primaryPhone: '+14155550123',
      zipcode: '94107',
      state: null,
      forwardingPhoneNumber: null,
      startAt: null,
    });
    expect(run.status).toBe(201);
    executionShape.parse(run.body);
  });
});

describe('query parameters Feather clients send', () => {
  it('lists workflows with offset and status=active (n8n), or active=false', async () => {
    const page = await api.request('GET', '/api/v1/workflow?limit=10&offset=20&status=active');
    expect(page.status).toBe(200);
    expect(Array.isArray(page.body.workflows)).toBe(true);
    const inactive = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      active: false,
    });
    const listed = await api.request('GET', '/api/v1/workflow?limit=100&active=false');
    expect(listed.body.workflows.map((w: { id: string }) => w.id)).toContain(inactive.body.id);
    expect(listed.body.workflows.every((w: { active: boolean }) => !w.active)).toBe(true);
  });

  it('pages with offset as it does with a cursor, and refuses both at once', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    for (let i = 0; i < 3; i++) {
      await api.request('POST', `/api/v1/workflow/${workflow.body.id}/execution`, {
        customerLeadId: `page-${i}`,
        primaryPhone: '+14155550123',
        zipcode: '94107',
      });
    }
    const base = `/api/v1/workflow/${workflow.body.id}/executions`;
    const all = await api.request('GET', `${base}?limit=3`);
    const second = await api.request('GET', `${base}?limit=1&offset=1&enriched=1`);
    expect(second.body.executions.map((e: { id: string }) => e.id)).toEqual([
      all.body.executions[1].id,
    ]);
    expect(second.body.executions[0].definition).toBeDefined();
    const both = await api.request(
      'GET',
      `${base}?offset=1&cursor=${all.body.pagination.nextCursor ?? 'x'}`
    );
    expect(both.status).toBe(400);
  });
});

describe('Feather’s n8n client, replayed', () => {
  const browser = {
    accept: 'application/json, text/plain, */*',
    'user-agent': 'n8n',
    'accept-encoding': 'gzip, deflate',
  };

  it('tests its credential with limit=1 and browser headers', async () => {
    const answer = await api.request('GET', '/api/v1/workflow?limit=1', undefined, browser);
    expect(answer.status).toBe(200);
    expect(answer.body.workflows.length).toBeLessThanOrEqual(1);
  });

  it('creates an execution with empty variables and metadata and a lower-case state, then cancels it on the plural path', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', featherWorkflow);
    const created = await api.request(
      'POST',
      `/api/v1/workflow/${workflow.body.id}/execution`,
      {
        customerLeadId: 'n8n-1',
        primaryPhone: '+14155550123',
        state: 'ca',
        variables: {},
        metadata: {},
      },
      browser
    );
    expect(created.status).toBe(201);
    expect(created.body.state).toBe('CA');
    executionShape.parse(created.body);
    const cancelled = await api.request(
      'POST',
      `/api/v1/workflow/${workflow.body.id}/executions/${created.body.id}/cancel`,
      undefined,
      browser
    );
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
  });
});

describe('count: a step tried again when nobody was reached', () => {
  it('gets NO_ANSWER, tries again, gets CALENDLY: two step executions, COMPLETED with CALENDLY', async () => {
    const workflow = await api.request('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: allOpen,
      tcpaSchedule: allOpen,
      definition: {
        steps: [
          {
            type: 'CALL',
            order: 1,
            delayInSecs: 0,
            agentId: 'CALL_AGENT_ID',
            count: 2,
            finishOn: ['CALENDLY'],
          },
        ],
      },
    });
    const created = await api.request('POST', `/api/v1/workflow/${workflow.body.id}/execution`, {
      customerLeadId: 'count-2',
      primaryPhone: '+14155550123',
      zipcode: '94107',
    });
    const path = `/api/v1/workflow/${workflow.body.id}/execution/${created.body.id}`;
    const report = async (attemptNo: number, disposition: string) => {
      const run = await waitFor(
        () => api.request('GET', path),
        (r) => placed(r.body).length === attemptNo
      );
      const attempt = placed(run.body)[attemptNo - 1];
      expect(attempt).toMatchObject({ stepIndex: 0, attemptNo });
      const answer = await api.request('POST', `/api/v1/step-executions/${attempt.id}/outcome`, {
        disposition,
      });
      expect(answer.status).toBe(200);
    };
    await report(1, 'NO_ANSWER');
    await report(2, 'CALENDLY');
    const done = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'COMPLETED'
    );
    expect(done.body.disposition).toBe('CALENDLY');
    expect(
      done.body.stepExecutions.map((s: { attemptNo: number; disposition: string }) => [
        s.attemptNo,
        s.disposition,
      ])
    ).toEqual([
      [1, 'NO_ANSWER'],
      [2, 'CALENDLY'],
    ]);
  });
});
