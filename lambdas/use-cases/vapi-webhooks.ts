import { correlationOf } from '../domain/providers/outcome.js';
import { headerOf } from '../domain/providers/signing.js';
import { normaliseVapiMessage } from '../domain/providers/vapi-outcome.js';
import { type VapiCredential, verifyVapiRequest } from '../domain/providers/vapi-signature.js';
import { vapiServerMessageSchema } from '../schemas/providers/vapi.js';
import { parseWith } from '../shared/validate.js';
import {
  credentialsOf,
  type ProviderRequest,
  parseJson,
  refusal,
  settleEvent,
  type WebhookEffect,
} from './provider-webhooks.js';

/**
 * Vapi's server messages for an agent's calls. The agent's `serverSecret` is the credential its
 * assistant's server uses (https://docs.vapi.ai/server-url/server-authentication): an HMAC
 * credential with Vapi's default plan (`x-signature` over `{timestamp}.{body}`, SHA-256, hex)
 * when the request carries `x-signature`, else a Bearer token (`Authorization`) or the legacy
 * `X-Vapi-Secret`. Every form needs the secret; only HMAC also stops a replay, and the
 * dedupe record stops a replayed terminal message in the other forms.
 */
function credentialFor(request: ProviderRequest, secret: string): VapiCredential {
  if (headerOf(request.headers, 'x-signature') !== undefined) return { kind: 'hmac', secret };
  if (headerOf(request.headers, 'x-vapi-secret') !== undefined)
    return { kind: 'secret', token: secret, header: 'x-vapi-secret' };
  return { kind: 'secret', token: secret };
}

/** A Vapi server message: `end-of-call-report` settles the attempt, others are progress. */
export async function receiveVapiMessage(request: ProviderRequest): Promise<WebhookEffect> {
  const { serverSecret } = await credentialsOf(request, 'vapi');
  if (!serverSecret) throw refusal('vapi', 'agent has no server secret');
  const verification = verifyVapiRequest({
    credential: credentialFor(request, serverSecret),
    request: {
      rawBody: request.rawBody,
      headers: request.headers,
      method: 'POST',
      url: request.url,
    },
    now: request.now,
  });
  if (!verification.valid) throw refusal('vapi', verification.reason);
  const body = parseWith(vapiServerMessageSchema, parseJson(request.rawBody), 'request body');
  const { call, type } = body.message;
  const key = { provider: 'vapi', providerId: call.id, eventType: type };
  const stepAttemptId =
    correlationOf(call.assistantOverrides?.metadata) ?? call.customer?.externalId ?? undefined;
  return settleEvent(request, key, stepAttemptId, (step) => normaliseVapiMessage(body, step));
}
