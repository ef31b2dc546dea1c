import {
  type Headers,
  headerOf,
  hmac,
  type RawBody,
  REPLAY_TOLERANCE_MS,
  refuse,
  safeEqual,
  VALID,
  type Verification,
  withinTolerance,
} from './signing.js';

/**
 * Standard Webhooks (https://github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md):
 * `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, several
 * space-separated during a key rotation; the key is the base64 after `whsec_`; the timestamp is
 * in seconds. Svix-compatible, so receivers can verify with any of its libraries.
 */
export const STANDARD_WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const SECRET_PREFIX = 'whsec_';

/** A fresh secret from random bytes (the spec allows 24 to 64). */
export function standardWebhookSecret(randomBytes: Uint8Array): string {
  if (randomBytes.length < 24 || randomBytes.length > 64)
    throw new RangeError('a Standard Webhooks secret has 24 to 64 bytes');
  return `${SECRET_PREFIX}${Buffer.from(randomBytes).toString('base64')}`;
}

function keyOf(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

function signature(secret: string, id: string, timestamp: string, rawBody: RawBody): string {
  return hmac('sha256', keyOf(secret), `${id}.${timestamp}.`, rawBody).toString('base64');
}

/** The three headers for one delivery. A retry keeps `id` and signs again at its own `now`. */
export function signStandardWebhook(input: {
  secret: string;
  id: string;
  rawBody: RawBody;
  now: Date;
}): Record<(typeof STANDARD_WEBHOOK_HEADERS)[keyof typeof STANDARD_WEBHOOK_HEADERS], string> {
  const timestamp = String(Math.floor(input.now.getTime() / 1000));
  return {
    'webhook-id': input.id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${signature(input.secret, input.id, timestamp, input.rawBody)}`,
  };
}

/** Valid when any `v1` signature matches (a sender rotating keys signs with both). */
export function verifyStandardWebhook(input: {
  secret: string;
  headers: Headers;
  rawBody: RawBody;
  now: Date;
}): Verification {
  const id = headerOf(input.headers, STANDARD_WEBHOOK_HEADERS.id);
  const timestamp = headerOf(input.headers, STANDARD_WEBHOOK_HEADERS.timestamp);
  const signatures = headerOf(input.headers, STANDARD_WEBHOOK_HEADERS.signature);
  if (!id || !timestamp || !signatures) return refuse('missing');
  if (!/^\d{1,12}$/.test(timestamp)) return refuse('malformed');
  if (!withinTolerance(Number(timestamp) * 1000, input.now, REPLAY_TOLERANCE_MS))
    return refuse('expired');
  const expected = signature(input.secret, id, timestamp, input.rawBody);
  const matches = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .some(
      ([version, value]) => version === 'v1' && value !== undefined && safeEqual(value, expected)
    );
  return matches ? VALID : refuse('mismatch');
}
