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
 * Vapi signs nothing by default; the assistant's `server.credentialId` attaches a credential
 * (https://docs.vapi.ai/server-url/server-authentication). Two kinds are verifiable here:
 * a shared secret in a header (Bearer token credential, or the legacy `X-Vapi-Secret`), and an
 * HMAC credential (`HMACAuthenticationPlan`). Prefer HMAC: only it covers the body and a
 * timestamp, so only it stops a replay.
 */
export type VapiCredential =
  | {
      kind: 'secret';
      token: string;
      /** `authorization` (value `Bearer <token>`) by default; `x-vapi-secret` for the legacy form. */
      header?: string;
    }
  | {
      kind: 'hmac';
      secret: string;
      algorithm?: 'sha256' | 'sha512' | 'sha1';
      signatureHeader?: string;
      timestampHeader?: string;
      /** Placeholders `{body}`, `{timestamp}`, `{method}`, `{url}`; Vapi's default `{timestamp}.{body}`. */
      payloadFormat?: string;
      /** e.g. `sha256=`, stripped before comparing. */
      signaturePrefix?: string;
      signatureEncoding?: 'hex' | 'base64';
      secretIsBase64?: boolean;
    };

type HmacCredential = Extract<VapiCredential, { kind: 'hmac' }>;

export const VAPI_DEFAULT_PAYLOAD_FORMAT = '{timestamp}.{body}';

/** Whether a timestamp is in milliseconds: Vapi does not document the unit, so both are read. */
const MILLISECONDS_FROM = 1e12;

function timestampMs(value: string): number {
  if (!/^\d{1,16}$/.test(value)) return Number.NaN;
  const number = Number(value);
  return number >= MILLISECONDS_FROM ? number : number * 1000;
}

export interface VapiRequest {
  rawBody: RawBody;
  headers: Headers;
  method?: string;
  url?: string;
}

/** The signed payload, with the placeholders filled in (the body placed as raw bytes). */
function payloadParts(format: string, request: VapiRequest, timestamp: string): RawBody[] {
  return format.split(/(\{body\})/).map((part) => {
    if (part === '{body}') return request.rawBody;
    return part
      .replaceAll('{timestamp}', timestamp)
      .replaceAll('{method}', request.method ?? '')
      .replaceAll('{url}', request.url ?? '');
  });
}

/** The signature header Vapi would send: for the local fake provider and tests. */
export function signVapiRequest(
  credential: HmacCredential,
  request: VapiRequest,
  timestamp: string
): string {
  const format = credential.payloadFormat ?? VAPI_DEFAULT_PAYLOAD_FORMAT;
  const key = credential.secretIsBase64
    ? Buffer.from(credential.secret, 'base64')
    : credential.secret;
  const mac = hmac(
    credential.algorithm ?? 'sha256',
    key,
    ...payloadParts(format, request, timestamp)
  );
  return (credential.signaturePrefix ?? '') + mac.toString(credential.signatureEncoding ?? 'hex');
}

function verifySecret(
  credential: Extract<VapiCredential, { kind: 'secret' }>,
  headers: Headers
): Verification {
  const header = credential.header ?? 'authorization';
  const received = headerOf(headers, header);
  if (received === undefined) return refuse('missing');
  const expected =
    header.toLowerCase() === 'authorization' ? `Bearer ${credential.token}` : credential.token;
  return safeEqual(received, expected) ? VALID : refuse('mismatch');
}

function verifyHmac(credential: HmacCredential, request: VapiRequest, now: Date): Verification {
  const signed = headerOf(request.headers, credential.signatureHeader ?? 'x-signature');
  if (signed === undefined) return refuse('missing');
  const format = credential.payloadFormat ?? VAPI_DEFAULT_PAYLOAD_FORMAT;
  const timestamp = headerOf(request.headers, credential.timestampHeader ?? 'x-timestamp') ?? '';
  if (format.includes('{timestamp}')) {
    if (timestamp === '') return refuse('missing');
    if (!withinTolerance(timestampMs(timestamp), now, REPLAY_TOLERANCE_MS))
      return refuse('expired');
  }
  const expected = signVapiRequest(credential, request, timestamp);
  return safeEqual(signed, expected) ? VALID : refuse('mismatch');
}

/** Verifies a Vapi server message against the credential its assistant's server uses. */
export function verifyVapiRequest(input: {
  credential: VapiCredential;
  request: VapiRequest;
  now: Date;
}): Verification {
  if (input.credential.kind === 'secret')
    return verifySecret(input.credential, input.request.headers);
  return verifyHmac(input.credential, input.request, input.now);
}
