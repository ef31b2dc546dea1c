import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetClients } from '../../../lambdas/adapters/aws-clients.js';
import { createAwsSmsChannel } from '../../../lambdas/adapters/channels/aws-sms.js';
import type { ChannelContext } from '../../../lambdas/adapters/channels/channel.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import type { Step } from '../../../lambdas/schemas/workflow.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { MAX_PROVIDER_TRIES } from '../../../lambdas/use-cases/channel-choice.js';
import { anAttempt, anExecution } from '../../helpers/execution-fixture.js';
import { type FakeAwsSms, startFakeAwsSms } from '../../helpers/fake-aws-sms.js';
import { type TestDeps, testDeps } from '../../helpers/provider-channel-deps.js';

const agent: Agent = {
  id: 'SMS_AGENT_ID',
  organizationId: 'org-1',
  name: 'AWS texter',
  type: 'TEXT',
  provider: 'aws-sms',
  settings: { originationIdentity: 'pool-0123456789abcdef', configurationSetName: 'outreach' },
  credentialKeys: [],
  version: 1,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedAt: '2026-11-23T15:00:00.000Z',
};

let sms: FakeAwsSms;
let deps: TestDeps;
const context = (): ChannelContext => {
  const execution = anExecution({ status: 'RUNNING' });
  const attempt = anAttempt({ channel: 'aws-sms', handedOverAt: undefined });
  return { execution, step: execution.definition.steps[0] as Step, attempt, message: 'Hi Jordan' };
};
/** An AWS JSON 1.0 error answer, as the SDK reads it. */
const awsError = (type: string, reason?: string) => ({
  status: 400,
  body: { __type: type, message: type, ...(reason && { Reason: reason }) },
});

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  sms = await startFakeAwsSms();
  process.env.AWS_SMS_ENDPOINT = sms.url;
  resetClients();
});
afterAll(async () => {
  delete process.env.AWS_SMS_ENDPOINT;
  resetClients();
  await sms.close();
});
beforeEach(() => {
  sms.messages.length = 0;
  deps = testDeps({ agent, credentials: {} });
});

describe('the AWS SMS channel', () => {
  it('sends one text from the agent identity and configuration set, our attempt id in Context, and keeps the MessageId', async () => {
    const sending = context();
    expect(await createAwsSmsChannel(deps).deliver(sending)).toBeUndefined();
    expect(sms.messages).toEqual([
      expect.objectContaining({
        DestinationPhoneNumber: '+14155550123',
        OriginationIdentity: 'pool-0123456789abcdef',
        ConfigurationSetName: 'outreach',
        MessageBody: 'Hi Jordan',
        Context: { stepAttemptId: sending.attempt.id },
      }),
    ]);
    expect(JSON.stringify(sms.messages)).not.toContain(sending.attempt.taskToken);
    expect(deps.providerIds.get(sending.attempt.id)).toBe(sms.messages[0]?.MessageId);
  });

  it('retries throttling with backoff through the same policy, then sends', async () => {
    sms.failNext(2, /^POST \/$/, awsError('ThrottlingException'));
    expect(await createAwsSmsChannel(deps).deliver(context())).toBeUndefined();
    expect(sms.messages).toHaveLength(1);
    expect(deps.sleeps).toHaveLength(2);
  });

  it('settles COULD_NOT_CONNECT once an AWS outage outlasts the retries', async () => {
    sms.failNext(MAX_PROVIDER_TRIES, /^POST \/$/, {
      status: 500,
      body: { __type: 'InternalServerException', message: 'down' },
    });
    const outcome = await createAwsSmsChannel(deps).deliver(context());
    expect(outcome).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(outcome?.error).toMatch(/aws-sms.*3 tries.*InternalServerException/);
  });

  it('settles DNC at once when AWS refuses an opted-out number', async () => {
    sms.failNext(
      1,
      /^POST \/$/,
      awsError('ConflictException', 'DESTINATION_PHONE_NUMBER_OPTED_OUT')
    );
    const outcome = await createAwsSmsChannel(deps).deliver(context());
    expect(outcome).toMatchObject({ disposition: 'DNC' });
    expect(deps.sleeps).toEqual([]);
  });

  it('never sends again on redelivery: a kept MessageId waits for its events, a lost one settles', async () => {
    const channel = createAwsSmsChannel(deps);
    const kept = { ...context().attempt, providerId: 'message-1' };
    expect(await channel.redeliver({ ...context(), attempt: kept })).toBeUndefined();
    const lost = await channel.redeliver(context());
    expect(lost).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(sms.messages).toEqual([]);
  });
});
