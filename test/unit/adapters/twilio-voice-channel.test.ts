import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelContext } from '../../../lambdas/adapters/channels/channel.js';
import { createTwilioVoiceChannel } from '../../../lambdas/adapters/channels/twilio-voice.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import type { Step } from '../../../lambdas/schemas/workflow.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { MAX_PROVIDER_TRIES } from '../../../lambdas/use-cases/channel-choice.js';
import { anAttempt, anExecution } from '../../helpers/execution-fixture.js';
import { type FakeTwilio, startFakeTwilio } from '../../helpers/fake-twilio.js';
import { type TestDeps, testDeps } from '../../helpers/provider-channel-deps.js';

/** Calls.json as https://www.twilio.com/docs/voice/api/call-resource describes it, on the fake. */
const ACCOUNT_SID = `AC${'3'.repeat(32)}`;
const AUTH_TOKEN = 'twilio-voice-test-token';
const PUBLIC_API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod';
const VOICE_URL = 'https://voice.example/conversation-relay';
const agent: Agent = {
  id: 'CALL_AGENT_ID',
  organizationId: 'org-1',
  name: 'Twilio caller',
  type: 'CALL',
  provider: 'twilio',
  settings: { fromNumber: '+14155550100', voiceUrl: VOICE_URL },
  credentialKeys: ['accountSid', 'authToken'],
  version: 1,
  createdAt: '2026-11-23T15:00:00.000Z',
  updatedAt: '2026-11-23T15:00:00.000Z',
};
const credentials = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN };

let twilio: FakeTwilio;
let deps: TestDeps;
const context = (leaveVoicemail = true): ChannelContext => {
  const execution = anExecution({ status: 'RUNNING' });
  const attempt = anAttempt({
    channel: 'twilio-voice',
    handedOverAt: undefined,
    startedAt: new Date(Date.now() - 60_000).toISOString(),
  });
  const step = { ...(execution.definition.steps[0] as Step), leaveVoicemail };
  return { execution, step, attempt };
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
  twilio.calls.length = 0;
  deps = testDeps({ agent, credentials });
});

describe('the Twilio voice channel (calls)', () => {
  it('places one call to the voice agent whose status callback names the agent and our attempt', async () => {
    expect(await createTwilioVoiceChannel(deps).deliver(context())).toBeUndefined();
    const { attempt, execution } = context();
    expect(twilio.calls).toEqual([
      expect.objectContaining({
        to: '+14155550123',
        from: '+14155550100',
        url: VOICE_URL,
        machine_detection: 'DetectMessageEnd',
        status_callback: `${PUBLIC_API_URL}/api/v1/providers/twilio/${execution.organizationId}/CALL_AGENT_ID/status?stepAttemptId=${attempt.id}`,
        status_callback_event: ['initiated', 'ringing', 'answered', 'completed'],
      }),
    ]);
    expect(deps.providerIds.get(attempt.id)).toBe(twilio.calls[0]?.sid);
  });

  it('detects a machine without waiting for the beep when the step leaves no voicemail, unless the agent says', async () => {
    await createTwilioVoiceChannel(deps).deliver(context(false));
    const chosen = {
      ...agent,
      settings: { ...agent.settings, answeringMachineDetection: 'DetectMessageEnd' as const },
    };
    await createTwilioVoiceChannel(testDeps({ agent: chosen, credentials })).deliver(
      context(false)
    );
    expect(twilio.calls.map((call) => call.machine_detection)).toEqual([
      'Enable',
      'DetectMessageEnd',
    ]);
  });

  it('redelivers after a crash that lost the sid without calling twice', async () => {
    const channel = createTwilioVoiceChannel(deps);
    await channel.deliver(context());
    deps.providerIds.clear();
    expect(await channel.redeliver(context())).toBeUndefined();
    expect(twilio.calls).toHaveLength(1);
    expect(deps.providerIds.get(context().attempt.id)).toBe(twilio.calls[0]?.sid);
  });

  it('redelivers with the kept sid without asking Twilio, and places a call that never reached it once', async () => {
    const channel = createTwilioVoiceChannel(deps);
    const kept = context();
    kept.attempt.providerId = 'CA-kept';
    expect(await channel.redeliver(kept)).toBeUndefined();
    expect(twilio.calls).toHaveLength(0);
    await channel.redeliver(context());
    expect(twilio.calls).toHaveLength(1);
  });

  it('does not take an earlier call to the same number for this attempt', async () => {
    const channel = createTwilioVoiceChannel(deps);
    await channel.deliver(context());
    const later = context();
    later.attempt.startedAt = new Date(Date.now() + 60_000).toISOString();
    deps.providerIds.clear();
    await channel.redeliver(later);
    expect(twilio.calls).toHaveLength(2);
  });

  it('retries Twilio rate limiting, then settles COULD_NOT_CONNECT when it outlasts the retries', async () => {
    twilio.failNext(MAX_PROVIDER_TRIES, /POST .*Calls/, {
      status: 429,
      body: { code: 20429, message: 'Too Many Requests', status: 429 },
    });
    const outcome = await createTwilioVoiceChannel(deps).deliver(context());
    expect(outcome).toMatchObject({ disposition: 'COULD_NOT_CONNECT' });
    expect(deps.sleeps).toHaveLength(MAX_PROVIDER_TRIES - 1);
    expect(twilio.calls).toHaveLength(0);
  });

  it('settles an invalid number (21211) as BAD_NUMBER at once', async () => {
    twilio.failNext(1, /POST .*Calls/, { status: 400, body: { code: 21211, status: 400 } });
    expect(await createTwilioVoiceChannel(deps).deliver(context())).toMatchObject({
      disposition: 'BAD_NUMBER',
    });
    expect(deps.sleeps).toEqual([]);
  });

  it('refuses to call for an agent stored without a voiceUrl', async () => {
    const old = { ...agent, settings: { fromNumber: '+14155550100' } };
    const channel = createTwilioVoiceChannel(testDeps({ agent: old, credentials }));
    await expect(channel.deliver(context())).rejects.toThrow(/no voiceUrl/);
    expect(twilio.calls).toHaveLength(0);
  });
});
