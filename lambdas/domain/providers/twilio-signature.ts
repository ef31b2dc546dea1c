import { createHash } from 'node:crypto';
import {
  type Headers,
  headerOf,
  hmac,
  type RawBody,
  refuse,
  safeEqual,
  VALID,
  type Verification,
} from './signing.js';

/**
 * `X-Twilio-Signature` (https://www.twilio.com/docs/usage/security;
 * https://github.com/twilio/twilio-node/blob/main/src/webhooks/webhooks.ts): base64 HMAC-SHA1,
 * keyed by the account's Auth Token, of the full URL Twilio requested (query string included,
 * so our correlation parameter is covered) followed by every POST parameter sorted by name, each
 * as name + value with no separator. Twilio signs no timestamp: replays are stopped by
 * deduplication on the call or message id and status.
 */
export const TWILIO_SIGNATURE_HEADER = 'x-twilio-signature';

/** Form parameters as signed: the decoded values, a repeated name with all its values. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/** The form body, decoded as Twilio signed it. */
export function parseTwilioForm(rawBody: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(rawBody)) {
    const earlier = params[name];
    if (earlier === undefined) params[name] = value;
    else params[name] = [...(Array.isArray(earlier) ? earlier : [earlier]), value];
  }
  return params;
}

function signedParams(params: TwilioParams): string {
  return Object.keys(params)
    .sort()
    .map((name) => {
      const value = params[name] ?? '';
      // Repeated values are deduplicated and sorted, as Twilio's helper libraries do.
      const values = typeof value === 'string' ? [value] : [...new Set(value)].sort();
      return values.map((item) => name + item).join('');
    })
    .join('');
}

/** The signature Twilio sends for exactly `url` and `params`: for the local fake provider and tests. */
export function signTwilioRequest(authToken: string, url: string, params: TwilioParams): string {
  return hmac('sha1', authToken, url + signedParams(params)).toString('base64');
}

/**
 * The URL as Twilio may have signed it, with and without the scheme's default port: Twilio's
 * own libraries accept either, since "signature generation on the back end is inconsistent".
 */
function urlVariants(url: string): string[] {
  const parsed = new URL(url);
  parsed.port = '';
  const bare = parsed.toString();
  // URL drops a default port when it serialises, so that variant is assembled by hand.
  const credentials = parsed.username + (parsed.password ? `:${parsed.password}` : '');
  const defaultPort = parsed.protocol === 'https:' ? '443' : '80';
  const authority = `${credentials ? `${credentials}@` : ''}${parsed.host}:${defaultPort}`;
  const withDefaultPort = `${parsed.protocol}//${authority}${parsed.pathname}${parsed.search}${parsed.hash}`;
  return [...new Set([url, bare, withDefaultPort])];
}

function signatureMatches(
  header: string,
  authToken: string,
  url: string,
  params: TwilioParams
): boolean {
  return urlVariants(url).some((variant) =>
    safeEqual(header, signTwilioRequest(authToken, variant, params))
  );
}

/**
 * Verifies a form-encoded webhook. `url` is the public URL Twilio called, exactly: behind API
 * Gateway rebuild it from the custom domain or stage, path and raw query string.
 */
export function verifyTwilioRequest(input: {
  authToken: string;
  headers: Headers;
  url: string;
  params: TwilioParams;
}): Verification {
  const header = headerOf(input.headers, TWILIO_SIGNATURE_HEADER);
  if (header === undefined) return refuse('missing');
  if (!URL.canParse(input.url)) return refuse('malformed');
  return signatureMatches(header, input.authToken, input.url, input.params)
    ? VALID
    : refuse('mismatch');
}

/**
 * Verifies a JSON-body webhook: the URL carries `bodySHA256` (hex SHA-256 of the raw body) and
 * is signed with no parameters.
 */
export function verifyTwilioJsonRequest(input: {
  authToken: string;
  headers: Headers;
  url: string;
  rawBody: RawBody;
}): Verification {
  const header = headerOf(input.headers, TWILIO_SIGNATURE_HEADER);
  if (header === undefined) return refuse('missing');
  if (!URL.canParse(input.url)) return refuse('malformed');
  const bodyHash = new URL(input.url).searchParams.get('bodySHA256');
  if (bodyHash === null) return refuse('malformed');
  if (!signatureMatches(header, input.authToken, input.url, {})) return refuse('mismatch');
  const actual = createHash('sha256').update(input.rawBody).digest('hex');
  return safeEqual(bodyHash, actual) ? VALID : refuse('mismatch');
}
