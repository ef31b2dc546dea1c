import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeRetell, startFakeRetell } from '../helpers/fake-retell.js';
import { type FakeTwilio, startFakeTwilio } from '../helpers/fake-twilio.js';
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
 * The done-when of real providers, on the local runtime: Retell places the call, Twilio sends
 * the text, each through its loopback fake, and their signed webhooks drive the run.
 * TIME_SCALE 3600: the text's one-day delay is 24 real seconds, and Retell's five-minute
 * signature window still spans about 80 real milliseconds.
 */
const RETELL_KEY = 'retell-e2e-api-key';
const ACCOUNT_SID = `AC${'2'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-e2e-auth-token';

let api: ApiClient;
let retell: FakeRetell;
let twilio: FakeTwilio;
let organizationId: string;

const providerUrl = (provider: string, agentId: string, route: string) =>
  `${api.runtime.url}/api/v1/providers/${provider}/${organizationId}/${agentId}/${route}`;

beforeAll(async () => {
  retell = await startFakeRetell(RETELL_KEY);
  twilio = await startFakeTwilio(ACCOUNT_SID, AUTH_TOKEN);
  api = await bootLocalApi({
    timeScale: 3600,
    environment: { RETELL_API_URL: retell.url, TWILIO_API_URL: twilio.url },
  });
  organizationId = api.runtime.organizationId;
  const agents = [
    {
      id: 'CALL_AGENT_ID',
      name: 'Retell caller',
      type: 'CALL',
      provider: 'retell',
      settings: { agentId: 'agent_e2e', fromNumber: '+14155550100' },
      credentials: { apiKey: RETELL_KEY },
    },
    {
      id: 'TEXT_AGENT_ID',
      name: 'Twilio texter',
      type: 'TEXT',
      provider: 'twilio',
      settings: { fromNumber: '+14155550101' },
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
    },
    {
      id: 'TWILIO_CALL_AGENT',
      name: 'Twilio caller',
      type: 'CALL',
      provider: 'twilio',
      settings: { fromNumber: '+14155550102', voiceUrl: 'https://voice.example/relay' },
      credentials: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
    },
  ];
  for (const agent of agents) {
    const created = await api.request('POST', '/api/v1/agents', agent);
    if (created.status !== 201) throw new Error(`agent not created: ${JSON.stringify(created)}`);
  }
}, 60_000);

afterAll(async () => {
  await api.runtime.stop();
  await retell.close();
  await twilio.close();
});

/** A call_analyzed body as Retell sends it for a call nobody answered. */
function unanswered(call: { call_id: string; metadata?: unknown }) {
  return {
    call_id: call.call_id,
    call_status: 'not_connected',
    disconnection_reason: 'dial_no_answer',
    metadata: call.metadata,
    call_analysis: { in_voicemail: false, call_successful: false },
  };
}

describe('Retell and Twilio agents end to end', () => {
  it('calls through Retell, records NO_ANSWER once, texts through Twilio a day later, and completes', async () => {
    const workflowId = await createOpenWorkflow(api);
    const phone = distinctPhone();
    const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      primaryPhone: phone,
    });
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const [call] = await waitFor(
      async () => retell.calls.filter((entry) => entry.to_number === phone),
      (calls) => calls.length === 1
    );
    if (!call) throw new Error('no call placed');
    const running = await api.request('GET', path);
    const [callStep] = placed(running.body);
    expect(callStep).toMatchObject({ channel: 'retell', status: 'IN_PROGRESS', disposition: null });
    expect(call.metadata).toEqual({ stepAttemptId: callStep.id });

    // Forged (another key) and replayed (signed ten minutes ago): refused, and nothing changes.
    const hook = providerUrl('retell', 'CALL_AGENT_ID', 'webhook');
    const forged = await retell.sendWebhook(hook, 'call_analyzed', unanswered(call), 'not-the-key');
    const stale = new Date(Date.now() - 10 * 60_000);
    const replayed = await retell.sendWebhook(
      hook,
      'call_analyzed',
      unanswered(call),
      RETELL_KEY,
      stale
    );
    // Signed right, but for an organization the agent is not in: the same 401.
    const elsewhere = hook.replace(organizationId, randomUUID());
    const misrouted = await retell.sendWebhook(
      elsewhere,
      'call_analyzed',
      unanswered(call),
      RETELL_KEY
    );
    expect([forged.status, replayed.status, misrouted.status]).toEqual([401, 401, 401]);
    // Signed, but no call in it: a 400 naming the field.
    const empty = await retell.sendWebhook(hook, 'call_analyzed', undefined, RETELL_KEY);
    expect(empty.status).toBe(400);
    // A progress event (call_ended carries no analysis) is accepted and settles nothing.
    const ended = await retell.sendWebhook(hook, 'call_ended', unanswered(call), RETELL_KEY);
    expect(ended.status).toBe(204);
    expect(placed((await api.request('GET', path)).body)[0]).toMatchObject({ disposition: null });

    // Retell delivers call_analyzed twice: the outcome is recorded once.
    const first = await retell.sendWebhook(hook, 'call_analyzed', unanswered(call), RETELL_KEY);
    const second = await retell.sendWebhook(hook, 'call_analyzed', unanswered(call), RETELL_KEY);
    expect([first.status, second.status]).toEqual([204, 204]);
    const afterCall = await api.request('GET', path);
    expect(placed(afterCall.body)).toEqual([
      expect.objectContaining({ id: callStep.id, status: 'COMPLETED', disposition: 'NO_ANSWER' }),
    ]);
    expect(afterCall.body.stepIndex).toBe(1);

    const [text] = await waitFor(
      async () => twilio.messages.filter((message) => message.to === phone),
      (messages) => messages.length === 1,
      90_000,
      250
    );
    if (!text) throw new Error('no text sent');
    expect(text.body).toBe('Hi Jordan, sorry we missed you. Reply here to pick a time.');
    // A day later by the run's clock.
    const textStep = placed((await api.request('GET', path)).body)[1];
    expect(textStep).toMatchObject({ channel: 'twilio', status: 'IN_PROGRESS' });
    const gapMs = Date.parse(textStep.startedAt) - Date.parse(callStep.startedAt);
    expect(gapMs).toBeGreaterThanOrEqual(86_400_000);

    // The captured Retell delivery, replayed now: its signature has expired.
    const replay = await fetch(hook, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-retell-signature': first.signature },
      body: first.rawBody,
    });
    expect(replay.status).toBe(401);

    const forgedStatus = await twilio.sendForm(
      text.status_callback ?? '',
      { MessageSid: text.sid, MessageStatus: 'delivered' },
      'wrong-token'
    );
    expect(forgedStatus.status).toBe(401);
    expect((await twilio.sendStatus(text, 'sent', AUTH_TOKEN)).status).toBe(200);
    expect((await twilio.sendStatus(text, 'delivered', AUTH_TOKEN)).status).toBe(200);
    expect((await twilio.sendStatus(text, 'delivered', AUTH_TOKEN)).status).toBe(200);
    const done = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'COMPLETED'
    );
    expect(placed(done.body).map((step: { disposition: string }) => step.disposition)).toEqual([
      'NO_ANSWER',
      'ENDED',
    ]);
    expect(retell.calls.filter((entry) => entry.to_number === phone)).toHaveLength(1);
  }, 180_000);

  it('calls through Twilio and records the signed final no-answer once; a forged callback is refused', async () => {
    const workflowId = await createOpenWorkflow(api, {
      definition: {
        steps: [
          { type: 'CALL', order: 1, delayInSecs: 0, agentId: 'TWILIO_CALL_AGENT', finishOn: [] },
        ],
      },
    });
    const phone = distinctPhone();
    const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
      ...featherExecution,
      primaryPhone: phone,
    });
    const path = `/api/v1/workflow/${workflowId}/execution/${created.body.id}`;
    const [call] = await waitFor(
      async () => twilio.calls.filter((entry) => entry.to === phone),
      (calls) => calls.length === 1
    );
    if (!call) throw new Error('no call placed');
    const [callStep] = placed((await api.request('GET', path)).body);
    expect(callStep).toMatchObject({ channel: 'twilio-voice', status: 'IN_PROGRESS' });
    expect(call).toMatchObject({
      from: '+14155550102',
      url: 'https://voice.example/relay',
      status_callback: `${providerUrl('twilio', 'TWILIO_CALL_AGENT', 'status')}?stepAttemptId=${callStep.id}`,
    });

    const forged = await twilio.sendForm(
      call.status_callback ?? '',
      { CallSid: call.sid, CallStatus: 'no-answer' },
      'wrong-token'
    );
    expect(forged.status).toBe(401);
    expect((await twilio.sendCallStatus(call, 'ringing', AUTH_TOKEN)).status).toBe(200);
    expect(placed((await api.request('GET', path)).body)[0]).toMatchObject({ disposition: null });

    // Twilio retries a callback it got no answer for: the second changes nothing.
    expect((await twilio.sendCallStatus(call, 'no-answer', AUTH_TOKEN)).status).toBe(200);
    expect((await twilio.sendCallStatus(call, 'no-answer', AUTH_TOKEN)).status).toBe(200);
    const done = await waitFor(
      () => api.request('GET', path),
      (r) => r.body.status === 'COMPLETED'
    );
    expect(placed(done.body)).toEqual([
      expect.objectContaining({ id: callStep.id, status: 'COMPLETED', disposition: 'NO_ANSWER' }),
    ]);
    expect(twilio.calls.filter((entry) => entry.to === phone)).toHaveLength(1);
  }, 60_000);

  it('cancels every run of a number that texts STOP, and suppresses it', async () => {
    // Agents nobody registered: these runs wait on the default (manual) channel.
    const overrides = {
      definition: {
        steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'UNREGISTERED', finishOn: [] }],
      },
    };
    const phone = distinctPhone();
    const runs: string[] = [];
    for (const workflowId of [
      await createOpenWorkflow(api, overrides),
      await createOpenWorkflow(api, overrides),
    ]) {
      const created = await api.request('POST', `/api/v1/workflow/${workflowId}/execution`, {
        ...featherExecution,
        primaryPhone: phone,
      });
      runs.push(`/api/v1/workflow/${workflowId}/execution/${created.body.id}`);
    }
    const inbound = providerUrl('twilio', 'TEXT_AGENT_ID', 'inbound');
    const message = {
      MessageSid: `SM${'9'.repeat(32)}`,
      From: phone,
      To: '+14155550101',
      Body: ' stop ',
    };
    const forged = await twilio.sendForm(inbound, message, 'wrong-token');
    expect(forged.status).toBe(401);
    const listed = await api.request('GET', '/api/v1/suppressions?limit=100');
    expect(listed.body.suppressions).not.toContainEqual(
      expect.objectContaining({ phoneNumber: phone })
    );

    expect((await twilio.sendForm(inbound, message, AUTH_TOKEN)).status).toBe(200);
    for (const path of runs) {
      const run = await waitFor(
        () => api.request('GET', path),
        (r) => r.body.status === 'CANCELLED'
      );
      expect(run.body.error).toMatch(
        /is on the organization's do-not-contact list \(inbound opt-out/
      );
    }
    const suppressed = await api.request('GET', '/api/v1/suppressions?limit=100');
    expect(suppressed.body.suppressions).toContainEqual(
      expect.objectContaining({
        phoneNumber: phone,
        reason: expect.stringMatching(/^inbound opt-out/),
      })
    );
  }, 60_000);
});
