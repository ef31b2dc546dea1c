import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelContext } from '../../../lambdas/adapters/channels/channel.js';
import { createTwilioChannel } from '../../../lambdas/adapters/channels/twilio.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import type { Step } from '../../../lambdas/schemas/workflow.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { MAX_PROVIDER_TRIES } from '../../../lambdas/use-cases/channel-choice.js';
import { anAttempt, anExecution } from '../../helpers/execution-fixture.js';
import { type FakeTwilio, startFakeTwilio } from '../../helpers/fake-twilio.js';
import { type TestDeps, testDeps } from '../../helpers/provider-channel-deps.js';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-test-token';
const PUBLIC_API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod';
const agent: Agent = {
  id: 'TEXT_AGENT_ID',
  organizationId: 'org-1',
  name: 'Texter',
  type: 'TEXT',
  provider: 'twilio',
  settings: { fromNumber: '+14155550100' },
  credentialKeys: ['accountSid', 'authToken'],
  version: 1,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedAt: '2026-11-23T15:00:00.000Z',
};

let twilio: FakeTwilio;
let deps: TestDeps;
const context = (): ChannelContext => {
  const execution = anExecution({ status: 'RUNNING', stepIndex: 1 });
  const attempt = anAttempt({
    stepIndex: 1,
    channel: 'twilio',
    handedOverAt: undefined,
    startedAt: new Date(Date.now() - 60_000).toISOString(),
  });
  return { execution, step: execution.definition.steps[1] as Step, attempt, message: 'Hi Jordan' };
};

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  twilio = await startFakeTwilio(ACCOUNT_SID, AUTH_TOKEN);
  Object.assign(process.env, { TWILIO_API_URL: twilio.url, PUBLIC_API_URL });
});
afterAll(async () => {
  delete process.env.TWILIO_API_URL;
  delete process.env.PUBLIC_API_URL;
  await twilio.close();
});
beforeEach(() => {
  twilio.messages.length = 0;
  deps = testDeps({ agent, credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } });
});

describe('the Twilio channel (texts)', () => {
  it('sends one text whose status callback names the agent and our attempt, and keeps the sid', async () => {
    expect(await createTwilioChannel(deps).deliver(context())).toBeUndefined();
    expect(twilio.messages).toHaveLength(1);
    const { attempt, execution } = context();
    expect(twilio.messages[0]).toMatchObject({
      to: '+14155550123',
      from: '+14155550100',
      body: 'Hi Jordan',
      status_callback: `${PUBLIC_API_URL}/api/v1/providers/twilio/${execution.organizationId}/TEXT_AGENT_ID/status?stepAttemptId=${attempt.id}`,
    });
    expect(deps.providerIds.get(attempt.id)).toBe(twilio.messages[0]?.sid);
  });

  it('redelivers after a crash that lost the sid without texting twice', async () => {
    const channel = createTwilioChannel(deps);
    await channel.deliver(context());
    deps.providerIds.clear();
    expect(await channel.redeliver(context())).toBeUndefined();
    expect(twilio.messages).toHaveLength(1);
    expect(deps.providerIds.get(context().attempt.id)).toBe(twilio.messages[0]?.sid);
  });

  it('redelivers a text that never reached Twilio once', async () => {
    await createTwilioChannel(deps).redeliver(context());
    expect(twilio.messages).toHaveLength(1);
  });

  it('retries Twilio rate limiting, then settles COULD_NOT_CONNECT when it outlasts the retries', async () => {
    twilio.failNext(MAX_PROVIDER_TRIES, /POST .*Messages/, {
      status: 429,
      body: { code: 20429, message: 'Too Many Requests', status: 429 },
    });
    const outcome = await createTwilioChannel(deps).deliver(context());
    expect(outcome).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(deps.sleeps).toHaveLength(MAX_PROVIDER_TRIES - 1);
    expect(twilio.messages).toHaveLength(0);
  });

  it.each([
    [21211, 'BAD_NUMBER'],
    [21610, 'DNC'],
  ])('settles a refusal with code %i as %s at once', async (code, disposition) => {
    twilio.failNext(1, /POST .*Messages/, { status: 400, body: { code, status: 400 } });
    expect(await createTwilioChannel(deps).deliver(context())).toMatchObject({ disposition });
    expect(deps.sleeps).toEqual([]);
  });
});
