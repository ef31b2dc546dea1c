import { SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { awsSmsSettingsSchema } from '../../schemas/agent-providers.js';
import { CORRELATION_KEY } from '../../schemas/providers/correlation.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import { smsVoice } from '../aws-clients.js';
import type { Channel, ChannelContext } from './channel.js';
import { type ProviderDeps, retryProvider, type TryResult } from './provider-http.js';

/**
 * AWS End User Messaging SMS sends the text (SendTextMessage,
 * https://docs.aws.amazon.com/pinpoint/latest/apireference_smsvoicev2/API_SendTextMessage.html)
 * from the agent's origination identity (a pool, a number or a sender id) with its
 * configuration set, whose event destination (an SNS topic) reports delivery to the provider
 * webhook routes. Our step attempt id rides in `Context`, which AWS copies into every event of
 * the message (at most 5 keys, values up to 800 characters); the `MessageId` is kept on the
 * attempt. The function's IAM role signs: AWS SMS agents have no credentials of their own.
 */

/** Time to live, seconds: past it AWS gives up (TEXT_TTL_EXPIRED). A day, not AWS's 72 hours. */
const TIME_TO_LIVE_SECONDS = 86_400;

/** The SendTextMessage input for this attempt. */
export function awsSmsRequest(context: ChannelContext, settings: Record<string, unknown>) {
  const { originationIdentity, configurationSetName } = awsSmsSettingsSchema.parse(settings);
  return {
    DestinationPhoneNumber: context.execution.primaryPhone,
    OriginationIdentity: originationIdentity,
    MessageBody: context.message ?? '',
    MessageType: 'TRANSACTIONAL' as const,
    TimeToLive: TIME_TO_LIVE_SECONDS,
    Context: { [CORRELATION_KEY]: context.attempt.id },
    ...(configurationSetName && { ConfigurationSetName: configurationSetName }),
  };
}

/** An SDK error as the retry policy reads it: a thrown value that is no AWS answer is a network failure. */
function failureOf(error: unknown): TryResult {
  if (!(error instanceof Error) || !('$metadata' in error)) return { failure: { kind: 'network' } };
  const fields = error as Error & { Reason?: unknown; $metadata?: { httpStatusCode?: number } };
  return {
    failure: {
      kind: 'aws',
      name: error.name,
      ...(typeof fields.Reason === 'string' && { reason: fields.Reason }),
      ...(fields.$metadata?.httpStatusCode && { httpStatus: fields.$metadata.httpStatusCode }),
    },
  };
}

async function sendText(context: ChannelContext, deps: ProviderDeps): Promise<Outcome | undefined> {
  const { agent } = await deps.loadAgent(context, 'aws-sms');
  const command = new SendTextMessageCommand(awsSmsRequest(context, agent.settings));
  const answer = await retryProvider(
    'aws-sms',
    () =>
      smsVoice()
        .send(command)
        .then((body) => ({ body }), failureOf),
    deps
  );
  if (!answer.ok) return answer.outcome;
  const messageId = (answer.body as { MessageId?: string }).MessageId;
  if (!messageId) throw new Error('SendTextMessage answered no MessageId');
  await deps.recordProviderId(context, messageId);
  return undefined;
}

/**
 * After a crash between the claim and the recorded handoff. With the MessageId kept, the text
 * went out and its events will settle the attempt. Without it nobody can tell: AWS lists no
 * sent messages and takes no idempotency key, so sending again could text the person twice.
 * The attempt settles COULD_NOT_CONNECT instead; if the text did go out, its delivery event
 * later finds the outcome already recorded and changes nothing.
 */
function unknownDelivery(context: ChannelContext): Outcome | undefined {
  if (context.attempt.providerId) return undefined;
  const error = 'aws-sms: the send was interrupted and AWS cannot say whether it went out';
  return { disposition: 'COULD_NOT_CONNECT', error };
}

export function createAwsSmsChannel(deps: ProviderDeps): Channel {
  return {
    name: 'aws-sms',
    deliver: (context) => sendText(context, deps),
    async redeliver(context) {
      return unknownDelivery(context);
    },
    async follow() {
      return undefined;
    },
  };
}
