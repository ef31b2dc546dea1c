import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  alwaysOpen,
  bootLocalApi,
  distinctPhone,
  featherExecution,
  featherWorkflow,
  waitFor,
} from '../helpers/local-api.js';

/** 1 request per second sustained, 5 at once: windows of 5 s that admit 5 requests each. */
const LIMIT = { ORG_REQUEST_RATE: '1', ORG_REQUEST_BURST: '5' };
const BURST = 30;

let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi({ environment: { OUTREACH_CHANNEL: 'manual', ...LIMIT } });
});

afterAll(async () => {
  await api.runtime.stop();
});

function listWorkflows() {
  return fetch(`${api.runtime.url}/api/v1/workflow`, {
    headers: { 'x-api-key': api.runtime.apiKey },
  });
}

describe('per-organization request limits on the local runtime', () => {
  it('answers a burst over the limit with 429 envelopes and Retry-After, other organizations unaffected', async () => {
    const other = await api.otherOrganization('rate-limit-neighbour');
    const responses = await Promise.all(Array.from({ length: BURST }, () => listWorkflows()));
    // The burst lands in at most three 5-second windows of 5 requests each.
    const refused = responses.filter((response) => response.status === 429);
    expect(responses.filter((response) => response.status === 200).length).toBeLessThanOrEqual(15);
    expect(refused.length).toBeGreaterThanOrEqual(BURST - 15);
    for (const response of refused) {
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(5);
      expect(await response.json()).toEqual({
        status: 429,
        code: 'RATE_LIMITED',
        message: `Too many requests for this organization; retry after ${retryAfter} s`,
        success: false,
      });
    }

    // The neighbour's own count is untouched: a workflow and a bulk of 25 leads (one request).
    const workflow = await other('POST', '/api/v1/workflow', {
      ...featherWorkflow,
      workflowSchedule: alwaysOpen,
      tcpaSchedule: alwaysOpen,
    });
    expect(workflow.status).toBe(201);
    const leads = Array.from({ length: 25 }, (_, i) => ({
      ...featherExecution,
      primaryPhone: distinctPhone(),
      customerLeadId: `neighbour-${i}`,
    }));
    const bulk = await other('POST', `/api/v1/workflow/${workflow.body.id}/execution/bulk`, {
      leads,
    });
    expect(bulk.status).toBe(201);
    expect(bulk.body.successful).toBe(25);
    expect((await other('GET', '/api/v1/workflow')).status).toBe(200);
  });

  it('admits the organization again once its window has passed', async () => {
    const statuses = await Promise.all(
      Array.from({ length: BURST }, () => listWorkflows().then((response) => response.status))
    );
    expect(statuses).toContain(429);
    const admitted = await waitFor(
      () => listWorkflows().then((response) => response.status),
      (status) => status === 200,
      30_000,
      500
    );
    expect(admitted).toBe(200);
  });
});
