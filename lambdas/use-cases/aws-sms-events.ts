import { getAgent } from '../adapters/agent-repository.js';
import { confirmSnsSubscription, snsCertificate } from '../adapters/sns-endpoint.js';
import { normaliseAwsSmsEvent } from '../domain/providers/aws-sms-outcome.js';
import { awsConsentChange } from '../domain/providers/opt-out.js';
import { CORRELATION_KEY } from '../domain/providers/outcome.js';
import {
  type FetchCertificate,
  isSnsUrlForTopic,
  verifySnsMessage,
} from '../domain/providers/sns-signature.js';
import { awsSmsSettingsSchema } from '../schemas/agent-providers.js';
import {
  awsInboundSmsSchema,
  awsSmsEventSchema,
  type SnsMessage,
  snsMessageSchema,
} from '../schemas/providers/aws-sms.js';
import { logger } from '../shared/logger.js';
import { parseWith } from '../shared/validate.js';
import {
  type ProviderRequest,
  parseJson,
  refusal,
  settleEvent,
  type WebhookEffect,
} from './provider-webhooks.js';
import { suppressNumber } from './suppressions.js';

/**
 * AWS End User Messaging SMS events, through the SNS topic the agent names: its configuration
 * set's event destination (delivery events) and its number's two-way channel (inbound texts)
 * both publish there, and SNS posts each message to this route. Nothing is read before the SNS
 * signature and the topic are checked.
 */

/** What SNS itself provides, injected so a test can bring its own certificate and SubscribeURL. */
export interface SnsAccess {
  fetchCertificate: FetchCertificate;
  confirmSubscription(subscribeUrl: string): Promise<void>;
}

const realSns: SnsAccess = {
  fetchCertificate: snsCertificate,
  confirmSubscription: confirmSnsSubscription,
};

/** The agent's topic, or the same 401 for an unknown agent and one without a topic. */
async function topicOf(request: ProviderRequest): Promise<string> {
  const agent = await getAgent(request.organizationId, request.agentId).catch(() => undefined);
  const settings =
    agent?.provider === 'aws-sms' ? awsSmsSettingsSchema.safeParse(agent.settings) : undefined;
  const topicArn = settings?.success ? settings.data.eventTopicArn : undefined;
  if (!topicArn) throw refusal('aws-sms', 'unknown agent or no event topic');
  return topicArn;
}

/**
 * SNS asks before it delivers: confirm, but only for the agent's topic (checked with the
 * signature) and only by a SubscribeURL on SNS in that topic's region.
 */
async function confirm(message: SnsMessage, topicArn: string, sns: SnsAccess) {
  const url = message.SubscribeURL ?? '';
  if (!isSnsUrlForTopic(url, topicArn)) throw refusal('aws-sms', 'untrusted SubscribeURL');
  await sns.confirmSubscription(url);
  logger.info('SNS subscription confirmed', { topicArn });
  return 'subscribed' as const;
}

/** A delivery event: the final one (`isFinal`) settles the attempt. */
function settleDelivery(request: ProviderRequest, payload: unknown): Promise<WebhookEffect> {
  const event = parseWith(awsSmsEventSchema, payload, 'Message');
  const key = { provider: 'aws-sms', providerId: event.messageId, eventType: event.eventType };
  const stepAttemptId = event.context?.[CORRELATION_KEY];
  return settleEvent(request, key, stepAttemptId, (step) => normaliseAwsSmsEvent(event, step));
}

/** An inbound two-way text: an opt-out keyword suppresses the sender and cancels its runs. */
async function receiveInbound(request: ProviderRequest, payload: unknown): Promise<WebhookEffect> {
  const message = parseWith(awsInboundSmsSchema, payload, 'Message');
  const change = awsConsentChange(message);
  if (change?.intent !== 'optOut') return 'ignored';
  const reason = `inbound opt-out text to AWS SMS agent ${request.agentId}`;
  await suppressNumber(request.organizationId, change.phone, reason, request.now);
  return 'suppressed';
}

export async function receiveAwsSmsEvent(
  request: ProviderRequest,
  sns: SnsAccess = realSns
): Promise<WebhookEffect> {
  const topicArn = await topicOf(request);
  const message = parseWith(snsMessageSchema, parseJson(request.rawBody), 'request body');
  const verification = await verifySnsMessage({
    message,
    topicArn,
    fetchCertificate: sns.fetchCertificate,
    now: request.now,
  });
  if (!verification.valid) throw refusal('aws-sms', verification.reason);
  if (message.Type === 'SubscriptionConfirmation') return confirm(message, topicArn, sns);
  if (message.Type === 'UnsubscribeConfirmation') return 'ignored';
  const payload = parseJson(message.Message);
  const isInbound =
    typeof payload === 'object' && payload !== null && 'originationNumber' in payload;
  return isInbound ? receiveInbound(request, payload) : settleDelivery(request, payload);
}
