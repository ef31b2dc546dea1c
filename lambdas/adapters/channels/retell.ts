import { z } from 'zod';
import { retellSettingsSchema } from '../../schemas/agent-providers.js';
import { CORRELATION_KEY, correlationOf } from '../../schemas/providers/correlation.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import { config } from '../../shared/config.js';
import type { Channel, ChannelContext } from './channel.js';
import {
  type ProviderAgent,
  type ProviderDeps,
  placingChannel,
  requestProvider,
  stringVariables,
} from './provider-http.js';

/**
 * Retell AI places the call (https://docs.retellai.com/api-references/create-phone-call): our
 * step attempt id rides in `metadata`, which Retell echoes on the call object and in every
 * webhook, and the `call_id` it answers is kept on the attempt. The outcome arrives as Retell's
 * signed `call_analyzed` webhook (the provider webhook routes), so `follow` answers nothing.
 * Typed HTTP, not retell-sdk: the SDK is not a dependency, and three endpoints are all we use.
 */

const callSchema = z.looseObject({ call_id: z.string().min(1), metadata: z.unknown().optional() });
const callListSchema = z.array(callSchema);
/** Enough to find one recent attempt among the agent's calls, newest first. */
const LOOKUP_LIMIT = 1000;

function endpoint(path: string): string {
  return `${config().RETELL_API_URL.replace(/\/$/, '')}${path}`;
}

function post(path: string, apiKey: string, body: unknown) {
  return (signal: AbortSignal) =>
    fetch(endpoint(path), {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });
}

async function placeCall(
  context: ChannelContext,
  { agent, credentials }: ProviderAgent,
  deps: ProviderDeps
): Promise<Outcome | undefined> {
  const settings = retellSettingsSchema.parse(agent.settings);
  const { execution, attempt } = context;
  const body = {
    from_number: settings.fromNumber,
    to_number: execution.primaryPhone,
    override_agent_id: settings.agentId,
    metadata: { [CORRELATION_KEY]: attempt.id },
    retell_llm_dynamic_variables: stringVariables(execution.variables),
  };
  const apiKey = credentials.apiKey ?? '';
  const answer = await requestProvider('retell', post('/v2/create-phone-call', apiKey, body), deps);
  if (!answer.ok) return answer.outcome;
  await deps.recordProviderId(context, callSchema.parse(answer.body).call_id);
  return undefined;
}

/**
 * The call Retell already has for this attempt: by the id we kept, else among the agent's
 * calls by the metadata we sent (the crash came before we kept the id). Undefined when Retell
 * has none; an outcome when Retell could not be asked.
 */
async function placedCall(
  context: ChannelContext,
  { agent, credentials }: ProviderAgent,
  deps: ProviderDeps
): Promise<{ providerId?: string; outcome?: Outcome }> {
  const settings = retellSettingsSchema.parse(agent.settings);
  const query = {
    filter_criteria: { agent_id: [settings.agentId] },
    sort_order: 'descending',
    limit: LOOKUP_LIMIT,
  };
  const apiKey = credentials.apiKey ?? '';
  const answer = await requestProvider('retell', post('/v2/list-calls', apiKey, query), deps);
  if (!answer.ok) return { outcome: answer.outcome };
  const calls = callListSchema.parse(answer.body);
  const ours = calls.find((call) => correlationOf(call.metadata) === context.attempt.id);
  return { providerId: ours?.call_id };
}

export function createRetellChannel(deps: ProviderDeps): Channel {
  return placingChannel(
    'retell',
    { provider: 'retell', place: placeCall, placed: placedCall },
    deps
  );
}
