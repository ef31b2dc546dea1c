import { describe, expect, it } from 'vitest';
import {
  signRetellWebhook,
  verifyRetellWebhook,
} from '../../../../lambdas/domain/providers/retell-signature.js';

// The known-answer vector of https://github.com/RetellAI/retell-typescript-sdk/blob/main/tests/webhook-auth.test.ts.
const body = '{"event":"call_ended"}';
const apiKey = 'test-api-key';
const timestamp = 1_700_000_000_000;
const expectedDigest = '07024cabe7dd8f6d1c6e4a8324ca92c812e6ad4a7ee506c04f7e462e3321823e';
const signedAt = new Date(timestamp);

const verify = (
  signature: string | undefined,
  now = signedAt,
  rawBody: string = body,
  key = apiKey
) =>
  verifyRetellWebhook({ rawBody, headers: { 'X-Retell-Signature': signature }, apiKey: key, now });

describe('verifyRetellWebhook', () => {
  it("signs and accepts the SDK's known-answer vector (HMAC-SHA256 of body + ms, hex)", () => {
    expect(signRetellWebhook(body, apiKey, signedAt)).toBe(`v=${timestamp},d=${expectedDigest}`);
    expect(verify(`v=${timestamp},d=${expectedDigest}`)).toEqual({ valid: true });
  });

  it('verifies the raw bytes as well as the string', () => {
    const header = signRetellWebhook(body, apiKey, signedAt);
    const bytes = new TextEncoder().encode(body);
    expect(
      verifyRetellWebhook({
        rawBody: bytes,
        headers: { 'x-retell-signature': header },
        apiKey,
        now: signedAt,
      })
    ).toEqual({ valid: true });
  });

  it('refuses a forged body and a wrong key', () => {
    const header = signRetellWebhook(body, apiKey, signedAt);
    expect(verify(header, signedAt, `${body} `)).toEqual({ valid: false, reason: 'mismatch' });
    expect(verify(header, signedAt, body, 'wrong-api-key')).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('refuses a missing header', () => {
    expect(verify(undefined)).toEqual({ valid: false, reason: 'missing' });
    expect(verifyRetellWebhook({ rawBody: body, headers: {}, apiKey, now: signedAt })).toEqual({
      valid: false,
      reason: 'missing',
    });
  });

  // The malformed signatures the SDK's test refuses.
  it.each([
    `v=${timestamp}`,
    `d=${expectedDigest},v=${timestamp}`,
    `prefix-v=${timestamp},d=${expectedDigest}`,
    `v=${timestamp},d=${expectedDigest}-suffix`,
    `v=${timestamp},d=not-hex`,
    `v=${timestamp},d=${expectedDigest.slice(2)}`,
    `v=999999999999999999999999,d=${expectedDigest}`,
  ])('refuses the malformed signature %j', (signature) => {
    expect(verify(signature)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('accepts up to 5 minutes either way and refuses a replay after that', () => {
    const header = signRetellWebhook(body, apiKey, signedAt);
    const fiveMinutes = 5 * 60_000;
    expect(verify(header, new Date(timestamp + fiveMinutes))).toEqual({ valid: true });
    expect(verify(header, new Date(timestamp - fiveMinutes))).toEqual({ valid: true });
    expect(verify(header, new Date(timestamp + fiveMinutes + 1))).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verify(header, new Date(timestamp - fiveMinutes - 1))).toEqual({
      valid: false,
      reason: 'expired',
    });
  });
});
