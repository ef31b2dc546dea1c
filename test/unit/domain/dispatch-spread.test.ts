import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dispatchOffsetMs,
  idFraction,
  PRIORITY_AGE_BUCKET_DAYS,
  priorityBucket,
} from '../../../lambdas/domain/dispatch-spread.js';

const DAY_MS = 86_400_000;
const opensAt = new Date('2026-11-23T14:00:00.000Z');
const daysBefore = (days: number) => new Date(opensAt.getTime() - days * DAY_MS);

const input = fc.record({
  spreadKey: fc.uuid(),
  ageMs: fc.integer({ min: -DAY_MS, max: 400 * DAY_MS }),
  windowMs: fc.integer({ min: 0, max: 8 * 3600_000 }),
  spreadMs: fc.integer({ min: 0, max: 3600_000 }),
});

function offsetOf(sample: {
  spreadKey: string;
  ageMs: number;
  windowMs: number;
  spreadMs: number;
}) {
  return dispatchOffsetMs({
    spreadKey: sample.spreadKey,
    priorityDate: new Date(opensAt.getTime() - sample.ageMs),
    opensAt,
    closesAt: new Date(opensAt.getTime() + sample.windowMs),
    spreadMs: sample.spreadMs,
  });
}

describe('dispatchOffsetMs', () => {
  it('lies in [0, spread) and before the window closes', () => {
    fc.assert(
      fc.property(input, (sample) => {
        const offset = offsetOf(sample);
        expect(Number.isInteger(offset)).toBe(true);
        expect(offset).toBeGreaterThanOrEqual(0);
        if (sample.spreadMs > 0) expect(offset).toBeLessThan(sample.spreadMs);
        if (sample.windowMs > 0) expect(offset).toBeLessThan(sample.windowMs);
        if (sample.spreadMs === 0 || sample.windowMs === 0) expect(offset).toBe(0);
      })
    );
  });

  it('never dispatches an older priorityDate before a newer one of the same run', () => {
    fc.assert(
      fc.property(input, fc.integer({ min: 0, max: 400 * DAY_MS }), (sample, olderBy) => {
        expect(offsetOf({ ...sample, ageMs: sample.ageMs + olderBy })).toBeGreaterThanOrEqual(
          offsetOf(sample)
        );
      })
    );
  });

  it('puts every run of an older bucket after every run of a newer one', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.uuid(),
        fc.integer({ min: 0, max: 60 * DAY_MS }),
        fc.integer({ min: 1, max: 3600_000 }),
        (newerId, olderId, ageMs, spreadMs) => {
          const newer = { spreadKey: newerId, ageMs, windowMs: 8 * 3600_000, spreadMs };
          const olderAge = Math.max(ageMs + 1, bucketStartMs(bucketOfAge(ageMs) + 1));
          fc.pre(bucketOfAge(olderAge) > bucketOfAge(ageMs));
          const older = { spreadKey: olderId, ageMs: olderAge, windowMs: 8 * 3600_000, spreadMs };
          expect(offsetOf(older)).toBeGreaterThanOrEqual(offsetOf(newer));
        }
      )
    );
  });

  it('spreads runs of one priority evenly by their ids', () => {
    const ids = Array.from(
      { length: 4000 },
      (_, i) => `019ab1f0-0000-7000-8000-${String(i).padStart(12, '0')}`
    );
    const buckets = [0, 0, 0, 0];
    for (const id of ids) {
      const slice = Math.floor(idFraction(id) * 4);
      buckets[slice] = (buckets[slice] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).toBeGreaterThan(800);
  });
});

function bucketOfAge(ageMs: number): number {
  return priorityBucket(new Date(opensAt.getTime() - ageMs), opensAt);
}

function bucketStartMs(bucket: number): number {
  const bound = PRIORITY_AGE_BUCKET_DAYS[bucket - 1];
  return bound === undefined ? Number.POSITIVE_INFINITY : bound * DAY_MS;
}

describe('priorityBucket', () => {
  it('places ages newest first: a day, a week, a month, older', () => {
    expect(
      [0, 0.5, 1, 6.9, 7, 29, 30, 365].map((days) => priorityBucket(daysBefore(days), opensAt))
    ).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('treats a priorityDate after the opening as the newest', () => {
    expect(priorityBucket(daysBefore(-3), opensAt)).toBe(0);
  });
});
