import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  isSnsCertificateUrl,
  snsStringToSign,
  verifySnsMessage,
} from '../../../../lambdas/domain/providers/sns-signature.js';
import { snsMessageSchema } from '../../../../lambdas/schemas/providers/aws-sms.js';
import {
  SIGNED_SNS_NOTIFICATION,
  TEST_SNS_CERTIFICATE,
} from '../../../helpers/sns-known-answer.js';

const topicArn = 'arn:aws:sns:us-west-2:123456789012:MyTopic';
const publishedAt = new Date('2012-05-02T00:54:06.655Z');
const fetched: string[] = [];
const fetchCertificate = async (url: string) => {
  fetched.push(url);
  return TEST_SNS_CERTIFICATE;
};

const verify = (message: unknown, now = publishedAt, fetch = fetchCertificate) =>
  verifySnsMessage({
    message: snsMessageSchema.parse(message),
    topicArn,
    fetchCertificate: fetch,
    now,
  });

describe('snsStringToSign (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html)', () => {
  it('lists a Notification’s fields in byte order, each as "Name\\nvalue\\n", Subject only when present', () => {
    const message = snsMessageSchema.parse(SIGNED_SNS_NOTIFICATION);
    expect(snsStringToSign(message)).toBe(
      'Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\n' +
        'Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n'
    );
    const { Subject: _, ...noSubject } = SIGNED_SNS_NOTIFICATION;
    expect(snsStringToSign(snsMessageSchema.parse(noSubject))).not.toContain('Subject');
  });

  it('signs SubscribeURL and Token on a subscription confirmation', () => {
    const confirmation = snsMessageSchema.parse({
      ...SIGNED_SNS_NOTIFICATION,
      Type: 'SubscriptionConfirmation',
      Subject: undefined,
      Token: 'token-1',
      SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=token-1',
    });
    expect(
      snsStringToSign(confirmation)
        .split('\n')
        .filter((_, i) => i % 2 === 0)
    ).toEqual([
      'Message',
      'MessageId',
      'SubscribeURL',
      'Timestamp',
      'Token',
      'TopicArn',
      'Type',
      '',
    ]);
  });
});

describe('verifySnsMessage', () => {
  it('accepts the pinned SHA256withRSA message with its certificate, fetched from SigningCertURL', async () => {
    fetched.length = 0;
    expect(await verify(SIGNED_SNS_NOTIFICATION)).toEqual({ valid: true });
    expect(fetched).toEqual([SIGNED_SNS_NOTIFICATION.SigningCertURL]);
  });

  it('refuses a changed message, and a signature by another key', async () => {
    expect(await verify({ ...SIGNED_SNS_NOTIFICATION, Message: 'Hello world?' })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = { ...SIGNED_SNS_NOTIFICATION };
    forged.Signature = createSign('RSA-SHA256')
      .update(snsStringToSign(snsMessageSchema.parse(forged)))
      .sign(privateKey, 'base64');
    expect(await verify(forged)).toEqual({ valid: false, reason: 'mismatch' });
    // The same signature verifies with its own key: the refusal is about the key, not the format.
    const ownKey = async () => publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(await verify(forged, publishedAt, ownKey)).toEqual({ valid: true });
  });

  it('refuses another topic before fetching anything: any AWS account can sign with SNS', async () => {
    fetched.length = 0;
    const other = {
      ...SIGNED_SNS_NOTIFICATION,
      TopicArn: 'arn:aws:sns:us-west-2:999999999999:MyTopic',
    };
    expect(await verify(other)).toEqual({ valid: false, reason: 'wrong-topic' });
    expect(fetched).toEqual([]);
  });

  it('refuses SignatureVersion 1 (SHA1)', async () => {
    expect(await verify({ ...SIGNED_SNS_NOTIFICATION, SignatureVersion: '1' })).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });

  it('refuses a certificate URL outside SNS, without fetching it', async () => {
    fetched.length = 0;
    const elsewhere = {
      ...SIGNED_SNS_NOTIFICATION,
      SigningCertURL: 'https://attacker.example/cert.pem',
    };
    expect(await verify(elsewhere)).toEqual({ valid: false, reason: 'untrusted-certificate' });
    expect(fetched).toEqual([]);
  });

  it('refuses a message published more than 5 minutes away (a replay)', async () => {
    const later = new Date(publishedAt.getTime() + 300_001);
    expect(await verify(SIGNED_SNS_NOTIFICATION, later)).toEqual({
      valid: false,
      reason: 'expired',
    });
    const widened = await verifySnsMessage({
      message: snsMessageSchema.parse(SIGNED_SNS_NOTIFICATION),
      topicArn,
      fetchCertificate,
      now: later,
      toleranceMs: 3_600_000,
    });
    expect(widened).toEqual({ valid: true });
  });

  it('refuses what the fetch returns when it is no certificate', async () => {
    expect(await verify(SIGNED_SNS_NOTIFICATION, publishedAt, async () => 'not a pem')).toEqual({
      valid: false,
      reason: 'untrusted-certificate',
    });
  });
});

describe('isSnsCertificateUrl', () => {
  it.each([
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
    ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem', true],
    ['http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', false],
    ['https://sns.us-east-1.amazonaws.com.attacker.example/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem', false],
    ['https://s3.amazonaws.com/bucket/SimpleNotificationService-abc.pem', false],
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.txt', false],
    ['not a url', false],
  ])('%s → %s', (url, trusted) => {
    expect(isSnsCertificateUrl(url)).toBe(trusted);
  });
});
