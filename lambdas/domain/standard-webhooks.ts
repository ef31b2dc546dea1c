import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Outbound webhook signing per the Standard Webhooks specification
 * (https://www.standardwebhooks.com/): the signed content is `<webhook-id>.<webhook-timestamp>.<body>`,
 * HMAC-SHA256 keyed by the secret's base64-decoded bytes (the secret is written `whsec_<base64>`),
 * sent as `webhook-signature: v1,<base64>`. The timestamp is in unix seconds, and a receiver
 * should refuse one more than 5 minutes off its own clock, either way, against replays.
 */

const SECRET_PREFIX = 'whsec_';
/** The specification allows 24 to 64 bytes of key; we generate 32. */
export const WEBHOOK_SECRET_BYTES = 32;
/** What the specification's reference libraries accept around the receiver's clock. */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

export interface StandardWebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export interface SignedMessage {
  id: string;
  /** When it is sent: each retry signs again with its own timestamp. */
  timestamp: Date;
  body: string;
}

/** A new secret from random bytes the caller drew (the domain draws no randomness itself). */
export function webhookSecretOf(bytes: Uint8Array): string {
  return `${SECRET_PREFIX}${Buffer.from(bytes).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

function signature(secret: string, id: string, seconds: string, body: string): string {
  return createHmac('sha256', keyOf(secret)).update(`${id}.${seconds}.${body}`).digest('base64');
}

/** The three headers that carry a message's id, time and signature. */
export function signStandardWebhook(
  secret: string,
  message: SignedMessage
): StandardWebhookHeaders {
  const seconds = String(Math.floor(message.timestamp.getTime() / 1000));
  return {
    'webhook-id': message.id,
    'webhook-timestamp': seconds,
    'webhook-signature': `v1,${signature(secret, message.id, seconds, message.body)}`,
  };
}

/**
 * What a receiver does: true when one of the `v1` signatures (space-separated, so a sender can
 * rotate keys) matches and the timestamp is within the tolerance of `now`. Constant-time compare.
 */
export function verifyStandardWebhook(
  secret: string,
  headers: StandardWebhookHeaders,
  body: string,
  now: Date
): boolean {
  const seconds = Number(headers['webhook-timestamp']);
  if (!Number.isInteger(seconds)) return false;
  if (Math.abs(now.getTime() / 1000 - seconds) > WEBHOOK_TOLERANCE_SECONDS) return false;
  const expected = Buffer.from(
    signature(secret, headers['webhook-id'], headers['webhook-timestamp'], body)
  );
  return headers['webhook-signature'].split(' ').some((entry) => {
    const [version, value] = entry.split(',');
    const candidate = Buffer.from(value ?? '');
    return (
      version === 'v1' &&
      candidate.length === expected.length &&
      timingSafeEqual(candidate, expected)
    );
  });
}
