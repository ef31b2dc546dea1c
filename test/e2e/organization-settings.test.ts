import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, bootLocalApi } from '../helpers/local-api.js';

let api: ApiClient;

beforeAll(async () => {
  api = await bootLocalApi();
});

afterAll(async () => {
  await api.runtime.stop();
});

const buckets = [
  { minDays: 0, maxDays: 7, percentage: 60 },
  { minDays: 8, maxDays: 30, percentage: 30 },
  { minDays: 31, maxDays: null, percentage: 10 },
];

describe('organization settings over HTTP', () => {
  it('shows the defaults, changes only what a PATCH sends, and keeps it', async () => {
    const before = await api.request('GET', '/api/v1/organization');
    expect(before.status).toBe(200);
    expect(before.body.organization).toMatchObject({
      maxConcurrentCalls: 20,
      maxConcurrentTexts: 100,
      schedulerBatchSize: 25,
      maxSchedulerBatchSize: 100,
      priorityDateBucketConfig: { enabled: false, buckets: [] },
    });

    const patched = await api.request('PATCH', '/api/v1/organization', {
      maxConcurrentCalls: 50,
      priorityDateBucketConfig: { enabled: true, buckets },
    });
    expect(patched.status).toBe(200);
    const expected = {
      ...before.body.organization,
      maxConcurrentCalls: 50,
      priorityDateBucketConfig: { enabled: true, buckets },
      updatedAt: expect.any(String),
    };
    expect(patched.body.organization).toEqual(expected);
    expect((await api.request('GET', '/api/v1/organization')).body.organization).toEqual(expected);
  });

  it('answers 400 with the path of the wrong field, and changes nothing', async () => {
    const before = await api.request('GET', '/api/v1/organization');
    const refused = await api.request('PATCH', '/api/v1/organization', {
      maxConcurrentTexts: 5,
      priorityDateBucketConfig: {
        enabled: true,
        buckets: [
          { minDays: 0, maxDays: 7, percentage: 50 },
          { minDays: 7, maxDays: null, percentage: 50 },
        ],
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ success: false, status: 400, code: 'BAD_REQUEST' });
    expect(refused.body.details).toContainEqual({
      path: 'priorityDateBucketConfig.buckets.1.minDays',
      message: expect.stringContaining('overlaps'),
    });
    expect((await api.request('GET', '/api/v1/organization')).body).toEqual(before.body);
  });

  it('changes the settings of the key’s organization only', async () => {
    const other = await api.otherOrganization('settings-e2e-other');
    expect((await other('PATCH', '/api/v1/organization', { maxConcurrentTexts: 7 })).status).toBe(
      200
    );
    const mine = await api.request('GET', '/api/v1/organization');
    expect(mine.body.organization.maxConcurrentTexts).not.toBe(7);
    expect((await other('GET', '/api/v1/organization')).body.organization.maxConcurrentTexts).toBe(
      7
    );
  });
});
