import { createHmac } from 'node:crypto';
import { recipientOf } from '../../schemas/execution.js';
import type { Outcome } from '../../schemas/step-attempt.js';
import { ConfigurationError, required } from '../../shared/config.js';
import { logger } from '../../shared/logger.js';
import { secrets } from '../aws-clients.js';
import type { Channel, ChannelContext } from './channel.js';

const MAX_TRIES = 3;

/**
 * How long a container signs with the value it read: after the secret's value is replaced, the
 * old one is still used for at most this long, so an agent accepts both for that window.
 */
export const SIGNING_SECRET_MAX_AGE_SECONDS = 300;

/** The HMAC key, from Secrets Manager (AGENT_WEBHOOK_SECRET_ARN), cached per container. */
async function webhookSigningSecret(): Promise<string> {
  const name = required('AGENT_WEBHOOK_SECRET_ARN');
  const value = await secrets().get(name, { maxAge: SIGNING_SECRET_MAX_AGE_SECONDS });
  if (typeof value !== 'string' || value === '') {
    throw new ConfigurationError(`Secret ${name} holds no signing key (an empty or binary value)`);
  }
  return value;
}

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, the scheme Stripe and Slack use. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookPayload(context: ChannelContext, callbackUrl: string) {
  const { execution, step, attempt } = context;
  return {
    stepExecutionId: attempt.id,
    executionId: execution.id,
    workflowId: execution.workflowId,
    step: {
      type: step.type,
      order: step.order,
      agentId: step.agentId,
      leaveVoicemail: step.leaveVoicemail,
      message: context.message ?? null,
    },
    contact: recipientOf(execution),
    variables: execution.variables,
    metadata: execution.metadata,
    callbackUrl,
  };
}

/**
 * POSTs the step to the agent endpoint (AGENT_WEBHOOK_URL), signed with the signing secret.
 * Every POST for one attempt carries the same Idempotency-Key (the step execution id), so an
 * agent that honours it places one call however many times the POST arrives.
 */
async function post(context: ChannelContext): Promise<Outcome | undefined> {
  const callbackUrl = `${required('PUBLIC_API_URL')}/api/v1/step-executions/${context.attempt.id}/outcome`;
  const body = JSON.stringify(webhookPayload(context, callbackUrl));
  const secret = await webhookSigningSecret();
  let lastError = 'not sent';
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(required('AGENT_WEBHOOK_URL'), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': context.attempt.id,
          'x-outreach-timestamp': timestamp,
          'x-outreach-signature': signWebhook(secret, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return undefined;
      lastError = `agent endpoint answered ${response.status}`;
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      lastError = `agent endpoint unreachable: ${(error as Error).message}`;
    }
    logger.warn('webhook delivery failed', {
      stepExecutionId: context.attempt.id,
      attempt,
      lastError,
    });
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
  }
  return { disposition: 'COULD_NOT_CONNECT', error: lastError };
}

export const webhookChannel: Channel = {
  name: 'webhook',
  deliver: post,
  // Whether the crashed POST arrived is unknown; the idempotency key makes sending it again safe.
  redeliver: post,
  // The agent reports the outcome to the callback URL.
  async follow() {
    return undefined;
  },
};
