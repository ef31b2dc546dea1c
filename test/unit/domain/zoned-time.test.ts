import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatLocalDate,
  formatWallTime,
  localDateOf,
  weekdayOf,
  zonedWallTimeToInstant,
} from '../../helpers/zoned-time.js';

const NY = 'America/New_York';
const springForward = { year: 2026, month: 3, day: 8 }; // 02:00 EST jumps to 03:00 EDT
const fallBack = { year: 2026, month: 11, day: 1 }; // 02:00 EDT falls back to 01:00 EST

function at(date: { year: number; month: number; day: number }, minutes: number, zone = NY) {
  return zonedWallTimeToInstant(date, minutes, zone).toISOString();
}

describe('zonedWallTimeToInstant', () => {
  it('reads an ordinary winter wall time at UTC-5 in New York', () => {
    expect(at({ year: 2026, month: 1, day: 15 }, 9 * 60)).toBe('2026-01-15T14:00:00.000Z');
  });

  it('reads an ordinary summer wall time at UTC-4 in New York', () => {
    expect(at({ year: 2026, month: 7, day: 15 }, 9 * 60)).toBe('2026-07-15T13:00:00.000Z');
  });

  it('reads Phoenix at UTC-7 in summer, without DST', () => {
    expect(at({ year: 2026, month: 7, day: 1 }, 8 * 60, 'America/Phoenix')).toBe(
      '2026-07-01T15:00:00.000Z'
    );
  });

  it('reads minute 0 as local midnight', () => {
    expect(at({ year: 2026, month: 11, day: 25 }, 0)).toBe('2026-11-25T05:00:00.000Z');
  });

  it('resolves a wall time inside the spring-forward gap to the instant the clocks jump', () => {
    // 02:30 never happens on 2026-03-08 in New York.
    expect(at(springForward, 150)).toBe('2026-03-08T07:00:00.000Z');
  });

  it('resolves the start of the spring-forward gap (02:00) to the jump as well', () => {
    expect(at(springForward, 120)).toBe('2026-03-08T07:00:00.000Z');
  });

  it('reads 03:00 on the spring-forward day as the jump instant, in EDT', () => {
    expect(at(springForward, 180)).toBe('2026-03-08T07:00:00.000Z');
  });

  it('resolves the spring-forward gap in Los Angeles to its own jump', () => {
    expect(at(springForward, 150, 'America/Los_Angeles')).toBe('2026-03-08T10:00:00.000Z');
  });

  it('resolves a wall time repeated by the fall-back overlap to the earlier instant', () => {
    // 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    expect(at(fallBack, 90)).toBe('2026-11-01T05:30:00.000Z');
  });

  it('resolves the start of the fall-back overlap (01:00) to its EDT instant', () => {
    expect(at(fallBack, 60)).toBe('2026-11-01T05:00:00.000Z');
  });

  it('reads 02:00 on the fall-back day in EST, after the overlap', () => {
    expect(at(fallBack, 120)).toBe('2026-11-01T07:00:00.000Z');
  });

  it('reads 1440 minutes as the next local midnight', () => {
    expect(at({ year: 2026, month: 11, day: 25 }, 1440)).toBe('2026-11-26T05:00:00.000Z');
    expect(at({ year: 2026, month: 11, day: 26 }, 0)).toBe('2026-11-26T05:00:00.000Z');
  });

  it('reads 1440 minutes as the next midnight on the 23-hour spring-forward day', () => {
    expect(at(springForward, 1440)).toBe('2026-03-09T04:00:00.000Z');
  });

  it('reads 1440 minutes as the next midnight on the 25-hour fall-back day', () => {
    expect(at(fallBack, 1440)).toBe('2026-11-02T05:00:00.000Z');
  });

  it('reads 1440 minutes on New Year’s Eve as midnight of the next year', () => {
    expect(at({ year: 2026, month: 12, day: 31 }, 1440)).toBe('2027-01-01T05:00:00.000Z');
  });
});

describe('localDateOf', () => {
  it('gives the previous day in New York just before 05:00 UTC in winter', () => {
    expect(localDateOf(new Date('2026-01-01T04:59:00Z'), NY)).toEqual({
      year: 2025,
      month: 12,
      day: 31,
    });
  });

  it('gives the UTC day in New York from local midnight on', () => {
    expect(localDateOf(new Date('2026-01-01T05:00:00Z'), NY)).toEqual({
      year: 2026,
      month: 1,
      day: 1,
    });
  });

  it('gives the next day in Guam (UTC+10) in the UTC afternoon', () => {
    expect(localDateOf(new Date('2026-11-25T15:00:00Z'), 'Pacific/Guam')).toEqual({
      year: 2026,
      month: 11,
      day: 26,
    });
  });

  it('gives the previous day in Honolulu (UTC-10) in the UTC early morning', () => {
    expect(localDateOf(new Date('2026-11-26T03:35:00Z'), 'Pacific/Honolulu')).toEqual({
      year: 2026,
      month: 11,
      day: 25,
    });
  });
});

describe('addDays', () => {
  it('crosses the end of a 31-day month', () => {
    expect(addDays({ year: 2026, month: 1, day: 31 }, 1)).toEqual({ year: 2026, month: 2, day: 1 });
  });

  it('crosses the end of February in a common year', () => {
    expect(addDays({ year: 2026, month: 2, day: 28 }, 1)).toEqual({ year: 2026, month: 3, day: 1 });
  });

  it('lands on February 29 in a leap year', () => {
    expect(addDays({ year: 2028, month: 2, day: 28 }, 1)).toEqual({
      year: 2028,
      month: 2,
      day: 29,
    });
  });

  it('crosses the end of the year', () => {
    expect(addDays({ year: 2026, month: 12, day: 31 }, 1)).toEqual({
      year: 2027,
      month: 1,
      day: 1,
    });
  });

  it('goes back across the start of the year', () => {
    expect(addDays({ year: 2027, month: 1, day: 1 }, -1)).toEqual({
      year: 2026,
      month: 12,
      day: 31,
    });
  });

  it('goes back across the start of March', () => {
    expect(addDays({ year: 2026, month: 3, day: 1 }, -1)).toEqual({
      year: 2026,
      month: 2,
      day: 28,
    });
  });

  it('adds two weeks across a month end', () => {
    expect(addDays({ year: 2026, month: 11, day: 25 }, 14)).toEqual({
      year: 2026,
      month: 12,
      day: 9,
    });
  });

  it('returns the same date for zero days', () => {
    expect(addDays({ year: 2026, month: 11, day: 25 }, 0)).toEqual({
      year: 2026,
      month: 11,
      day: 25,
    });
  });
});

describe('weekdayOf', () => {
  it.each([
    [{ year: 2026, month: 11, day: 23 }, 'monday'],
    [{ year: 2026, month: 11, day: 25 }, 'wednesday'],
    [{ year: 2026, month: 11, day: 29 }, 'sunday'],
    [{ year: 2026, month: 3, day: 8 }, 'sunday'],
    [{ year: 2027, month: 1, day: 1 }, 'friday'],
    [{ year: 2028, month: 2, day: 29 }, 'tuesday'],
    [{ year: 2026, month: 8, day: 1 }, 'saturday'],
  ])('names %o as %s', (date, weekday) => {
    expect(weekdayOf(date)).toBe(weekday);
  });
});

describe('formatLocalDate', () => {
  it('pads month and day to two digits', () => {
    expect(formatLocalDate({ year: 2026, month: 3, day: 8 })).toBe('2026-03-08');
  });
});

describe('formatWallTime', () => {
  it('formats weekday, local date and hh:mm in the zone', () => {
    expect(formatWallTime(new Date('2026-11-30T14:30:00Z'), 'America/Los_Angeles')).toBe(
      'monday 2026-11-30 06:30'
    );
  });

  it('uses the local date when it differs from the UTC date', () => {
    expect(formatWallTime(new Date('2026-11-26T03:35:00Z'), NY)).toBe('wednesday 2026-11-25 22:35');
  });

  it('writes local midnight as 00:00, not 24:00', () => {
    expect(formatWallTime(new Date('2026-11-26T05:00:00Z'), NY)).toBe('thursday 2026-11-26 00:00');
  });

  it('drops seconds without rounding up', () => {
    expect(formatWallTime(new Date('2026-11-30T14:30:59.999Z'), 'America/Los_Angeles')).toBe(
      'monday 2026-11-30 06:30'
    );
  });

  it('shows the spring-forward jump from 01:59 to 03:00', () => {
    expect(formatWallTime(new Date('2026-03-08T06:59:00Z'), NY)).toBe('sunday 2026-03-08 01:59');
    expect(formatWallTime(new Date('2026-03-08T07:00:00Z'), NY)).toBe('sunday 2026-03-08 03:00');
  });

  it('shows 01:30 for both instants of the fall-back overlap', () => {
    expect(formatWallTime(new Date('2026-11-01T05:30:00Z'), NY)).toBe('sunday 2026-11-01 01:30');
    expect(formatWallTime(new Date('2026-11-01T06:30:00Z'), NY)).toBe('sunday 2026-11-01 01:30');
  });
});
