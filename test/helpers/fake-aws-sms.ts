import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { snsStringToSign } from '../../lambdas/domain/providers/sns-signature.js';
import type { SnsMessage } from '../../lambdas/schemas/providers/aws-sms.js';
import { type FakeServer, sendJson, startFakeServer } from './fake-http.js';

/**
 * A loopback stand-in for both AWS services an AWS SMS agent touches, on one port:
 * - End User Messaging SMS (pinpoint-sms-voice-v2, JSON 1.0: `POST /` with
 *   `X-Amz-Target: PinpointSMSVoiceV2.SendTextMessage`), answering a MessageId; the SDK's own
 *   client talks to it through AWS_SMS_ENDPOINT.
 * - SNS's side of an HTTPS subscription (through SNS_ENDPOINT): the signing certificate at its
 *   `.pem` path, `?Action=ConfirmSubscription`, and messages signed with SignatureVersion 2 by
 *   a key made for this run. It serves that key's public half where SNS serves its certificate:
 *   verification reads only the public key, and no certificate can be made without openssl.
 */

export interface FakeSmsMessage {
  MessageId: string;
  DestinationPhoneNumber: string;
  OriginationIdentity?: string;
  ConfigurationSetName?: string;
  MessageBody?: string;
  Context?: Record<string, string>;
}

export interface FakeAwsSms extends FakeServer {
  messages: FakeSmsMessage[];
  /** SubscribeURLs visited, path and query. */
  confirmations: string[];
  /** POSTs an SNS message of `Type` for `topicArn` to `url`, signed (or signed by another key when `forged`). */
  publish(url: string, input: SnsInput): Promise<{ status: number; body: SnsMessage }>;
}

const newKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

export interface SnsInput {
  topicArn: string;
  type?: SnsMessage['Type'];
  message: unknown;
  /** Signed by another key than the one whose certificate is served. */
  forged?: boolean;
  /** Where the SubscribeURL of a SubscriptionConfirmation points; SNS in the region by default. */
  subscribeHost?: string;
}

/** Signs SNS messages (SignatureVersion 2) as SNS in `region` would, with a key made for this run. */
export function snsSigner(region = 'us-east-1') {
  const key = newKey();
  const certificate = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const snsHost = `https://sns.${region}.amazonaws.com`;
  function sign(input: SnsInput): SnsMessage {
    const type = input.type ?? 'Notification';
    const token = randomUUID();
    const unsigned = {
      Type: type,
      MessageId: randomUUID(),
      TopicArn: input.topicArn,
      Message: typeof input.message === 'string' ? input.message : JSON.stringify(input.message),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      SigningCertURL: `${snsHost}/SimpleNotificationService-local.pem`,
      ...(type === 'SubscriptionConfirmation' && {
        Token: token,
        SubscribeURL: `${input.subscribeHost ?? snsHost}/?Action=ConfirmSubscription&TopicArn=${input.topicArn}&Token=${token}`,
      }),
    };
    const signer = createSign('RSA-SHA256').update(
      snsStringToSign({ ...unsigned, Signature: '-' } as SnsMessage)
    );
    const Signature = signer.sign(input.forged ? newKey().privateKey : key.privateKey, 'base64');
    return { ...unsigned, Signature } as SnsMessage;
  }
  return { certificate, sign };
}

export async function startFakeAwsSms(region = 'us-east-1'): Promise<FakeAwsSms> {
  const messages: FakeSmsMessage[] = [];
  const confirmations: string[] = [];
  const signer = snsSigner(region);
  const server = await startFakeServer(({ method, url, headers, body }, response) => {
    if (method === 'GET' && url.pathname.endsWith('.pem')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end(signer.certificate);
      return;
    }
    if (method === 'GET' && url.searchParams.get('Action') === 'ConfirmSubscription') {
      confirmations.push(`${url.pathname}${url.search}`);
      return sendJson(response, 200, {});
    }
    if (method === 'POST' && headers['x-amz-target'] === 'PinpointSMSVoiceV2.SendTextMessage') {
      const message: FakeSmsMessage = { MessageId: randomUUID(), ...JSON.parse(body) };
      messages.push(message);
      return sendJson(response, 200, { MessageId: message.MessageId });
    }
    sendJson(response, 400, { __type: 'UnknownOperationException' });
  });
  return {
    ...server,
    messages,
    confirmations,
    async publish(url, input) {
      const signed = signer.sign(input);
      const answer = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': signed.Type,
        },
        body: JSON.stringify(signed),
      });
      return { status: answer.status, body: signed };
    },
  };
}
