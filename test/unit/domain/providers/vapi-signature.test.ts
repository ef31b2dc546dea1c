import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  signVapiRequest,
  type VapiCredential,
  verifyVapiRequest,
} from '../../../../lambdas/domain/providers/vapi-signature.js';

/**
 * Vapi's credentials (https://docs.vapi.ai/server-url/server-authentication; `HMACAuthenticationPlan`
 * in the Vapi OpenAPI): a Bearer token, the legacy X-Vapi-Secret, or an HMAC of
 * `{timestamp}.{body}` by default. Vapi publishes no test vector, so the expected HMACs are
 * computed here with node:crypto straight from that description.
 */
const rawBody =
  '{"message":{"type":"end-of-call-report","endedReason":"customer-busy","call":{"id":"c-1"}}}';
const now = new Date('2026-11-23T15:00:00.000Z');
const seconds = String(now.getTime() / 1000);
const hmacCredential: VapiCredential = { kind: 'hmac', secret: 'vapi-hmac-secret' };

const verify = (
  credential: VapiCredential,
  headers: Record<string, string>,
  at = now,
  body = rawBody
) => verifyVapiRequest({ credential, request: { rawBody: body, headers }, now: at });

describe('verifyVapiRequest with an HMAC credential', () => {
  const expected = createHmac('sha256', 'vapi-hmac-secret')
    .update(`${seconds}.${rawBody}`)
    .digest('hex');

  it('accepts the default plan: hex HMAC-SHA256 of "{timestamp}.{body}" in x-signature, x-timestamp', () => {
    expect(signVapiRequest(hmacCredential, { rawBody, headers: {} }, seconds)).toBe(expected);
    expect(verify(hmacCredential, { 'x-signature': expected, 'x-timestamp': seconds })).toEqual({
      valid: true,
    });
  });

  it('reads the timestamp in seconds or in milliseconds (Vapi does not document the unit)', () => {
    const ms = String(now.getTime());
    const signed = signVapiRequest(hmacCredential, { rawBody, headers: {} }, ms);
    expect(verify(hmacCredential, { 'x-signature': signed, 'x-timestamp': ms })).toEqual({
      valid: true,
    });
  });

  it('follows a configured plan: headers, algorithm, format, prefix, base64, base64 secret', () => {
    const credential: VapiCredential = {
      kind: 'hmac',
      secret: Buffer.from('raw-key-bytes').toString('base64'),
      secretIsBase64: true,
      algorithm: 'sha512',
      signatureHeader: 'x-vapi-signature',
      timestampHeader: 'x-vapi-timestamp',
      payloadFormat: '{method} {url} {timestamp}:{body}',
      signaturePrefix: 'sha512=',
      signatureEncoding: 'base64',
    };
    const url = 'https://api.example.com/prod/providers/vapi';
    const mac = createHmac('sha512', Buffer.from('raw-key-bytes'))
      .update(`POST ${url} ${seconds}:${rawBody}`)
      .digest('base64');
    const headers = { 'X-Vapi-Signature': `sha512=${mac}`, 'X-Vapi-Timestamp': seconds };
    expect(
      verifyVapiRequest({ credential, request: { rawBody, headers, method: 'POST', url }, now })
    ).toEqual({ valid: true });
    expect(
      verifyVapiRequest({ credential, request: { rawBody, headers, method: 'GET', url }, now })
    ).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('refuses a forged body and a wrong secret', () => {
    const headers = { 'x-signature': expected, 'x-timestamp': seconds };
    expect(verify(hmacCredential, headers, now, rawBody.replace('busy', 'ended-call'))).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verify({ kind: 'hmac', secret: 'other' }, headers)).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('refuses a timestamp more than 5 minutes away, and a missing signature or timestamp', () => {
    const headers = { 'x-signature': expected, 'x-timestamp': seconds };
    expect(verify(hmacCredential, headers, new Date(now.getTime() + 300_000))).toEqual({
      valid: true,
    });
    expect(verify(hmacCredential, headers, new Date(now.getTime() + 300_001))).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verify(hmacCredential, headers, new Date(now.getTime() - 300_001))).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verify(hmacCredential, { 'x-timestamp': seconds })).toEqual({
      valid: false,
      reason: 'missing',
    });
    expect(verify(hmacCredential, { 'x-signature': expected })).toEqual({
      valid: false,
      reason: 'missing',
    });
    expect(verify(hmacCredential, { 'x-signature': expected, 'x-timestamp': 'soon' })).toEqual({
      valid: false,
      reason: 'expired',
    });
  });
});

describe('verifyVapiRequest with a shared secret', () => {
  it('accepts the Bearer token credential in Authorization', () => {
    const bearer: VapiCredential = { kind: 'secret', token: 'tok-1' };
    expect(verify(bearer, { Authorization: 'Bearer tok-1' })).toEqual({ valid: true });
    expect(verify(bearer, { Authorization: 'Bearer tok-2' })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verify(bearer, { Authorization: 'tok-1' })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verify(bearer, {})).toEqual({ valid: false, reason: 'missing' });
  });

  it('accepts the legacy X-Vapi-Secret header, without a prefix', () => {
    const legacy: VapiCredential = { kind: 'secret', token: 'tok-1', header: 'x-vapi-secret' };
    expect(verify(legacy, { 'X-Vapi-Secret': 'tok-1' })).toEqual({ valid: true });
    expect(verify(legacy, { 'X-Vapi-Secret': 'Bearer tok-1' })).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });
});
