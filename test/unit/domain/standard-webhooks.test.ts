import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  lifecycleEventId,
  webhookRetryDelaySeconds,
} from '../../../lambdas/domain/lifecycle-events.js';
import {
  signStandardWebhook,
  verifyStandardWebhook,
  webhookSecretOf,
} from '../../../lambdas/domain/standard-webhooks.js';
import {
  WEBHOOK_MAX_RECEIVES,
  WEBHOOK_RETRY_DELAYS_SECONDS,
} from '../../../lambdas/schemas/lifecycle-events.js';

/**
 * The Standard Webhooks specification's test vector, as its reference libraries test it
 * (https://github.com/standard-webhooks/standard-webhooks, libraries' signature tests).
 */
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: new Date(1614265330 * 1000),
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('signStandardWebhook', () => {
  it('reproduces the specification test vector', () => {
    expect(signStandardWebhook(vector.secret, vector)).toEqual({
      'webhook-id': vector.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': vector.signature,
    });
  });

  it('signs with the base64 key after whsec_, the way a receiver verifies', () => {
    const secret = webhookSecretOf(new Uint8Array(32).fill(7));
    expect(secret).toBe(`whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    const message = { id: 'evt_1', timestamp: new Date('2026-11-26T09:00:00Z'), body: '{}' };
    const headers = signStandardWebhook(secret, message);
    expect(verifyStandardWebhook(secret, headers, '{}', message.timestamp)).toBe(true);
  });
});

describe('verifyStandardWebhook', () => {
  const at = vector.timestamp;
  const headers = signStandardWebhook(vector.secret, vector);

  it('accepts the vector within five minutes either way, and refuses it beyond', () => {
    const seconds = (s: number) => new Date(at.getTime() + s * 1000);
    expect(verifyStandardWebhook(vector.secret, headers, vector.body, seconds(300))).toBe(true);
    expect(verifyStandardWebhook(vector.secret, headers, vector.body, seconds(-300))).toBe(true);
    expect(verifyStandardWebhook(vector.secret, headers, vector.body, seconds(301))).toBe(false);
    expect(verifyStandardWebhook(vector.secret, headers, vector.body, seconds(-301))).toBe(false);
  });

  it('refuses another body, id, timestamp or secret', () => {
    const other = webhookSecretOf(new Uint8Array(32));
    expect(verifyStandardWebhook(vector.secret, headers, '{"test": 1}', at)).toBe(false);
    expect(verifyStandardWebhook(other, headers, vector.body, at)).toBe(false);
    const id = { ...headers, 'webhook-id': 'msg_other' };
    expect(verifyStandardWebhook(vector.secret, id, vector.body, at)).toBe(false);
    const time = { ...headers, 'webhook-timestamp': '1614265331' };
    expect(verifyStandardWebhook(vector.secret, time, vector.body, at)).toBe(false);
  });

  it('accepts any one matching v1 entry of a space-separated list (key rotation)', () => {
    const rotated = { ...headers, 'webhook-signature': `v1,bm9wZQ== ${vector.signature}` };
    expect(verifyStandardWebhook(vector.secret, rotated, vector.body, at)).toBe(true);
    const wrongVersion = { ...headers, 'webhook-signature': vector.signature.replace('v1', 'v2') };
    expect(verifyStandardWebhook(vector.secret, wrongVersion, vector.body, at)).toBe(false);
  });
});

describe('lifecycle event ids and retries', () => {
  const run = { executionId: 'exec-1', workflowId: 'wf-1' };

  it('derives the same id for the same happening, and another for anything else', () => {
    const created = { type: 'execution.created', organizationId: 'org', data: run } as const;
    expect(lifecycleEventId(created)).toBe(lifecycleEventId({ ...created }));
    const step = { type: 'step.completed', organizationId: 'org' } as const;
    const first = lifecycleEventId({ ...step, data: { ...run, stepExecutionId: 'a' } });
    const second = lifecycleEventId({ ...step, data: { ...run, stepExecutionId: 'b' } });
    expect(new Set([lifecycleEventId(created), first, second]).size).toBe(3);
  });

  it('backs off after each failed try, then gives up after the last delay', () => {
    const delays = Array.from({ length: WEBHOOK_MAX_RECEIVES - 1 }, (_, i) =>
      webhookRetryDelaySeconds(i + 1)
    );
    expect(delays).toEqual([...WEBHOOK_RETRY_DELAYS_SECONDS]);
    expect(delays.every((delay, i) => i === 0 || delay >= (delays[i - 1] as number))).toBe(true);
    expect(Math.max(...delays)).toBeLessThanOrEqual(12 * 3600);
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
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
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
    const at = vector.timestamp.getTime();
    const headers = { ...signStandardWebhook(vector.secret, vector) };
    expect(verify(vector.secret, headers, vector.body, at)).toBe(true);
    expect(verify(vector.secret, headers, '{"test": 2432232315}', at)).toBe(false);
    expect(verify(vector.secret, headers, vector.body, at + 301_000)).toBe(false);
    const secret = webhookSecretOf(new Uint8Array(48).fill(3));
    const ours = { id: 'evt', timestamp: new Date('2026-11-26T09:00:00Z'), body: '{"a":1}' };
    const signed = { ...signStandardWebhook(secret, ours) };
    expect(verify(secret, signed, ours.body, ours.timestamp.getTime())).toBe(true);
    expect(verify(vector.secret, signed, ours.body, ours.timestamp.getTime())).toBe(false);
  });
});
