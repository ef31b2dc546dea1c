import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelContext } from '../../../lambdas/adapters/channels/channel.js';
import { createVapiChannel } from '../../../lambdas/adapters/channels/vapi.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import type { Step } from '../../../lambdas/schemas/workflow.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { MAX_PROVIDER_TRIES } from '../../../lambdas/use-cases/channel-choice.js';
import { anAttempt, anExecution } from '../../helpers/execution-fixture.js';
import { type FakeVapi, startFakeVapi } from '../../helpers/fake-vapi.js';
import { type TestDeps, testDeps } from '../../helpers/provider-channel-deps.js';

const API_KEY = 'vapi-test-private-key';
const agent: Agent = {
  id: 'VAPI_AGENT_ID',
  organizationId: 'org-1',
  name: 'Vapi caller',
  type: 'CALL',
  provider: 'vapi',
  settings: { assistantId: 'asst_123', phoneNumberId: 'pn_456' },
  credentialKeys: ['apiKey', 'serverSecret'],
  version: 1,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedAt: '2026-11-23T15:00:00.000Z',
};

let vapi: FakeVapi;
let deps: TestDeps;
const context = (overrides: Partial<ChannelContext['attempt']> = {}): ChannelContext => {
  const execution = anExecution({ status: 'RUNNING' });
  // Started now: the fake stamps calls with the real clock, and the lookup reads from here on.
  const attempt = anAttempt({
    channel: 'vapi',
    handedOverAt: undefined,
    startedAt: new Date().toISOString(),
    ...overrides,
  });
  return { execution, step: execution.definition.steps[0] as Step, attempt };
};

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  vapi = await startFakeVapi(API_KEY);
  process.env.VAPI_API_URL = vapi.url;
});
afterAll(async () => {
  delete process.env.VAPI_API_URL;
  await vapi.close();
});
beforeEach(() => {
  vapi.calls.length = 0;
  vapi.requests.length = 0;
  deps = testDeps({ agent, credentials: { apiKey: API_KEY, serverSecret: 'unused-here' } });
});

describe('the Vapi channel', () => {
  it('places one call with the agent assistant and number, our attempt id in the overrides, and keeps the call id', async () => {
    const placing = context();
    expect(await createVapiChannel(deps).deliver(placing)).toBeUndefined();
    expect(vapi.calls).toHaveLength(1);
    const [call] = vapi.calls;
    expect(call).toMatchObject({
      assistantId: 'asst_123',
      phoneNumberId: 'pn_456',
      customer: { number: '+14155550123', externalId: placing.attempt.id },
      assistantOverrides: {
        metadata: { stepAttemptId: placing.attempt.id },
        variableValues: { firstName: 'Jordan' },
      },
    });
    expect(JSON.stringify(call)).not.toContain(placing.attempt.taskToken);
    expect(deps.providerIds.get(placing.attempt.id)).toBe(call?.id);
  });

  it('leaves customer.externalId out when our id is longer than the 40 characters Vapi takes', async () => {
    const placing = context({ id: `attempt-${'x'.repeat(40)}` });
    await createVapiChannel(deps).deliver(placing);
    expect(vapi.calls[0]?.customer).toEqual({ number: '+14155550123' });
    expect(vapi.calls[0]?.assistantOverrides?.metadata).toEqual({
      stepAttemptId: placing.attempt.id,
    });
  });

  it('redelivers after a crash that lost the call id by asking Vapi, without calling twice', async () => {
    const channel = createVapiChannel(deps);
    const placing = context();
    await channel.deliver(placing);
    deps.providerIds.clear(); // the crash: the call was placed, its id never stored
    expect(await channel.redeliver(placing)).toBeUndefined();
    expect(vapi.calls).toHaveLength(1);
    expect(vapi.requests).toContain('GET /call');
    expect(deps.providerIds.get(placing.attempt.id)).toBe(vapi.calls[0]?.id);
  });

  it('redelivers a call that never reached Vapi exactly once, and trusts a kept call id', async () => {
    const channel = createVapiChannel(deps);
    const placing = context();
    await channel.redeliver(placing);
    expect(vapi.calls).toHaveLength(1);
    const kept = deps.providerIds.get(placing.attempt.id);
    vapi.requests.length = 0;
    await channel.redeliver({ ...placing, attempt: { ...placing.attempt, providerId: kept } });
    expect(vapi.calls).toHaveLength(1);
    expect(vapi.requests).toEqual([]);
  });

  it('retries a rate limit with backoff, then places the call', async () => {
    vapi.failNext(2, /POST \/call/, { status: 429, body: { message: 'Too Many Requests' } });
    expect(await createVapiChannel(deps).deliver(context())).toBeUndefined();
    expect(vapi.calls).toHaveLength(1);
    expect(deps.sleeps).toHaveLength(2);
  });

  it('settles COULD_NOT_CONNECT once a Vapi outage outlasts the retries', async () => {
    vapi.failNext(MAX_PROVIDER_TRIES, /POST \/call/, {
      status: 500,
      body: { message: 'System failure' },
    });
    const outcome = await createVapiChannel(deps).deliver(context());
    expect(outcome).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(outcome?.error).toMatch(/vapi.*3 tries.*HTTP 500/);
    expect(vapi.calls).toHaveLength(0);
  });

  it('settles a refused lookup through the same policy instead of placing blind', async () => {
    vapi.failNext(MAX_PROVIDER_TRIES, /GET \/call/, { status: 503, body: { message: 'down' } });
    const outcome = await createVapiChannel(deps).redeliver(context());
    expect(outcome).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(vapi.calls).toHaveLength(0);
  });
});
