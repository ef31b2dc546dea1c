import { createHmac, timingSafeEqual } from 'node:crypto';

/** What every webhook verifier shares: the answer, header lookup, constant-time compare, replay window. */

/** Why a request was refused: safe to log (names no secret and no payload). */
export type RefusalReason =
  | 'missing'
  | 'malformed'
  | 'mismatch'
  | 'expired'
  | 'untrusted-certificate'
  | 'wrong-topic';

export type Verification = { valid: true } | { valid: false; reason: RefusalReason };

export const VALID: Verification = { valid: true };
export const refuse = (reason: RefusalReason): Verification => ({ valid: false, reason });

/** How far a signed timestamp may be from our clock, either way: the schemes' own libraries use 5 minutes. */
export const REPLAY_TOLERANCE_MS = 5 * 60_000;

/** Request headers as the handler has them: API Gateway keeps the sender's case. */
export type Headers = Readonly<Record<string, string | undefined>>;

export function headerOf(headers: Headers, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** Equal strings, compared in constant time (the length is not secret). */
export function safeEqual(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function withinTolerance(signedAtMs: number, now: Date, toleranceMs: number): boolean {
  return Number.isFinite(signedAtMs) && Math.abs(now.getTime() - signedAtMs) <= toleranceMs;
}

/** The raw request body: signatures cover these exact bytes, never a re-serialised object. */
export type RawBody = string | Uint8Array;

export function hmac(
  algorithm: 'sha1' | 'sha256' | 'sha512',
  key: string | Uint8Array,
  ...parts: RawBody[]
): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}
