import { z } from 'zod';
import { twilioSettingsSchema } from '../../schemas/agent-providers.js';
import { CORRELATION_KEY } from '../../schemas/providers/correlation.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import { config, required } from '../../shared/config.js';
import type { Channel, ChannelContext } from './channel.js';
import { type ProviderAgent, type ProviderDeps, requestProvider } from './provider-http.js';

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

/** A resource of the agent's Twilio account (`Messages.json`, `Calls.json`), with its query. */
export function twilioAccountUrl(accountSid: string, resource: string, query = ''): string {
  const base = config().TWILIO_API_URL.replace(/\/$/, '');
  return `${base}/2010-04-01/Accounts/${accountSid}/${resource}${query}`;
}

const messagesUrl = (accountSid: string, query = '') =>
  twilioAccountUrl(accountSid, 'Messages.json', query);

/** HTTP Basic with the Account SID and Auth Token, as Twilio's REST API takes them. */
export function twilioAuthorization({ credentials }: ProviderAgent): string {
  const pair = `${credentials.accountSid ?? ''}:${credentials.authToken ?? ''}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
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
  const send = (signal: AbortSignal) =>
    fetch(messagesUrl(agent.credentials.accountSid ?? ''), {
      method: 'POST',
      headers: {
        authorization: twilioAuthorization(agent),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: form.toString(),
      signal,
    });
  const answer = await requestProvider('twilio', send, deps);
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
): Promise<{ sid?: string; outcome?: Outcome }> {
  if (context.attempt.providerId) return { sid: context.attempt.providerId };
  const since = new Date(context.attempt.startedAt);
  const query = new URLSearchParams({
    To: context.execution.primaryPhone,
    'DateSent>': since.toISOString().slice(0, 10),
  });
  const send = (signal: AbortSignal) =>
    fetch(messagesUrl(agent.credentials.accountSid ?? '', `?${query}`), {
      headers: { authorization: twilioAuthorization(agent) },
      signal,
    });
  const answer = await requestProvider('twilio', send, deps);
  if (!answer.ok) return { outcome: answer.outcome };
  const ours = messageListSchema
    .parse(answer.body)
    .messages.find(
      (message) =>
        message.body === (context.message ?? '') &&
        new Date(message.date_created ?? 0).getTime() >= since.getTime() - 1000
    );
  return { sid: ours?.sid };
}

export function createTwilioChannel(deps: ProviderDeps): Channel {
  return {
    name: 'twilio',
    async deliver(context) {
      return sendText(context, await deps.loadAgent(context, 'twilio'), deps);
    },
    async redeliver(context) {
      const agent = await deps.loadAgent(context, 'twilio');
      const { sid, outcome } = await sentMessage(context, agent, deps);
      if (outcome) return outcome;
      if (!sid) return sendText(context, agent, deps);
      if (!context.attempt.providerId) await deps.recordProviderId(context, sid);
      return undefined;
    },
    async follow() {
      return undefined;
    },
  };
}
