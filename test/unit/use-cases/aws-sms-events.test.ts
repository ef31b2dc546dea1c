import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { insertAgent } from '../../../lambdas/adapters/agent-repository.js';
import { snsCertificate } from '../../../lambdas/adapters/sns-endpoint.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import { UnauthorizedError } from '../../../lambdas/shared/errors.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { receiveAwsSmsEvent, type SnsAccess } from '../../../lambdas/use-cases/aws-sms-events.js';
import type { ProviderRequest } from '../../../lambdas/use-cases/provider-webhooks.js';
import {
  type FakeAwsSms,
  type SnsInput,
  snsSigner,
  startFakeAwsSms,
} from '../../helpers/fake-aws-sms.js';
import { type InMemoryTable, startTable } from '../../helpers/in-memory-table.js';

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:sms-events';
const ORGANIZATION = 'org-sms';
const agent: Agent = {
  id: 'SMS_AGENT',
  organizationId: ORGANIZATION,
  name: 'AWS texter',
  type: 'TEXT',
  provider: 'aws-sms',
  settings: { originationIdentity: 'pool-1', eventTopicArn: TOPIC_ARN },
  credentialKeys: [],
  version: 1,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedAt: '2026-11-23T15:00:00.000Z',
};

let table: InMemoryTable;
const signer = snsSigner('eu-west-1');
let sns: SnsAccess & { fetched: string[]; confirmed: string[] };

function request(input: SnsInput, agentId = agent.id): ProviderRequest {
  const body = signer.sign(input);
  return {
    organizationId: ORGANIZATION,
    agentId,
    rawBody: JSON.stringify(body),
    headers: {},
    url: `https://api.example.com/api/v1/providers/aws-sms/${ORGANIZATION}/${agentId}/events`,
    now: new Date(body.Timestamp),
  };
}

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  table = await startTable();
  await insertAgent(agent);
  await insertAgent({ ...agent, id: 'NO_TOPIC', settings: { originationIdentity: 'pool-1' } });
});
afterAll(() => table.close());
beforeEach(() => {
  const fetched: string[] = [];
  const confirmed: string[] = [];
  sns = {
    fetched,
    confirmed,
    async fetchCertificate(url) {
      fetched.push(url);
      return signer.certificate;
    },
    async confirmSubscription(url) {
      confirmed.push(url);
    },
  };
});

const confirmation = { type: 'SubscriptionConfirmation' as const, message: 'subscribe' };

describe('AWS SMS events through SNS', () => {
  it('confirms a subscription of the agent topic by its SubscribeURL on SNS in the topic region', async () => {
    const effect = await receiveAwsSmsEvent(request({ ...confirmation, topicArn: TOPIC_ARN }), sns);
    expect(effect).toBe('subscribed');
    expect(sns.confirmed).toEqual([
      expect.stringMatching(
        /^https:\/\/sns\.eu-west-1\.amazonaws\.com\/\?Action=ConfirmSubscription/
      ),
    ]);
  });

  it.each([
    ['another topic', { ...confirmation, topicArn: `${TOPIC_ARN}-other` }],
    [
      'a SubscribeURL in another region',
      {
        ...confirmation,
        topicArn: TOPIC_ARN,
        subscribeHost: 'https://sns.us-east-1.amazonaws.com',
      },
    ],
    [
      'a SubscribeURL off SNS',
      { ...confirmation, topicArn: TOPIC_ARN, subscribeHost: 'https://example.com' },
    ],
    ['a forged signature', { ...confirmation, topicArn: TOPIC_ARN, forged: true }],
  ])('refuses %s with a 401 and confirms nothing', async (_, input) => {
    await expect(receiveAwsSmsEvent(request(input), sns)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(sns.confirmed).toEqual([]);
  });

  it('refuses an agent without an event topic, or of another organization, before fetching anything', async () => {
    const noTopic = request({ topicArn: TOPIC_ARN, message: {} }, 'NO_TOPIC');
    const elsewhere = { ...request({ topicArn: TOPIC_ARN, message: {} }), organizationId: 'org-2' };
    for (const refused of [noTopic, elsewhere])
      await expect(receiveAwsSmsEvent(refused, sns)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(sns.fetched).toEqual([]);
  });

  it('accepts a signed event that names no attempt of this organization, and records nothing', async () => {
    const event = {
      eventType: 'TEXT_DELIVERED',
      isFinal: true,
      messageId: 'm-1',
      context: { stepAttemptId: 'nobody' },
    };
    expect(await receiveAwsSmsEvent(request({ topicArn: TOPIC_ARN, message: event }), sns)).toBe(
      'ignored'
    );
  });

  it('answers 400 for a signed message that is no AWS SMS record', async () => {
    const odd = request({ topicArn: TOPIC_ARN, message: { hello: 'world' } });
    await expect(receiveAwsSmsEvent(odd, sns)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('Message: eventType'),
    });
  });
});

describe('the SNS certificate fetch', () => {
  let fake: FakeAwsSms;
  beforeAll(async () => {
    fake = await startFakeAwsSms('eu-west-1');
    process.env.SNS_ENDPOINT = fake.url;
  });
  afterAll(async () => {
    delete process.env.SNS_ENDPOINT;
    await fake.close();
  });

  it('fetches each certificate once per container', async () => {
    const url = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-cache-test.pem';
    const [first, second] = await Promise.all([snsCertificate(url), snsCertificate(url)]);
    expect(await snsCertificate(url)).toBe(first);
    expect(second).toContain('-----BEGIN PUBLIC KEY-----');
    expect(fake.requests.filter((line) => line.endsWith('cache-test.pem'))).toHaveLength(1);
  });
});
