import { z } from 'zod';
import { twilioSettingsSchema } from '../../schemas/agent-providers.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import type { Channel, ChannelContext } from './channel.js';
import { type ProviderAgent, type ProviderDeps, placingChannel } from './provider-http.js';
import { twilioRequest, twilioStatusCallbackUrl } from './twilio.js';

/**
 * Twilio places the call (Calls.json, https://www.twilio.com/docs/voice/api/call-resource) and
 * fetches its TwiML from the agent's `voiceUrl`: Twilio has no agent of its own. Our step attempt
 * id rides in the StatusCallback URL (X-Twilio-Signature covers it) and the call `sid` is kept on
 * the attempt. Answering-machine detection is synchronous: Twilio waits for it before fetching
 * the TwiML (so the voice agent knows who answered) and the final status callback carries
 * `AnsweredBy`, so one callback holds the whole outcome and no second (async AMD) route is needed.
 */

/** Every progress event, so the attempt shows ringing and answered; only the final one settles. */
const STATUS_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

const callSchema = z.looseObject({ sid: z.string().min(1) });
const callListSchema = z.looseObject({
  calls: z.array(z.looseObject({ sid: z.string(), date_created: z.string().nullish() })),
});

/**
 * Unset, a step that leaves a voicemail waits for the beep (DetectMessageEnd) so the agent can
 * speak after it; any other step only needs to know a machine answered (Enable, quicker).
 */
export function machineDetectionFor(
  setting: 'Enable' | 'DetectMessageEnd' | undefined,
  leaveVoicemail: boolean
): 'Enable' | 'DetectMessageEnd' {
  return setting ?? (leaveVoicemail ? 'DetectMessageEnd' : 'Enable');
}

function callSettings(agent: ProviderAgent) {
  const settings = twilioSettingsSchema.parse(agent.agent.settings);
  // Agent validation requires both for a CALL agent; one stored before voiceUrl existed cannot call.
  if (!settings.voiceUrl || !settings.fromNumber)
    throw new Error(`Twilio agent ${agent.agent.id} has no voiceUrl or fromNumber for calls`);
  return { ...settings, voiceUrl: settings.voiceUrl, fromNumber: settings.fromNumber };
}

async function placeCall(
  context: ChannelContext,
  agent: ProviderAgent,
  deps: ProviderDeps
): Promise<Outcome | undefined> {
  const settings = callSettings(agent);
  const form = new URLSearchParams({
    To: context.execution.primaryPhone,
    From: settings.fromNumber,
    Url: settings.voiceUrl,
    MachineDetection: machineDetectionFor(
      settings.answeringMachineDetection,
      context.step.leaveVoicemail ?? false
    ),
    StatusCallback: twilioStatusCallbackUrl(context),
  });
  for (const event of STATUS_EVENTS) form.append('StatusCallbackEvent', event);
  const answer = await twilioRequest(agent, 'Calls.json', { form }, deps);
  if (!answer.ok) return answer.outcome;
  await deps.recordProviderId(context, callSchema.parse(answer.body).sid);
  return undefined;
}

/**
 * The call Twilio already has for this attempt. Twilio takes no idempotency key and does not
 * list a call's callback URL, so after a crash before the sid was kept the attempt is found as
 * a call from the agent's number to the recipient created since the attempt began. Filtered by
 * To and From only, not StartTime: a call still queued has no start time yet, and it is exactly
 * the call a second try must not duplicate. The list is newest first.
 */
async function placedCall(
  context: ChannelContext,
  agent: ProviderAgent,
  deps: ProviderDeps
): Promise<{ providerId?: string; outcome?: Outcome }> {
  const since = new Date(context.attempt.startedAt).getTime() - 1000;
  const query = new URLSearchParams({
    To: context.execution.primaryPhone,
    From: callSettings(agent).fromNumber,
  });
  const answer = await twilioRequest(agent, 'Calls.json', { query }, deps);
  if (!answer.ok) return { outcome: answer.outcome };
  const ours = callListSchema
    .parse(answer.body)
    .calls.find((call) => new Date(call.date_created ?? 0).getTime() >= since);
  return { providerId: ours?.sid };
}

export function createTwilioVoiceChannel(deps: ProviderDeps): Channel {
  return placingChannel(
    'twilio-voice',
    { provider: 'twilio', place: placeCall, placed: placedCall },
    deps
  );
}
