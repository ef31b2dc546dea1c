import type { Server } from 'node:http';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeAgentCredentials } from '../../../lambdas/adapters/agent-credentials.js';
import { insertAgent } from '../../../lambdas/adapters/agent-repository.js';
import { signTwilioRequest } from '../../../lambdas/domain/providers/twilio-signature.js';
import type { Agent } from '../../../lambdas/schemas/agent.js';
import type { Execution } from '../../../lambdas/schemas/execution.js';
import { UnauthorizedError } from '../../../lambdas/shared/errors.js';
import { logger } from '../../../lambdas/shared/logger.js';
import { stepExecutionId } from '../../../lambdas/use-cases/dispatch-step.js';
import { receiveTwilioStatus } from '../../../lambdas/use-cases/provider-webhooks.js';
import { LocalSecrets, startSecretsEndpoint } from '../../../local/secrets-endpoint.js';
import { TemplateResolver } from '../../../local/template.js';
import { anAttempt } from '../../helpers/execution-fixture.js';
import {
  aRun,
  type InMemoryTable,
  mustRead,
  seed,
  startTable,
} from '../../helpers/in-memory-table.js';

/**
 * Twilio's voice status callbacks on the status route: form parameters as
 * https://www.twilio.com/docs/voice/api/call-resource lists them (CallSid, CallStatus,
 * AnsweredBy with machine detection), signed with X-Twilio-Signature over URL and parameters.
 */
const AUTH_TOKEN = 'twilio-call-status-token';
const BASE = 'https://api.example.com/prod/api/v1/providers/twilio';
const now = new Date('2026-11-23T15:05:00.000Z');
const sfn = mockClient(SFNClient);

let table: InMemoryTable;
let secretsServer: Server;

/** A run waiting on its CALL step, whose agent is a Twilio CALL agent of the run's organization. */
async function waitingCall(leaveVoicemail = true): Promise<Execution> {
  const run = aRun({ status: 'RUNNING', version: 2, startedAt: '2026-11-23T15:00:01.000Z' });
  run.definition.steps[0] = { ...run.definition.steps[0], leaveVoicemail } as never;
  const id = stepExecutionId(run.id, 0, 1);
  run.attempts = {
    '0-1': anAttempt({ id, channel: 'twilio-voice', taskToken: 'token-0', providerId: 'CA1' }),
  };
  const agent: Agent = {
    id: 'CALL_AGENT_ID',
    organizationId: run.organizationId,
    name: 'Twilio caller',
    type: 'CALL',
    provider: 'twilio',
    settings: { fromNumber: '+14155550100', voiceUrl: 'https://voice.example/twiml' },
    credentialKeys: ['accountSid', 'authToken'],
    version: 1,
    createdAt: '2026-11-23T15:00:00.000Z',
    updatedAt: '2026-11-23T15:00:00.000Z',
  };
  await insertAgent(agent);
  const credentials = { accountSid: `AC${'4'.repeat(32)}`, authToken: AUTH_TOKEN };
  await writeAgentCredentials(run.organizationId, agent.id, credentials);
  return seed(run);
}

function callback(run: Execution, form: Record<string, string>, token = AUTH_TOKEN) {
  const attemptId = run.attempts['0-1']?.id ?? '';
  const url = `${BASE}/${run.organizationId}/CALL_AGENT_ID/status?stepAttemptId=${attemptId}`;
  return {
    organizationId: run.organizationId,
    agentId: 'CALL_AGENT_ID',
    rawBody: new URLSearchParams(form).toString(),
    headers: { 'x-twilio-signature': signTwilioRequest(token, url, form) },
    url,
    now,
  };
}

const status = (CallStatus: string, extra: Record<string, string> = {}) => ({
  CallSid: 'CA1',
  CallStatus,
  To: '+14155550123',
  From: '+14155550100',
  ...extra,
});

beforeAll(async () => {
  logger.setLogLevel('SILENT');
  const secrets = new LocalSecrets(new TemplateResolver([{ Resources: {} }]), undefined);
  const endpoint = await startSecretsEndpoint(secrets);
  secretsServer = endpoint.server;
  Object.assign(process.env, {
    SECRETSMANAGER_ENDPOINT: endpoint.url,
    AGENT_SECRETS_PREFIX: 'OutreachTest/agents',
  });
  table = await startTable();
});
afterAll(async () => {
  sfn.restore();
  await table.close();
  await new Promise((resolve) => secretsServer.close(resolve));
});
beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

describe('Twilio voice status callbacks', () => {
  it('takes the progress events as progress and records the final no-answer once', async () => {
    const run = await waitingCall();
    const effects = [];
    for (const event of ['initiated', 'ringing', 'no-answer', 'no-answer'])
      effects.push(await receiveTwilioStatus(callback(run, status(event))));
    expect(effects).toEqual(['progress', 'progress', 'recorded', 'duplicate']);
    const attempt = (await mustRead(run.id)).attempts['0-1'];
    expect(attempt).toMatchObject({ status: 'COMPLETED', disposition: 'NO_ANSWER' });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('reads a completed call through AnsweredBy: a voicemail left after the beep', async () => {
    const run = await waitingCall(true);
    const answered = status('completed', { AnsweredBy: 'machine_end_beep', CallDuration: '24' });
    expect(await receiveTwilioStatus(callback(run, status('in-progress')))).toBe('progress');
    expect(await receiveTwilioStatus(callback(run, answered))).toBe('recorded');
    const attempt = (await mustRead(run.id)).attempts['0-1'];
    expect(attempt).toMatchObject({ disposition: 'LEFT_VOICEMAIL' });
  });

  it('refuses a forged callback with a 401 and records nothing', async () => {
    const run = await waitingCall();
    await expect(
      receiveTwilioStatus(callback(run, status('no-answer'), 'not-the-token'))
    ).rejects.toBeInstanceOf(UnauthorizedError);
    const tampered = {
      ...callback(run, status('busy')),
      rawBody: 'CallSid=CA1&CallStatus=no-answer',
    };
    await expect(receiveTwilioStatus(tampered)).rejects.toBeInstanceOf(UnauthorizedError);
    expect((await mustRead(run.id)).attempts['0-1']).toMatchObject({ status: 'IN_PROGRESS' });
    expect((await mustRead(run.id)).attempts['0-1']?.disposition).toBeUndefined();
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });
});
