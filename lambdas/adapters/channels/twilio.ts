import { z } from 'zod';
import { twilioSettingsSchema } from '../../schemas/agent-providers.js';
import { CORRELATION_KEY } from '../../schemas/providers/correlation.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import { config, required } from '../../shared/config.js';
import type { Channel, ChannelContext } from './channel.js';
import {
  type ProviderAgent,
  type ProviderDeps,
  placingChannel,
  requestProvider,
} from './provider-http.js';

/**
 * Twilio sends the text (Messages.json, https://www.twilio.com/docs/messaging/api/message-resource).
 * Our step attempt id is a query parameter of the StatusCallback URL, which X-Twilio-Signature
 * covers, and the message `sid` is kept on the attempt. The outcome arrives as Twilio's signed
 * status callback (the provider webhook routes). Typed HTTP, not the twilio package: it is not a
 * dependency, and two endpoints are all we use.
 */

const messageSchema = z.looseObject({ sid: z.string().min(1) });
const messageListSchema = z.looseObject({
  messages: z.array(
    z.looseObject({
      sid: z.string(),
      body: z.string().nullish(),
      date_created: z.string().nullish(),
    })
  ),
});

/** Where Twilio reports a message's or call's status for this attempt (the path names the agent). */
export function twilioStatusCallbackUrl(context: ChannelContext): string {
  const { execution, step, attempt } = context;
  const agentId = encodeURIComponent(step.agentId ?? '');
  const base = `${required('PUBLIC_API_URL').replace(/\/$/, '')}/api/v1/providers/twilio`;
  return `${base}/${execution.organizationId}/${agentId}/status?${CORRELATION_KEY}=${attempt.id}`;
}

/**
 * One exchange with a resource of the agent's Twilio account (`Messages.json`, `Calls.json`):
 * a form POST, or a GET with its query, with HTTP Basic from the Account SID and Auth Token.
 */
export function twilioRequest(
  agent: ProviderAgent,
  resource: 'Messages.json' | 'Calls.json',
  request: { form: URLSearchParams } | { query: URLSearchParams },
  deps: ProviderDeps
) {
  const { accountSid = '', authToken = '' } = agent.credentials;
  const base = config().TWILIO_API_URL.replace(/\/$/, '');
  const query = 'query' in request ? `?${request.query}` : '';
  const url = `${base}/2010-04-01/Accounts/${accountSid}/${resource}${query}`;
  const authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const send = (signal: AbortSignal) =>
    'form' in request
      ? fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body: request.form.toString(),
          signal,
        })
      : fetch(url, { headers: { authorization }, signal });
  return requestProvider('twilio', send, deps);
}

async function sendText(
  context: ChannelContext,
  agent: ProviderAgent,
  deps: ProviderDeps
): Promise<Outcome | undefined> {
  const settings = twilioSettingsSchema.parse(agent.agent.settings);
  const form = new URLSearchParams({
    To: context.execution.primaryPhone,
    Body: context.message ?? '',
    StatusCallback: twilioStatusCallbackUrl(context),
    ...(settings.messagingServiceSid
      ? { MessagingServiceSid: settings.messagingServiceSid }
      : { From: settings.fromNumber ?? '' }),
  });
  const answer = await twilioRequest(agent, 'Messages.json', { form }, deps);
  if (!answer.ok) return answer.outcome;
  await deps.recordProviderId(context, messageSchema.parse(answer.body).sid);
  return undefined;
}

/**
 * The message Twilio already has for this attempt. Twilio takes no idempotency key and does not
 * list a message's callback URL, so after a crash before the sid was kept the attempt is found
 * as the same text to the same number since the attempt began (its day, by Twilio's filter).
 */
async function sentMessage(
  context: ChannelContext,
  agent: ProviderAgent,
  deps: ProviderDeps
): Promise<{ providerId?: string; outcome?: Outcome }> {
  const since = new Date(context.attempt.startedAt);
  const query = new URLSearchParams({
    To: context.execution.primaryPhone,
    'DateSent>': since.toISOString().slice(0, 10),
  });
  const answer = await twilioRequest(agent, 'Messages.json', { query }, deps);
  if (!answer.ok) return { outcome: answer.outcome };
  const ours = messageListSchema
    .parse(answer.body)
    .messages.find(
      (message) =>
        message.body === (context.message ?? '') &&
        new Date(message.date_created ?? 0).getTime() >= since.getTime() - 1000
    );
  return { providerId: ours?.sid };
}

export function createTwilioChannel(deps: ProviderDeps): Channel {
  return placingChannel(
    'twilio',
    { provider: 'twilio', place: sendText, placed: sentMessage },
    deps
  );
}
