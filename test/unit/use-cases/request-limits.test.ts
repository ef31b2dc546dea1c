import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { countRequest } from '../../../lambdas/adapters/request-counters.js';
import { requestWindow } from '../../../lambdas/domain/request-window.js';
import { handler } from '../../../lambdas/handlers/api.js';
import { RateLimitedError } from '../../../lambdas/shared/errors.js';
import { admitRequest } from '../../../lambdas/use-cases/request-limits.js';
import { type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';

let table: InMemoryTable;
/** 2 per second sustained, 3 at once: windows of 1.5 s that admit 3 requests each. */
const limit = { perSecond: 2, burst: 3 };
/** The start of a window (a multiple of 1,500 ms since the epoch). */
const windowStart = new Date(Math.ceil(Date.parse('2026-11-23T15:00:00.000Z') / 1500) * 1500);
const at = (offsetMs: number) => new Date(windowStart.getTime() + offsetMs);

beforeAll(async () => {
  table = await startTable();
});

afterAll(async () => {
  await table.close();
});

afterEach(() => {
  vi.useRealTimers();
});

async function refusal(organizationId: string, now: Date): Promise<RateLimitedError> {
  const error = await admitRequest(organizationId, now, limit).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(RateLimitedError);
  return error as RateLimitedError;
}

describe('admitRequest', () => {
  it('admits the burst, then refuses with the whole seconds until the window ends', async () => {
    const org = randomUUID();
    for (let i = 0; i < 3; i++) await admitRequest(org, at(100 * i), limit);
    const refused = await refusal(org, at(400));
    expect(refused.retryAfterSeconds).toBe(2); // 1,100 ms left, rounded up
    expect((await refusal(org, at(1_200))).retryAfterSeconds).toBe(1);
  });

  it('admits again in the next window', async () => {
    const org = randomUUID();
    for (let i = 0; i < 3; i++) await admitRequest(org, at(0), limit);
    await refusal(org, at(1_499));
    await expect(admitRequest(org, at(1_500), limit)).resolves.toBeUndefined();
  });

  it('counts each organization on its own', async () => {
    const busy = randomUUID();
    const quiet = randomUUID();
    for (let i = 0; i < 3; i++) await admitRequest(busy, at(10), limit);
    await refusal(busy, at(20));
    for (let i = 0; i < 3; i++) await admitRequest(quiet, at(30), limit);
  });

  it('shares the count with every other instance through the table', async () => {
    const org = randomUUID();
    const window = requestWindow(limit, at(0));
    // Another Lambda instance took the whole window.
    for (let i = 0; i < 3; i++) expect(await countRequest(org, window)).toBe(true);
    await refusal(org, at(700));
  });
});

function anApiEvent(organizationId: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    resource: '/api/v1/organization',
    path: '/api/v1/organization',
    headers: {},
    requestContext: { authorizer: { organizationId } },
  } as unknown as APIGatewayProxyEvent;
}

describe('api handler over the limit', () => {
  it('answers 429 in the error envelope with Retry-After, before routing', async () => {
    Object.assign(process.env, { ORG_REQUEST_RATE: '2', ORG_REQUEST_BURST: '3' });
    vi.useFakeTimers({ toFake: ['Date'], now: at(250) });
    const org = randomUUID();
    for (let i = 0; i < 3; i++) await admitRequest(org, at(0), limit);
    const response = (await handler(anApiEvent(org), {} as Context)) as APIGatewayProxyResult;
    expect(response.statusCode).toBe(429);
    expect(response.headers).toMatchObject({ 'retry-after': '2' });
    expect(JSON.parse(response.body)).toEqual({
      status: 429,
      code: 'RATE_LIMITED',
      message: 'Too many requests for this organization; retry after 2 s',
      success: false,
    });
  });
});
