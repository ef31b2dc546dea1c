import { createVerify } from 'node:crypto';
import type { SnsMessage } from '../../schemas/providers/aws-sms.js';
import {
  REPLAY_TOLERANCE_MS,
  refuse,
  VALID,
  type Verification,
  withinTolerance,
} from './signing.js';

/**
 * Amazon SNS message signatures (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
 * SHA256withRSA (`SignatureVersion` 2) over "Name\nvalue\n" lines of fixed fields in byte order,
 * checked with the certificate at `SigningCertURL`, which must be served by SNS itself. Version 1
 * (SHA1) is refused: our topics are created with `SignatureVersion` 2.
 *
 * A valid signature only proves that some SNS topic sent the message, and anyone can own one:
 * the topic must be ours too.
 */

/** `sns.<region>.amazonaws.com`, or `.com.cn` in the China partition: the shape AWS's own validators accept. */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const SUBSCRIPTION_FIELDS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
];

/** The string SNS signs: absent optional fields (a Notification's Subject) are left out. */
export function snsStringToSign(message: SnsMessage): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : SUBSCRIPTION_FIELDS;
  return fields
    .filter((field) => typeof message[field] === 'string')
    .map((field) => `${field}\n${message[field] as string}\n`)
    .join('');
}

/** Whether `url` is an SNS signing certificate: https, an SNS host, a .pem path. */
export function isSnsCertificateUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    SNS_HOST.test(parsed.hostname) &&
    parsed.pathname.endsWith('.pem')
  );
}

/**
 * Whether `url` is SNS in the region of `topicArn` (https, default port): the only place a
 * SubscriptionConfirmation's SubscribeURL may lead, so a forged one cannot make us fetch anything.
 */
export function isSnsUrlForTopic(url: string, topicArn: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  const region = topicArn.split(':')[3] ?? '';
  const host = parsed.hostname.replace(/\.cn$/, '');
  return (
    parsed.protocol === 'https:' &&
    parsed.port === '' &&
    SNS_HOST.test(parsed.hostname) &&
    host === `sns.${region}.amazonaws.com`
  );
}

/** Fetches (and caches) the PEM certificate at an SNS URL: the one impure step, injected. */
export type FetchCertificate = (url: string) => Promise<string>;

export async function verifySnsMessage(input: {
  message: SnsMessage;
  /** The topic this endpoint subscribes to. */
  topicArn: string;
  fetchCertificate: FetchCertificate;
  now: Date;
  /** SNS retries keep the publish time; widen this only with a longer delivery policy. */
  toleranceMs?: number;
}): Promise<Verification> {
  const { message } = input;
  if (message.TopicArn !== input.topicArn) return refuse('wrong-topic');
  if (message.SignatureVersion !== '2') return refuse('malformed');
  if (!isSnsCertificateUrl(message.SigningCertURL)) return refuse('untrusted-certificate');
  const tolerance = input.toleranceMs ?? REPLAY_TOLERANCE_MS;
  if (!withinTolerance(Date.parse(message.Timestamp), input.now, tolerance))
    return refuse('expired');
  const certificate = await input.fetchCertificate(message.SigningCertURL);
  try {
    const verifier = createVerify('RSA-SHA256').update(snsStringToSign(message), 'utf8');
    return verifier.verify(certificate, message.Signature, 'base64') ? VALID : refuse('mismatch');
  } catch {
    // Not a certificate or key node can read.
    return refuse('untrusted-certificate');
  }
}
