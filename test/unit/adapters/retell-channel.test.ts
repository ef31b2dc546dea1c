import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelContext } from '../../../lambdas/adapters/channels/channel.js';
import { createRetellChannel } from '../../../lambdas/adapters/channels/retell.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import type { Step } from '../../../lambdas/schemas/workflow.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { MAX_PROVIDER_TRIES } from '../../../lambdas/use-cases/channel-choice.js';
import { anAttempt, anExecution } from '../../helpers/execution-fixture.js';
import { type FakeRetell, startFakeRetell } from '../../helpers/fake-retell.js';
import { type TestDeps, testDeps } from '../../helpers/provider-channel-deps.js';

const API_KEY = 'retell-test-key';
const agent: Agent = {
  id: 'CALL_AGENT_ID',
  organizationId: 'org-1',
  name: 'Caller',
  type: 'CALL',
  provider: 'retell',
  settings: { agentId: 'agent_abc', fromNumber: '+14155550100' },
  credentialKeys: ['apiKey'],
  version: 1,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedAt: '2026-11-23T15:00:00.000Z',
};

let retell: FakeRetell;
let deps: TestDeps;
const context = (): ChannelContext => {
  const execution = anExecution({ status: 'RUNNING' });
  const attempt = anAttempt({ channel: 'retell', handedOverAt: undefined });
  return { execution, step: execution.definition.steps[0] as Step, attempt };
};

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  retell = await startFakeRetell(API_KEY);
  process.env.RETELL_API_URL = retell.url;
});
afterAll(async () => {
  delete process.env.RETELL_API_URL;
  await retell.close();
});
beforeEach(() => {
  retell.calls.length = 0;
  deps = testDeps({ agent, credentials: { apiKey: API_KEY } });
});

describe('the Retell channel', () => {
  it('places one call carrying our attempt id, never the task token, and keeps the call id', async () => {
    const channel = createRetellChannel(deps);
    expect(await channel.deliver(context())).toBeUndefined();
    expect(retell.calls).toHaveLength(1);
    const [call] = retell.calls;
    expect(call).toMatchObject({
      agent_id: 'agent_abc',
      from_number: '+14155550100',
      to_number: '+14155550123',
      metadata: { stepAttemptId: context().attempt.id },
      retell_llm_dynamic_variables: { firstName: 'Jordan' },
    });
    expect(JSON.stringify(call)).not.toContain(context().attempt.taskToken);
    expect(deps.providerIds.get(context().attempt.id)).toBe(call?.call_id);
  });

  it('redelivers after a crash that lost the call id without calling twice', async () => {
    const channel = createRetellChannel(deps);
    await channel.deliver(context());
    deps.providerIds.clear(); // the crash: the call was placed, its id never stored
    expect(await channel.redeliver(context())).toBeUndefined();
    expect(retell.calls).toHaveLength(1);
    expect(deps.providerIds.get(context().attempt.id)).toBe(retell.calls[0]?.call_id);
  });

  it('redelivers a call that never reached Retell exactly once', async () => {
    const channel = createRetellChannel(deps);
    await channel.redeliver(context());
    await channel.redeliver({
      ...context(),
      attempt: { ...context().attempt, providerId: deps.providerIds.get(context().attempt.id) },
    });
    expect(retell.calls).toHaveLength(1);
  });

  it('retries a concurrency limit with backoff, then places the call', async () => {
    retell.failNext(2, /create-phone-call/, {
      status: 429,
      body: { error_message: 'concurrency_limit_reached' },
    });
    expect(await createRetellChannel(deps).deliver(context())).toBeUndefined();
    expect(retell.calls).toHaveLength(1);
    expect(deps.sleeps).toHaveLength(2);
    expect(deps.sleeps[1]).toBeGreaterThan(deps.sleeps[0] as number);
  });

  it('settles COULD_NOT_CONNECT once a provider outage outlasts the retries', async () => {
    retell.failNext(MAX_PROVIDER_TRIES, /create-phone-call/, {
      status: 503,
      body: { error_message: 'unavailable' },
    });
    const outcome = await createRetellChannel(deps).deliver(context());
    expect(outcome).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(outcome?.error).toMatch(/retell.*3 tries.*HTTP 503/);
    expect(deps.sleeps).toHaveLength(MAX_PROVIDER_TRIES - 1);
    expect(retell.calls).toHaveLength(0);
  });

  it('settles at once, without retrying, when Retell refuses the request itself', async () => {
    retell.failNext(1, /create-phone-call/, {
      status: 400,
      body: { error_message: 'bad to_number' },
    });
    const outcome = await createRetellChannel(deps).deliver(context());
    expect(outcome).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(deps.sleeps).toEqual([]);
  });
});
