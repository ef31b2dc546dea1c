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
 * Retell's `x-retell-signature: v=<unix ms>,d=<hex HMAC-SHA256(api key, raw body + ms)>`: the
 * timestamp is appended to the body with no separator. The key is the workspace API key marked
 * for webhooks. https://docs.retellai.com/features/secure-webhook and
 * https://github.com/RetellAI/retell-typescript-sdk/blob/main/src/lib/webhook_auth.ts.
 */
export const RETELL_SIGNATURE_HEADER = 'x-retell-signature';

const SIGNATURE_FORMAT = /^v=(\d{1,16}),d=([0-9a-f]{64})$/;

function digest(rawBody: RawBody, apiKey: string, timestampMs: string): string {
  return hmac('sha256', apiKey, rawBody, timestampMs).toString('hex');
}

/** The header value Retell would send at `now`: for the local fake provider and tests. */
export function signRetellWebhook(rawBody: RawBody, apiKey: string, now: Date): string {
  const timestampMs = String(now.getTime());
  return `v=${timestampMs},d=${digest(rawBody, apiKey, timestampMs)}`;
}

export function verifyRetellWebhook(input: {
  rawBody: RawBody;
  headers: Headers;
  apiKey: string;
  now: Date;
}): Verification {
  const header = headerOf(input.headers, RETELL_SIGNATURE_HEADER);
  if (header === undefined) return refuse('missing');
  const match = SIGNATURE_FORMAT.exec(header);
  if (!match) return refuse('malformed');
  const [, timestampMs = '', received = ''] = match;
  if (!withinTolerance(Number(timestampMs), input.now, REPLAY_TOLERANCE_MS))
    return refuse('expired');
  const expected = digest(input.rawBody, input.apiKey, timestampMs);
  return safeEqual(received, expected) ? VALID : refuse('mismatch');
}
