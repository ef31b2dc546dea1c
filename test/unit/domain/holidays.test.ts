import { describe, expect, it } from 'vitest';
import { complianceLayers } from '../../../lambdas/domain/compliance-layers.js';
import { restrictedDates } from '../../../lambdas/domain/holidays.js';
import { nextAllowedInstant } from '../../../lambdas/domain/window-engine.js';
import { alwaysOpenSchedule } from '../../../lambdas/schemas/schedule.js';

const dates = (state: string, year: number, shift: boolean) => [
  ...restrictedDates(state, year, shift).keys(),
];

describe('restrictedDates', () => {
  it('2026: Alabama restricts Independence Day and its observed Friday (Ala. Code 1-3-8)', () => {
    expect(dates('AL', 2026, true)).toEqual(
      expect.arrayContaining(['2026-07-03', '2026-07-04', '2026-04-27', '2026-06-01'])
    );
  });

  it('2026: Pennsylvania adds Good Friday and Election Day from the overlay, keeps Flag Day, shifts nothing', () => {
    const pa = dates('PA', 2026, false);
    expect(pa).toEqual(
      expect.arrayContaining(['2026-04-03', '2026-11-03', '2026-06-14', '2026-11-26'])
    );
    expect(pa).not.toContain('2026-07-03');
  });

  it('2026: public holidays only (no Valentine’s Day or Halloween)', () => {
    const la = dates('LA', 2026, false);
    expect(la).toEqual(expect.arrayContaining(['2026-02-17', '2026-12-25']));
    expect(la).not.toContain('2026-02-14');
    expect(la).not.toContain('2026-10-31');
  });

  it('2027: Christmas on a Saturday is observed Friday 2027-12-24 where the state shifts', () => {
    expect(dates('RI', 2027, true)).toEqual(
      expect.arrayContaining(['2027-12-24', '2027-12-25', '2027-08-09'])
    );
    expect(dates('UT', 2027, false)).toEqual(expect.arrayContaining(['2027-07-24']));
    expect(dates('UT', 2027, false)).not.toContain('2027-12-24');
    expect(dates('PA', 2027, false)).toEqual(expect.arrayContaining(['2027-03-26', '2027-11-02']));
  });
});

describe('holidays in the schedule check', () => {
  const utah = complianceLayers({
    workflowSchedule: alwaysOpenSchedule,
    timezone: 'America/Denver',
    tcpaSchedule: alwaysOpenSchedule,
    needsTCPACompliance: true,
    channel: 'call',
    candidates: { zones: ['America/Denver'], states: ['UT'], source: 'state' },
    stateLaw: true,
  });

  it('defers a Utah call off Pioneer Day (Friday 2026-07-24) to Saturday 08:00, naming the holiday', () => {
    const decision = nextAllowedInstant(utah, new Date('2026-07-24T18:00:00Z'));
    expect(decision.at?.toISOString()).toBe('2026-07-25T14:00:00.000Z');
    expect(decision.deferredBy).toEqual([
      'Utah holiday, Pioneer Day (2026-07-24) in America/Denver',
      'Federal quiet hours, Saturday before 08:00 in America/Denver',
      'Utah, Saturday before 08:00 in America/Denver',
    ]);
  });

  it('compares the recipient-local date: 2026-07-24T05:00Z is still 23:00 on the 23rd in Denver', () => {
    const decision = nextAllowedInstant(utah, new Date('2026-07-24T05:00:00Z'));
    expect(decision.at?.toISOString()).toBe('2026-07-25T14:00:00.000Z');
    const before = nextAllowedInstant(utah, new Date('2026-07-23T20:00:00Z'));
    expect(before.at?.toISOString()).toBe('2026-07-23T20:00:00.000Z');
  });

  it('names the holiday when the window opens right after it', () => {
    // A Utah text on Saturday 2027-07-24 (Pioneer Day): Sunday is banned too, Monday opens 08:00.
    const decision = nextAllowedInstant(utah, new Date('2027-07-24T18:00:00Z'));
    expect(decision.at?.toISOString()).toBe('2027-07-26T14:00:00.000Z');
  });
});
