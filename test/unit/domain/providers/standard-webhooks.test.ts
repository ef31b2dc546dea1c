import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  signStandardWebhook,
  standardWebhookSecret,
  verifyStandardWebhook,
} from '../../../../lambdas/domain/providers/standard-webhooks.js';

// The test vector the Standard Webhooks reference libraries (and Svix's) pin:
// https://github.com/standard-webhooks/standard-webhooks, libraries/*/ tests.
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const timestamp = 1614265330;
const rawBody = '{"test": 2432232314}';
const expectedSignature = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
const signedAt = new Date(timestamp * 1000);

const headers = (signature: string, at = String(timestamp), messageId = id) => ({
  'webhook-id': messageId,
  'webhook-timestamp': at,
  'webhook-signature': signature,
});

describe('signStandardWebhook', () => {
  it('reproduces the reference vector', () => {
    expect(signStandardWebhook({ secret, id, rawBody, now: signedAt })).toEqual(
      headers(expectedSignature)
    );
  });

  it('signs a retry at its own second, with the same id', () => {
    const retry = signStandardWebhook({
      secret,
      id,
      rawBody,
      now: new Date(signedAt.getTime() + 61_500),
    });
    expect(retry['webhook-id']).toBe(id);
    expect(retry['webhook-timestamp']).toBe(String(timestamp + 61));
    expect(retry['webhook-signature']).not.toBe(expectedSignature);
  });
});

describe('verifyStandardWebhook', () => {
  const verify = (h: Record<string, string>, now = signedAt, body = rawBody, key = secret) =>
    verifyStandardWebhook({ secret: key, headers: h, rawBody: body, now });

  it('accepts the reference vector, also among several signatures (a key rotation)', () => {
    expect(verify(headers(expectedSignature))).toEqual({ valid: true });
    expect(verify(headers(`v1,bm9wZQ== ${expectedSignature}`))).toEqual({ valid: true });
    // Header names are case-insensitive.
    expect(
      verify({
        'Webhook-Id': id,
        'Webhook-Timestamp': String(timestamp),
        'Webhook-Signature': expectedSignature,
      })
    ).toEqual({ valid: true });
  });

  it('round-trips with a fresh secret', () => {
    const fresh = standardWebhookSecret(new Uint8Array(32).fill(7));
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const now = new Date('2026-11-23T15:00:00Z');
    const signed = signStandardWebhook({ secret: fresh, id: 'evt_1', rawBody: '{"a":1}', now });
    expect(
      verifyStandardWebhook({ secret: fresh, headers: signed, rawBody: '{"a":1}', now })
    ).toEqual({
      valid: true,
    });
  });

  it('refuses a forged body, another id, a wrong secret, and other signature versions', () => {
    expect(verify(headers(expectedSignature), signedAt, '{"test": 1}')).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verify(headers(expectedSignature, String(timestamp), 'msg_other'))).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(
      verify(
        headers(expectedSignature),
        signedAt,
        rawBody,
        'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
      )
    ).toEqual({
      valid: false,
      reason: 'mismatch',
    });
    expect(verify(headers(expectedSignature.replace('v1,', 'v1a,')))).toEqual({
      valid: false,
      reason: 'mismatch',
    });
  });

  it('refuses a missing header and a malformed timestamp', () => {
    const { 'webhook-id': _, ...noId } = headers(expectedSignature);
    expect(verify(noId)).toEqual({ valid: false, reason: 'missing' });
    expect(verify(headers(''))).toEqual({ valid: false, reason: 'missing' });
    expect(verify(headers(expectedSignature, '1614265330.5'))).toEqual({
      valid: false,
      reason: 'malformed',
    });
  });

  it('refuses a timestamp more than 5 minutes old or ahead (replay protection)', () => {
    const at = (seconds: number) => new Date((timestamp + seconds) * 1000);
    expect(verify(headers(expectedSignature), at(300))).toEqual({ valid: true });
    expect(verify(headers(expectedSignature), at(301))).toEqual({
      valid: false,
      reason: 'expired',
    });
    expect(verify(headers(expectedSignature), at(-301))).toEqual({
      valid: false,
      reason: 'expired',
    });
  });
});

describe('standardWebhookSecret', () => {
  it('takes 24 to 64 random bytes, as the spec requires', () => {
    expect(() => standardWebhookSecret(new Uint8Array(23))).toThrow(RangeError);
    expect(() => standardWebhookSecret(new Uint8Array(65))).toThrow(RangeError);
    expect(standardWebhookSecret(new Uint8Array(24))).toBe(`whsec_${'A'.repeat(32)}`);
  });
});

type ReadmeVerify = (
  secret: string,
  headers: Record<string, string>,
  rawBody: string,
  nowMs?: number
) => boolean;

/** The README's verification snippet exactly as shown, written out and imported. */
async function readmeVerifier(): Promise<ReadmeVerify> {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const snippet = /```js\n(\/\/ verify-outreach-webhook\.mjs[\s\S]*?)```/.exec(readme)?.[1];
  if (!snippet) throw new Error('README has no verify-outreach-webhook.mjs block');
  const dir = mkdtempSync(join(tmpdir(), 'outreach-webhook-verify-'));
  const file = join(dir, 'verify-outreach-webhook.mjs');
  writeFileSync(file, snippet);
  try {
    const module = (await import(pathToFileURL(file).href)) as {
      verifyOutreachWebhook: ReadmeVerify;
    };
    return module.verifyOutreachWebhook;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the README's webhook verification", () => {
  it('accepts the specification vector and what we sign, and nothing altered or stale', async () => {
    const verify = await readmeVerifier();
    const at = signedAt.getTime();
    const vector = headers(expectedSignature);
    expect(verify(secret, vector, rawBody, at)).toBe(true);
    expect(verify(secret, vector, '{"test": 2432232315}', at)).toBe(false);
    expect(verify(secret, vector, rawBody, at + 301_000)).toBe(false);
    const fresh = standardWebhookSecret(new Uint8Array(48).fill(3));
    const now = new Date('2026-11-26T09:00:00Z');
    const ours = signStandardWebhook({ secret: fresh, id: 'evt', rawBody: '{"a":1}', now });
    expect(verify(fresh, ours, '{"a":1}', now.getTime())).toBe(true);
    expect(verify(secret, ours, '{"a":1}', now.getTime())).toBe(false);
  });
});
