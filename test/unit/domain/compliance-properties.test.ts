import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideNext } from '../../../lambdas/domain/next-step.js';
import { candidatesOf } from '../../../lambdas/domain/recipient-zones.js';
import { federalRule, rulesFor } from '../../../lambdas/domain/state-rules.js';
import { instantOfWall, wallClock } from '../../../lambdas/domain/zone-offsets.js';
import type { UsStateCode } from '../../../lambdas/schemas/common.js';
import { type WeekSchedule, weekScheduleSchema } from '../../../lambdas/schemas/schedule.js';
import { anExecution } from '../../helpers/execution-fixture.js';
import { localReading, rowAllows, weekdays } from '../../helpers/legal-oracle.js';

/** ZIPs and area codes across zones and rule states, DST and no-DST (Phoenix, Honolulu). */
const zips = [
  '10001',
  '94107',
  '79901',
  '32501',
  '85001',
  '96813',
  '99501',
  '46201',
  '02903',
  '04101',
  '19103',
  '70112',
  '35203',
  '84101',
  '39201',
  '73102',
  '21201',
  '06103',
  '40202',
  '68102',
];
const areaCodes = [
  '212',
  '415',
  '915',
  '850',
  '602',
  '808',
  '907',
  '317',
  '401',
  '207',
  '215',
  '504',
  '205',
  '801',
  '601',
  '405',
  '410',
  '860',
  '502',
  '402',
  '305',
  '270',
];
const states = [undefined, 'TX', 'FL', 'RI', 'ME', 'PA', 'UT', 'AL', 'MS', 'CA'];

/** Instants around the 2026 and 2027 DST changes, and anywhere in those two years. */
const instants = fc.oneof(
  fc.integer({ min: Date.parse('2026-03-07T00:00:00Z'), max: Date.parse('2026-03-10T00:00:00Z') }),
  fc.integer({ min: Date.parse('2026-10-31T00:00:00Z'), max: Date.parse('2026-11-03T00:00:00Z') }),
  fc.integer({ min: Date.parse('2027-03-13T00:00:00Z'), max: Date.parse('2027-03-16T00:00:00Z') }),
  fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-12-20T00:00:00Z') })
);

const range = fc
  .tuple(fc.integer({ min: 0, max: 22 }), fc.integer({ min: 1, max: 12 }))
  .map(([start, length]) => ({
    startHour: start,
    startMinute: 0,
    endHour: Math.min(24, start + length),
    endMinute: 0,
  }));
const schedule = fc
  .array(fc.tuple(fc.constantFrom(...weekdays), range), { minLength: 3, maxLength: 10 })
  .map((days) =>
    weekScheduleSchema.parse(
      Object.fromEntries(days.map(([day, r]) => [day, { enabled: true, timeRanges: [r] }]))
    )
  );

function scheduleAllows(week: WeekSchedule, zone: string, t: Date): boolean {
  const local = localReading(t, zone);
  const day = week[local.weekday];
  return (
    day.enabled &&
    day.timeRanges.some(
      (r) =>
        r.startHour * 60 + r.startMinute <= local.minute &&
        local.minute < r.endHour * 60 + r.endMinute
    )
  );
}

describe('no allowed instant breaks an applicable rule', () => {
  it('holds across random zones, states, area codes, schedules, channels and instants (DST included)', () => {
    let checked = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...zips),
        fc.constantFrom(...areaCodes),
        fc.constantFrom(...states),
        fc.constantFrom('America/New_York', 'America/Chicago', 'America/Los_Angeles'),
        schedule,
        schedule,
        fc.boolean(),
        instants,
        (zipcode, areaCode, state, timezone, workflowSchedule, tcpaSchedule, text, t) => {
          const run = anExecution({
            zipcode,
            ...(state && { state }),
            primaryPhone: `+1${areaCode}5550123`,
            timezone,
            workflowSchedule,
            tcpaSchedule,
            stepIndex: text ? 1 : 0,
          });
          const now = new Date(t);
          const next = decideNext(
            { ...run, createdAt: now.toISOString(), startAt: now.toISOString() },
            now,
            0
          );
          if (!next.schedule?.nextRunAt) return;
          const at = new Date(next.schedule.nextRunAt);
          checked++;
          expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
          expect(scheduleAllows(workflowSchedule, timezone, at)).toBe(true);
          const candidates = candidatesOf(run);
          const channel = text ? 'text' : 'call';
          const rows = [
            federalRule,
            ...(candidates.states.length === 0
              ? rulesFor('unknown', channel)
              : candidates.states.flatMap((s) => rulesFor(s as UsStateCode, channel))),
          ];
          for (const zone of candidates.zones) {
            expect(scheduleAllows(tcpaSchedule, zone, at)).toBe(true);
            for (const row of rows) {
              const readIn = row.readIn ? [row.readIn.zone] : [];
              for (const rowZone of row.readIn?.only ? readIn : [zone, ...readIn])
                expect(
                  rowAllows(row, rowZone, at),
                  `${row.label} in ${rowZone} at ${at.toISOString()}`
                ).toBe(true);
            }
          }
        }
      ),
      { numRuns: 300 }
    );
    // Most draws find a window: the property is not carried by runs that never get one.
    expect(checked).toBeGreaterThan(60);
  });
});

describe('zone offsets', () => {
  const zones = [
    'America/New_York',
    'America/Chicago',
    'America/Denver',
    'America/Phoenix',
    'America/Los_Angeles',
    'America/Anchorage',
    'Pacific/Honolulu',
    'America/Puerto_Rico',
    'Etc/GMT+6',
  ];

  it('read the same wall clock as Intl at any instant, DST changes included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instants, (zone, t) => {
        const minute = t - (t % 60_000);
        const reading = localReading(new Date(minute), zone);
        const wall = new Date(wallClock(minute, zone));
        expect(wall.toISOString().slice(0, 10)).toBe(reading.date);
        expect(wall.getUTCHours() * 60 + wall.getUTCMinutes()).toBe(reading.minute);
      }),
      { numRuns: 2000 }
    );
  });

  it('map a wall time back to an instant that reads it, or to the jump in a gap', () => {
    // 02:30 on 2026-03-08 never happens in New York: the clocks jump at 07:00Z.
    expect(
      new Date(instantOfWall(Date.parse('2026-03-08T02:30:00Z'), 'America/New_York')).toISOString()
    ).toBe('2026-03-08T07:00:00.000Z');
    // 01:30 on 2026-11-01 happens twice: the earlier, EDT one.
    expect(
      new Date(instantOfWall(Date.parse('2026-11-01T01:30:00Z'), 'America/New_York')).toISOString()
    ).toBe('2026-11-01T05:30:00.000Z');
  });
});
