import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  findIdempotencyRecord,
  reserveIdempotencyRecord,
  type StoredResponse,
  storeIdempotentResponse,
} from '../adapters/idempotency-records.js';
import { ConcurrentUpdateError, IdempotencyKeyReusedError } from '../shared/errors.js';

export type { StoredResponse };

/** A key answers the same for 24 hours, as Stripe's do. */
const KEY_LIFETIME_MS = 24 * 3600_000;

export type IdempotentStart =
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'run'; reservedIds: string[]; finish: (response: StoredResponse) => Promise<void> };

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The first step of an idempotent request. With a key seen in the last 24 hours: the stored
 * answer (a different request under the same key is a 409), or, when the first attempt died
 * before answering, the ids it reserved, so the retry converges on what it stored instead of
 * creating a second one. With a new key: fresh reserved ids. Keys are per organization; only a
 * hash of the key is stored.
 */
export async function startIdempotent(
  organizationId: string,
  key: string,
  request: string,
  reserve: number,
  now: Date
): Promise<IdempotentStart> {
  const keyHash = sha256(key);
  const requestHash = sha256(request);
  const finish = (response: StoredResponse) =>
    storeIdempotentResponse(organizationId, keyHash, requestHash, response);
  const expiredBefore = new Date(now.getTime() - KEY_LIFETIME_MS).toISOString();
  for (let tries = 0; tries < 3; tries++) {
    const record = await findIdempotencyRecord(organizationId, keyHash);
    if (record && record.createdAt >= expiredBefore) {
      if (record.requestHash !== requestHash) throw new IdempotencyKeyReusedError();
      if (record.response) return { kind: 'replay', response: record.response };
      return { kind: 'run', reservedIds: record.reservedIds, finish };
    }
    const reservedIds = Array.from({ length: reserve }, () => uuidv7());
    const fresh = { requestHash, reservedIds, createdAt: now.toISOString() };
    if (await reserveIdempotencyRecord(organizationId, keyHash, fresh, expiredBefore)) {
      return { kind: 'run', reservedIds, finish };
    }
  }
  throw new ConcurrentUpdateError('Idempotency-Key');
}
