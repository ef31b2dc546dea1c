import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiClient,
  bootLocalApi,
  createOpenWorkflow,
  featherExecution,
} from '../helpers/local-api.js';

let api: ApiClient;

// Real time: an Idempotency-Key lives 24 hours of the runtime's clock.
beforeAll(async () => {
  api = await bootLocalApi({ environment: { OUTREACH_CHANNEL: 'manual' } });
});

afterAll(async () => {
  await api.runtime.stop();
});

describe('Idempotency-Key', () => {
  it('answers a retried create or bulk with the first answer and creates nothing new', async () => {
    const workflowId = await createOpenWorkflow(api);
    const headers = { 'idempotency-key': `create-${Date.now()}` };
    const path = `/api/v1/workflow/${workflowId}/execution`;
    const first = await api.request('POST', path, featherExecution, headers);
    const retry = await api.request('POST', path, featherExecution, headers);
    expect(retry).toEqual(first);
    const reused = await api.request(
      'POST',
      path,
      { ...featherExecution, customerLeadId: 'x' },
      headers
    );
    expect(reused.status).toBe(409);

    const bulkHeaders = { 'idempotency-key': `bulk-${Date.now()}` };
    const leads = [1, 2, 3].map((i) => ({ ...featherExecution, customerLeadId: `idem-${i}` }));
    const bulk = await api.request('POST', `${path}/bulk`, { leads }, bulkHeaders);
    expect(bulk.body.successful).toBe(3);
    const bulkRetry = await api.request('POST', `${path}/bulk`, { leads }, bulkHeaders);
    expect(bulkRetry).toEqual(bulk);
    const listed = await api.request('GET', `/api/v1/workflow/${workflowId}/executions?limit=100`);
    expect(listed.body.executions).toHaveLength(4);

    const cancelHeaders = { 'idempotency-key': `cancel-${Date.now()}` };
    const byPhone = { phoneNumber: featherExecution.primaryPhone };
    const cancel = await api.request(
      'POST',
      `/api/v1/workflow/${workflowId}/executions/cancel`,
      byPhone,
      cancelHeaders
    );
    expect(cancel.body.cancelledCount).toBe(4);
    const cancelRetry = await api.request(
      'POST',
      `/api/v1/workflow/${workflowId}/executions/cancel`,
      byPhone,
      cancelHeaders
    );
    expect(cancelRetry.body).toEqual({ cancelledCount: 4 });
  });
});
