import { describe, expect, it } from 'vitest';
import { issuesOf } from '../../../lambdas/handlers/http.js';
import { createAgentSchema, updateAgentSchema } from '../../../lambdas/schemas/agent.js';

/** The issues a POST body gets, as the API reports them (path and message), or [] when valid. */
function issues(body: unknown): Array<{ path: string; message: string }> {
  const result = createAgentSchema.safeParse(body);
  return result.success ? [] : issuesOf(result.error);
}

const paths = (body: unknown) => issues(body).map((issue) => issue.path);

const retell = {
  id: 'CALL_AGENT_ID',
  name: 'Retell caller',
  type: 'CALL',
  provider: 'retell',
  settings: { agentId: 'agent_6b3f', fromNumber: '+14155550100' },
  credentials: { apiKey: 'key_live_1', webhookSigningKey: 'key_webhook_1' },
};
const vapi = {
  name: 'Vapi caller',
  type: 'CALL',
  provider: 'vapi',
  settings: { assistantId: 'asst-1', phoneNumberId: 'pn-1' },
  credentials: { apiKey: 'vapi-private', serverSecret: 'shh' },
};
const accountSid = `AC${'a'.repeat(32)}`;
const twilioText = {
  name: 'Twilio texter',
  type: 'TEXT',
  provider: 'twilio',
  settings: { messagingServiceSid: `MG${'0'.repeat(32)}` },
  credentials: { accountSid, authToken: 'token' },
};
const twilioCall = {
  name: 'Twilio caller',
  type: 'CALL',
  provider: 'twilio',
  settings: {
    fromNumber: '+14155550101',
    voiceUrl: 'https://voice.example/twiml',
    voicemailMessage: 'Sorry we missed you.',
    answeringMachineDetection: 'DetectMessageEnd',
  },
  credentials: { accountSid, authToken: 'token' },
};
const awsSms = {
  name: 'AWS texter',
  type: 'TEXT',
  provider: 'aws-sms',
  settings: { originationIdentity: 'pool-0123456789abcdef', configurationSetName: 'outreach' },
};
const webhook = {
  name: 'Our agent',
  type: 'CALL',
  provider: 'webhook',
  settings: { url: 'https://agent.example/steps' },
  credentials: { signingSecret: 'hmac-key' },
};

describe('createAgentSchema', () => {
  it.each([
    ['retell', retell],
    ['vapi', vapi],
    ['twilio (text, messaging service)', twilioText],
    ['twilio (call, voicemail and machine detection)', twilioCall],
    ['aws-sms', awsSms],
    ['webhook', webhook],
  ])('takes a %s agent with its settings and credentials', (_name, body) => {
    const parsed = createAgentSchema.parse(body);
    expect(parsed).toMatchObject({ provider: body.provider, settings: body.settings });
    expect(parsed.credentials).toEqual((body as { credentials?: unknown }).credentials);
  });

  it('takes simulator and manual agents with no settings at all', () => {
    for (const provider of ['simulator', 'manual']) {
      const parsed = createAgentSchema.parse({ name: 'Test', type: 'TEXT', provider });
      expect(parsed).toMatchObject({ provider, settings: {}, credentials: undefined });
    }
  });

  it('keeps an optional per-agent call cap, a positive integer', () => {
    expect(createAgentSchema.parse({ ...retell, maxConcurrentCalls: 5 }).maxConcurrentCalls).toBe(
      5
    );
    expect(paths({ ...retell, maxConcurrentCalls: 0 })).toEqual(['maxConcurrentCalls']);
    expect(paths({ ...retell, maxConcurrentCalls: 1.5 })).toEqual(['maxConcurrentCalls']);
  });

  it('refuses a step type the provider cannot carry, naming type', () => {
    expect(issues({ ...retell, type: 'TEXT' })).toEqual([
      { path: 'type', message: 'retell agents carry CALL only' },
    ]);
    expect(paths({ ...vapi, type: 'TEXT' })).toEqual(['type']);
    expect(issues({ ...awsSms, type: 'CALL' })).toEqual([
      { path: 'type', message: 'aws-sms agents carry TEXT only' },
    ]);
  });

  it('refuses Twilio settings that do not fit the step type, naming the setting', () => {
    expect(issues({ ...twilioText, type: 'CALL' })).toEqual([
      { path: 'settings.fromNumber', message: 'a Twilio CALL agent needs fromNumber' },
    ]);
    const textWithVoicemail = {
      ...twilioCall,
      type: 'TEXT',
      settings: { fromNumber: '+14155550101', voicemailMessage: 'Hi' },
    };
    expect(paths(textWithVoicemail)).toEqual(['settings.voicemailMessage']);
    const textWithVoiceUrl = {
      ...twilioText,
      settings: { fromNumber: '+14155550101', voiceUrl: 'https://voice.example/twiml' },
    };
    expect(paths(textWithVoiceUrl)).toEqual(['settings.voiceUrl']);
    const { voiceUrl: _dropped, ...withoutVoiceUrl } = twilioCall.settings;
    expect(issues({ ...twilioCall, settings: withoutVoiceUrl })).toEqual([
      { path: 'settings.voiceUrl', message: 'a Twilio CALL agent needs voiceUrl' },
    ]);
    const plainHttp = { ...twilioCall.settings, voiceUrl: 'http://voice.example/twiml' };
    expect(issues({ ...twilioCall, settings: plainHttp })).toEqual([
      { path: 'settings.voiceUrl', message: 'must be an https URL' },
    ]);
    const badDetection = { ...twilioCall.settings, answeringMachineDetection: 'Always' };
    expect(paths({ ...twilioCall, settings: badDetection })).toEqual([
      'settings.answeringMachineDetection',
    ]);
    const both = {
      ...twilioText,
      settings: { ...twilioText.settings, fromNumber: '+14155550101' },
    };
    expect(paths(both)).toEqual(['settings.fromNumber']);
  });

  it('names the wrong setting of each provider', () => {
    expect(paths({ ...retell, settings: { agentId: 'a', fromNumber: '4155550100' } })).toEqual([
      'settings.fromNumber',
    ]);
    expect(paths({ ...vapi, settings: { assistantId: 'asst-1' } })).toEqual([
      'settings.phoneNumberId',
    ]);
    expect(paths({ ...awsSms, settings: { originationIdentity: 'pool id with spaces' } })).toEqual([
      'settings.originationIdentity',
    ]);
    expect(issues({ ...webhook, settings: { url: 'http://agent.example/steps' } })).toEqual([
      { path: 'settings.url', message: 'must be an https URL' },
    ]);
    expect(paths({ ...retell, settings: { ...retell.settings, assistantId: 'x' } })).toEqual([
      'settings.assistantId',
    ]);
    expect(
      paths({ name: 'Test', type: 'CALL', provider: 'simulator', settings: { x: 1 } })
    ).toEqual(['settings.x']);
  });

  it('refuses an unknown provider, naming provider', () => {
    expect(paths({ ...retell, provider: 'bland' })).toEqual(['provider']);
  });

  it('requires the credentials a provider cannot work without, and checks each key', () => {
    const { credentials: _none, ...withoutCredentials } = retell;
    expect(issues(withoutCredentials)).toEqual([
      { path: 'credentials', message: 'required for retell' },
    ]);
    expect(paths({ ...retell, credentials: { webhookSigningKey: 'k' } })).toEqual([
      'credentials.apiKey',
    ]);
    expect(paths({ ...twilioCall, credentials: { accountSid: 'AC1', authToken: 't' } })).toEqual([
      'credentials.accountSid',
    ]);
    expect(paths({ ...vapi, credentials: { apiKey: 'k', password: 'p' } })).toEqual([
      'credentials.password',
    ]);
    const { credentials: _secret, ...webhookWithout } = webhook;
    expect(paths(webhookWithout)).toEqual([]);
  });

  it('refuses credentials for providers that take none', () => {
    expect(issues({ ...awsSms, credentials: { apiKey: 'k' } })).toEqual([
      { path: 'credentials', message: 'aws-sms agents take no credentials' },
    ]);
  });

  it('takes a caller-chosen id of safe characters only', () => {
    expect(createAgentSchema.parse(retell).id).toBe('CALL_AGENT_ID');
    for (const id of ['', '-leading', 'a/b', 'a#b', 'a b', 'x'.repeat(129), 'é']) {
      expect(paths({ ...retell, id })).toEqual(['id']);
    }
  });
});

describe('updateAgentSchema', () => {
  it('takes any of the fields, and null to remove the call cap', () => {
    expect(updateAgentSchema.parse({ maxConcurrentCalls: null })).toEqual({
      maxConcurrentCalls: null,
    });
    expect(updateAgentSchema.parse({ settings: { fromNumber: '+14155550102' } })).toEqual({
      settings: { fromNumber: '+14155550102' },
    });
  });

  it('refuses an empty patch and fields that cannot change', () => {
    expect(updateAgentSchema.safeParse({}).success).toBe(false);
    const result = updateAgentSchema.safeParse({ id: 'other' });
    expect(result.success ? [] : issuesOf(result.error).map((issue) => issue.path)).toContain('id');
  });
});
