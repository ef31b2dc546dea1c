import { z } from 'zod';
import { vapiSettingsSchema } from '../../schemas/agent-providers.js';
import { CORRELATION_KEY, correlationOf } from '../../schemas/providers/correlation.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import { config } from '../../shared/config.js';
import type { Channel, ChannelContext } from './channel.js';
import {
  type ProviderAgent,
  type ProviderDeps,
  placingChannel,
  requestProvider,
} from './provider-http.js';

/**
 * Vapi places the call (`POST /call`, https://docs.vapi.ai/api-reference/calls/create): the
 * assistant and phone number come from the agent's settings, our step attempt id rides in
 * `assistantOverrides.metadata` (Vapi echoes the overrides on the call and in every server
 * message; `CreateCallDTO` has no top-level metadata) and in `customer.externalId` when it fits
 * Vapi's 40 characters. The call `id` it answers is kept on the attempt. The outcome arrives as
 * the `end-of-call-report` server message (the provider webhook routes), so `follow` answers
 * nothing. Typed HTTP, not @vapi-ai/server-sdk: it is not a dependency, and two endpoints are
 * all we use.
 */

/** Vapi's limit on `customer.externalId`. */
const EXTERNAL_ID_MAX = 40;
/** Enough to find one recent attempt among the calls of the assistant on this number. */
const LOOKUP_LIMIT = 1000;

const callSchema = z.looseObject({
  id: z.string().min(1),
  assistantOverrides: z.looseObject({ metadata: z.unknown().optional() }).nullish(),
  customer: z.looseObject({ externalId: z.string().nullish() }).nullish(),
});
const callListSchema = z.array(callSchema);

function endpoint(path: string): string {
  return `${config().VAPI_API_URL.replace(/\/$/, '')}${path}`;
}

function request(path: string, { credentials }: ProviderAgent, body?: unknown) {
  return (signal: AbortSignal) =>
    fetch(endpoint(path), {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${credentials.apiKey ?? ''}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      signal,
    });
}

/** The `POST /call` body: our attempt id where Vapi echoes it, the run's variables for the prompt. */
export function vapiCallRequest(context: ChannelContext, agent: ProviderAgent) {
  const settings = vapiSettingsSchema.parse(agent.agent.settings);
  const { execution, attempt } = context;
  return {
    assistantId: settings.assistantId,
    phoneNumberId: settings.phoneNumberId,
    customer: {
      number: execution.primaryPhone,
      ...(attempt.id.length <= EXTERNAL_ID_MAX && { externalId: attempt.id }),
    },
    assistantOverrides: {
      metadata: { [CORRELATION_KEY]: attempt.id },
      variableValues: execution.variables ?? {},
    },
  };
}

async function placeCall(
  context: ChannelContext,
  agent: ProviderAgent,
  deps: ProviderDeps
): Promise<Outcome | undefined> {
  const send = request('/call', agent, vapiCallRequest(context, agent));
  const answer = await requestProvider('vapi', send, deps);
  if (!answer.ok) return answer.outcome;
  await deps.recordProviderId(context, callSchema.parse(answer.body).id);
  return undefined;
}

function isOurs(call: z.infer<typeof callSchema>, stepAttemptId: string): boolean {
  const correlated = correlationOf(call.assistantOverrides?.metadata) ?? call.customer?.externalId;
  return correlated === stepAttemptId;
}

/**
 * The call Vapi already has for this attempt: by the id we kept, else among the calls of the
 * assistant on this number created since the attempt began, by the overrides we sent (the crash
 * came before we kept the id). Undefined when Vapi has none; an outcome when it could not be asked.
 */
async function placedCall(
  context: ChannelContext,
  agent: ProviderAgent,
  deps: ProviderDeps
): Promise<{ providerId?: string; outcome?: Outcome }> {
  const settings = vapiSettingsSchema.parse(agent.agent.settings);
  const query = new URLSearchParams({
    assistantId: settings.assistantId,
    phoneNumberId: settings.phoneNumberId,
    // A second early: clocks differ, and the attempt began before the call was placed.
    createdAtGe: new Date(Date.parse(context.attempt.startedAt) - 1000).toISOString(),
    limit: String(LOOKUP_LIMIT),
  });
  const answer = await requestProvider('vapi', request(`/call?${query}`, agent), deps);
  if (!answer.ok) return { outcome: answer.outcome };
  const ours = callListSchema.parse(answer.body).find((call) => isOurs(call, context.attempt.id));
  return { providerId: ours?.id };
}

export function createVapiChannel(deps: ProviderDeps): Channel {
  return placingChannel('vapi', { provider: 'vapi', place: placeCall, placed: placedCall }, deps);
}
