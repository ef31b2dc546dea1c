import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAwsSms, startFakeAwsSms } from '../helpers/fake-aws-sms.js';
import { type FakeVapi, startFakeVapi } from '../helpers/fake-vapi.js';
import {
  type ApiClient,
  bootLocalApi,
  createOpenWorkflow,
  distinctPhone,
  featherExecution,
  placed,
  waitFor,
} from '../helpers/local-api.js';

/**
 * Real providers, second pair: Vapi places the call and AWS End User Messaging SMS sends the
 * text, each through its loopback fake (the AWS SDK's own client, only its endpoint changed),
 * and their signed messages (Vapi's HMAC, SNS SignatureVersion 2 with a certificate the fake
 * serves where SNS would) drive the run. TIME_SCALE 3600: the text's one-day delay is 24 real
 * seconds; every signature window still spans about 80 real milliseconds.
 */
const VAPI_KEY = 'vapi-e2e-private-key';
const VAPI_SECRET = 'vapi-e2e-server-secret';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:outreach-sms-events';

let api: ApiClient;
let vapi: FakeVapi;
let sms: FakeAwsSms;
let organizationId: string;

const providerUrl = (provider: string, agentId: string, route: string) =>
  `${api.runtime.url}/api/v1/providers/${provider}/${organizationId}/${agentId}/${route}`;

beforeAll(async () => {
  vapi = await startFakeVapi(VAPI_KEY);
  sms = await startFakeAwsSms('us-east-1');
  api = await bootLocalApi({
    timeScale: 3600,
    environment: { VAPI_API_URL: vapi.url, AWS_SMS_ENDPOINT: sms.url, SNS_ENDPOINT: sms.url },
  });
  organizationId = api.runtime.organizationId;
  const agents = [
    {
      id: 'CALL_AGENT_ID',
      name: 'Vapi caller',
      type: 'CALL',
      provider: 'vapi',
      settings: { assistantId: 'asst_e2e', phoneNumberId: 'pn_e2e' },
      credentials: { apiKey: VAPI_KEY, serverSecret: VAPI_SECRET },
    },
    {
      id: 'TEXT_AGENT_ID',
      name: 'AWS texter',
      type: 'TEXT',
      provider: 'aws-sms',
      settings: {
        originationIdentity: 'pool-e2e',
        configurationSetName: 'outreach-e2e',
        eventTopicArn: TOPIC_ARN,
      },
    },
  ];
  for (const agent of agents) {
    const created = await api.request('POST', '/api/v1/agents', agent);
    if (created.status !== 201) throw new Error(`agent not created: ${JSON.stringify(created)}`);
  }
}, 60_000);

afterAll(async () => {
  await api.runtime.stop();
  await vapi.close();
  await sms.close();
});

/** An end-of-call-report as Vapi sends it for a call nobody answered. */
function unanswered(call: { id: string; assistantOverrides?: unknown; customer?: unknown }) {
  return {
    type: 'end-of-call-report',
    endedReason: 'customer-did-not-answer',
    call: { id: call.id, assistantOverrides: call.assistantOverrides, customer: call.customer },
  };
}

/** An AWS SMS delivery event for `message`, as the configuration set publishes it. */
function deliveryEvent(
  message: { MessageId: string; Context?: unknown },
  type: string,
  final: boolean
) {
  return {
    eventType: type,
    isFinal: final,
    messageId: message.MessageId,
    messageStatus: type === 'TEXT_DELIVERED' ? 'DELIVERED' : 'SUCCESSFUL',
    context: message.Context,
  };
}

describe('Vapi and AWS SMS agents end to end', () => {
  it('confirms the SNS subscription only for the agent topic, on SNS in its region', async () => {
    const events = providerUrl('aws-sms', 'TEXT_AGENT_ID', 'events');
    const type = 'SubscriptionConfirmation' as const;
    const otherTopic = await sms.publish(events, {
      type,
      topicArn: 'arn:aws:sns:us-east-1:999999999999:someone-else',
      message: 'You have chosen to subscribe',
    });
    const elsewhere = await sms.publish(events, {
      type,
      topicArn: TOPIC_ARN,
      message: 'You have chosen to subscribe',
      subscribeHost: 'https://sns.us-east-1.amazonaws.com.attacker.example',
    });
    expect([otherTopic.status, elsewhere.status]).toEqual([401, 401]);
    expect(sms.confirmations).toEqual([]);
    const ours = await sms.publish(events, { type, topicArn: TOPIC_ARN, message: 'Subscribe' });
    expect(ours.status).toBe(204);
    expect(sms.confirmations).toHaveLength(1);
    expect(sms.confirmations[0]).toContain(`Token=${ours.body.Token}`);
  });

  it('calls through Vapi, records NO_ANSWER once, texts through AWS SMS a day later, and completes', async () => {
    const workflowId = await createOpenWorkflow(api);
    const phone = distinctPhone();
    const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      primaryPhone: phone,
    });
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const [call] = await waitFor(
      async () => vapi.calls.filter((entry) => entry.customer.number === phone),
      (calls) => calls.length === 1
    );
    if (!call) throw new Error('no call placed');
    const [callStep] = placed((await api.request('GET', path)).body);
    expect(callStep).toMatchObject({ channel: 'vapi', status: 'IN_PROGRESS', disposition: null });
    expect(call).toMatchObject({
      assistantId: 'asst_e2e',
      phoneNumberId: 'pn_e2e',
      assistantOverrides: { metadata: { stepAttemptId: callStep.id } },
    });

    const hook = providerUrl('vapi', 'CALL_AGENT_ID', 'webhook');
    const forged = await vapi.sendMessage(hook, unanswered(call), 'not-the-secret');
    const stale = await vapi.sendMessage(
      hook,
      unanswered(call),
      VAPI_SECRET,
      new Date(Date.now() - 10 * 60_000)
    );
    expect([forged.status, stale.status]).toEqual([401, 401]);
    const progress = { type: 'status-update', status: 'ringing', call: unanswered(call).call };
    expect((await vapi.sendMessage(hook, progress, VAPI_SECRET)).status).toBe(204);
    expect(placed((await api.request('GET', path)).body)[0]).toMatchObject({ disposition: null });

    // Sent twice: the outcome is recorded once.
    const first = await vapi.sendMessage(hook, unanswered(call), VAPI_SECRET);
    const second = await vapi.sendMessage(hook, unanswered(call), VAPI_SECRET);
    expect([first.status, second.status]).toEqual([204, 204]);
    const afterCall = await api.request('GET', path);
    expect(placed(afterCall.body)).toEqual([
      expect.objectContaining({ id: callStep.id, status: 'COMPLETED', disposition: 'NO_ANSWER' }),
    ]);
    expect(afterCall.body.stepIndex).toBe(1);

    const [text] = await waitFor(
      async () => sms.messages.filter((message) => message.DestinationPhoneNumber === phone),
      (messages) => messages.length === 1,
      90_000,
      250
    );
    if (!text) throw new Error('no text sent');
    const textStep = placed((await api.request('GET', path)).body)[1];
    expect(textStep).toMatchObject({ channel: 'aws-sms', status: 'IN_PROGRESS' });
    expect(text).toMatchObject({
      OriginationIdentity: 'pool-e2e',
      ConfigurationSetName: 'outreach-e2e',
      MessageBody: 'Hi Jordan, sorry we missed you. Reply here to pick a time.',
      Context: { stepAttemptId: textStep.id },
    });

    const events = providerUrl('aws-sms', 'TEXT_AGENT_ID', 'events');
    const delivered = deliveryEvent(text, 'TEXT_DELIVERED', true);
    const forgedEvent = await sms.publish(events, {
      topicArn: TOPIC_ARN,
      message: delivered,
      forged: true,
    });
    expect(forgedEvent.status).toBe(401);
    const sent = deliveryEvent(text, 'TEXT_SUCCESSFUL', false);
    expect((await sms.publish(events, { topicArn: TOPIC_ARN, message: sent })).status).toBe(204);
    expect((await sms.publish(events, { topicArn: TOPIC_ARN, message: delivered })).status).toBe(
      204
    );
    expect((await sms.publish(events, { topicArn: TOPIC_ARN, message: delivered })).status).toBe(
      204
    );
    const done = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'COMPLETED'
    );
    expect(placed(done.body).map((step: { disposition: string }) => step.disposition)).toEqual([
      'NO_ANSWER',
      'ENDED',
    ]);
    expect(vapi.calls.filter((entry) => entry.customer.number === phone)).toHaveLength(1);
    expect(sms.messages.filter((entry) => entry.DestinationPhoneNumber === phone)).toHaveLength(1);
  }, 180_000);

  it('cancels every run of a number that texts STOP to the AWS number, and suppresses it', async () => {
    const overrides = {
      definition: {
        steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'UNREGISTERED', finishOn: [] }],
      },
    };
    const phone = distinctPhone();
    const workflowId = await createOpenWorkflow(api, overrides);
    const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      primaryPhone: phone,
    });
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const events = providerUrl('aws-sms', 'TEXT_AGENT_ID', 'events');
    const inbound = {
      originationNumber: phone,
      destinationNumber: '+14155550102',
      messageKeyword: 'KEYWORD_STOP',
      messageBody: 'Stop',
      inboundMessageId: 'inbound-1',
    };
    const forged = await sms.publish(events, {
      topicArn: TOPIC_ARN,
      message: inbound,
      forged: true,
    });
    expect(forged.status).toBe(401);
    expect((await sms.publish(events, { topicArn: TOPIC_ARN, message: inbound })).status).toBe(204);
    const run = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'CANCELLED'
    );
    expect(run.body.error).toMatch(/do-not-contact list \(inbound opt-out text to AWS SMS agent/);
  }, 60_000);
});
