import { describe, expect, it } from 'vitest';
import { complianceLayers } from '../../../lambdas/domain/compliance-layers.js';
import { decideNext } from '../../../lambdas/domain/next-step.js';
import { candidatesOf } from '../../../lambdas/domain/recipient-zones.js';
import {
  attemptCapFor,
  type Channel,
  federalRule,
  type StateRule,
  stateRules,
} from '../../../lambdas/domain/state-rules.js';
import { checkDispatch } from '../../../lambdas/domain/step-progression.js';
import { nextAllowedInstant } from '../../../lambdas/domain/window-engine.js';
import { ruleOfDeferral } from '../../../lambdas/domain/window-explanations.js';
import { alwaysOpenSchedule, federalTcpaSchedule } from '../../../lambdas/schemas/schedule.js';
import { anExecution } from '../../helpers/execution-fixture.js';
import { localReading, rowAllows } from '../../helpers/legal-oracle.js';

/** Sunday 2026-12-06 08:00 in El Paso (MST, UTC−7). */
const elPasoSundayMorning = new Date('2026-12-06T15:00:00Z');

describe('the done-when cases', () => {
  it('holds an El Paso run created Sunday 08:00 until 12:00 Mountain, and says why', () => {
    const run = anExecution({
      zipcode: '79901',
      primaryPhone: '+19155550123',
      tcpaSchedule: federalTcpaSchedule,
      createdAt: elPasoSundayMorning.toISOString(),
    });
    const next = decideNext(run, elPasoSundayMorning, 0);
    expect(next.schedule).toMatchObject({
      nextRunAt: '2026-12-06T19:00:00.000Z',
      deferredBy: ['Texas, Sunday before 12:00 in America/Denver'],
      recipientZones: ['America/Denver'],
      recipientStates: ['TX'],
    });
    expect(ruleOfDeferral(next.schedule?.deferredBy[0] ?? '')).toBe('stateLaw');
  });

  it('contacts a Texas ZIP with a Florida area code only inside both zones and both states', () => {
    const run = anExecution({
      zipcode: '79901',
      primaryPhone: '+13055550123',
      createdAt: elPasoSundayMorning.toISOString(),
    });
    const candidates = candidatesOf(run);
    expect(candidates).toMatchObject({
      zones: ['America/Denver', 'America/New_York'],
      states: ['FL', 'TX'],
    });
    const texas = stateRules.find((row) => row.state === 'TX') as StateRule;
    const florida = stateRules.find((row) => row.state === 'FL') as StateRule;
    for (let hour = 0; hour < 24 * 9; hour += 5) {
      const now = new Date(elPasoSundayMorning.getTime() + hour * 3600_000);
      const at = new Date(decideNext(run, now, 0).schedule?.nextRunAt as string);
      for (const zone of candidates.zones) {
        expect(rowAllows(texas, zone, at)).toBe(true);
        expect(rowAllows(florida, zone, at)).toBe(true);
      }
      // Florida closes at 20:00 in New York, Texas opens at 12:00 in Denver on Sundays.
      expect(localReading(at, 'America/New_York').minute).toBeLessThan(20 * 60);
    }
  });
});

describe('candidate zones and states', () => {
  it('reads the exchange where an area code spans two zones (850: Tallahassee vs Pensacola)', () => {
    expect(candidatesOf({ primaryPhone: '+18506445555' }).zones).toEqual(['America/New_York']);
    expect(candidatesOf({ primaryPhone: '+18504345555' }).zones).toEqual(['America/Chicago']);
  });

  it('adds the state field and the ZIP’s state to the area code’s', () => {
    expect(candidatesOf({ primaryPhone: '+12125550123', zipcode: '02903', state: 'CT' })).toEqual({
      zones: ['America/New_York'],
      states: ['CT', 'NY', 'RI'],
      source: 'zipcode',
    });
  });

  it('knows no state for a foreign number without an address, and fears every US zone', () => {
    const candidates = candidatesOf({ primaryPhone: '+442071234567' });
    expect(candidates.states).toEqual([]);
    expect(candidates.zones).toHaveLength(22);
  });
});

function lawOnly(state: string, zone: string, channel: Channel, rules?: readonly StateRule[]) {
  return complianceLayers({
    workflowSchedule: alwaysOpenSchedule,
    timezone: zone,
    tcpaSchedule: alwaysOpenSchedule,
    needsTCPACompliance: true,
    channel,
    candidates: { zones: [zone], states: state ? [state] : [], source: 'state' },
    stateLaw: true,
    ...(rules && { rules }),
  });
}

/** A zone the row is read in: its own reading zone, else the state's main zone. */
const zoneOf = (row: StateRule) =>
  row.readIn?.zone === 'Etc/GMT+6'
    ? 'America/Chicago'
    : ((
        {
          AL: 'America/Chicago',
          LA: 'America/Chicago',
          MS: 'America/Chicago',
          IL: 'America/Chicago',
          MN: 'America/Chicago',
          NE: 'America/Chicago',
          OK: 'America/Chicago',
          TX: 'America/Chicago',
          KY: 'America/New_York',
          NV: 'America/Los_Angeles',
          WA: 'America/Los_Angeles',
          NM: 'America/Denver',
          UT: 'America/Denver',
          WY: 'America/Denver',
          MI: 'America/Detroit',
        } as Record<string, string>
      )[row.state] ?? 'America/New_York');

/** Wednesday 2027-01-13 and Sunday 2027-01-17, 00:00 UTC: no holiday in any state. */
const wednesday = Date.parse('2027-01-13T00:00:00Z');
const sunday = Date.parse('2027-01-17T00:00:00Z');

describe('one case per state row, as its source says', () => {
  for (const row of stateRules) {
    const channel = row.appliesTo[0] as Channel;
    it(`${row.label} (${row.appliesTo.join('+')}): ${row.source}`, () => {
      const zone = zoneOf(row);
      const layers = lawOnly(row.state, zone, channel);
      // From 04:00 local on a Wednesday, the first allowed minute is the later of the row's
      // opening and the federal 08:00.
      const from = new Date(wednesday + 10 * 3600_000);
      const at = nextAllowedInstant(layers, from).at as Date;
      const opening = Math.max(row.days.wednesday?.[0]?.[0] ?? 0, 8 * 60);
      expect(localReading(at, zone)).toMatchObject({ date: '2027-01-13', minute: opening });
      // Its last allowed minute is the earlier of the row's close and the federal 21:00.
      const closes = nextAllowedInstant(layers, at).closesAt as Date;
      const close = Math.min(row.days.wednesday?.[0]?.[1] ?? 1440, 21 * 60);
      expect(localReading(closes, zone).minute).toBe(close);
      // Sunday: the row's Sunday hours, or none.
      const sundayNoon = new Date(sunday + 18 * 3600_000);
      expect(rowAllows(row, zone, sundayNoon)).toBe(
        (row.days.sunday ?? []).some(([s, e]) => s <= 12 * 60 && 12 * 60 < e)
      );
      const sundayAt = nextAllowedInstant(layers, sundayNoon).at as Date;
      expect(rowAllows(row, zone, sundayAt) && rowAllows(federalRule, zone, sundayAt)).toBe(true);
    });
  }
});

describe('dated rows, caps and emergency stops', () => {
  it('applies a row only from its effectiveFrom date (a staged Sunday ban)', () => {
    const staged: StateRule[] = [
      {
        ...(stateRules.find((row) => row.state === 'PA') as StateRule),
        days: { monday: [[480, 1260]] },
        effectiveFrom: '2027-01-01',
      },
    ];
    const layers = lawOnly('PA', 'America/New_York', 'call', staged);
    const before = new Date('2026-12-27T17:00:00Z'); // Sunday noon in Philadelphia
    expect(nextAllowedInstant(layers, before).at).toEqual(before);
    const after = new Date('2027-01-03T17:00:00Z');
    expect(nextAllowedInstant(layers, after).at?.toISOString()).toBe('2027-01-04T13:00:00.000Z');
  });

  it('holds a run with no resolvable state to the strict floor: no weekend or holiday calls', () => {
    const layers = lawOnly('', 'America/New_York', 'call');
    const saturdayNoon = new Date('2027-01-16T17:00:00Z');
    // Not Sunday, not Monday 2027-01-18 (Martin Luther King Jr. Day): Tuesday 10:00.
    expect(nextAllowedInstant(layers, saturdayNoon).at?.toISOString()).toBe(
      '2027-01-19T15:00:00.000Z'
    );
    expect(nextAllowedInstant(layers, new Date('2027-01-18T17:00:00Z')).at?.toISOString()).toBe(
      '2027-01-19T15:00:00.000Z'
    );
  });

  it('exposes attempt caps per state and channel: 3 per 24 h by default, Maine calls 8 h apart', () => {
    expect(attemptCapFor(['CA'], 'call')).toEqual({ perDay: 3, minSpacingMs: 0, sources: [] });
    expect(attemptCapFor(['ME', 'FL'], 'call')).toMatchObject({
      perDay: 3,
      minSpacingMs: 8 * 3600_000,
    });
    expect(attemptCapFor(['ME'], 'text').minSpacingMs).toBe(0);
  });

  it('makes a run in a stopped state wait, naming the stop, and refuses its dispatch', () => {
    const run = anExecution({ zipcode: '70112', primaryPhone: '+15045550123' });
    const now = new Date('2026-11-24T16:00:00Z');
    const next = decideNext(run, now, 0, { blockedStates: ['LA'] });
    expect(next.plan).toEqual({
      action: 'STEP',
      stepIndex: 0,
      waitUntil: '2026-11-24T17:00:00.000Z',
    });
    expect(next.schedule).toMatchObject({
      nextRunAt: null,
      deferredBy: ['emergencyStop, waiting: emergency stop for LA'],
    });
    expect(ruleOfDeferral(next.schedule?.deferredBy[0] ?? '')).toBe('emergencyStop');
    expect(checkDispatch(run, 0, now, { blockedStates: ['LA'] })).toEqual({
      ok: false,
      reason: 'emergencyStop, waiting: emergency stop for LA',
    });
    expect(decideNext(run, now, 0, { blockedStates: ['TX'] }).schedule?.nextRunAt).toBe(
      now.toISOString()
    );
  });

  it('places a run in the dispatch spread by workflow, phone and lead, not by execution id', () => {
    const waiting = (id: string) =>
      decideNext(
        anExecution({ id, tcpaSchedule: federalTcpaSchedule }),
        new Date('2026-11-23T15:00:00Z'),
        60_000
      ).plan.waitUntil;
    expect(waiting('019ab1f0-0000-7000-8000-0000000000aa')).toBe(
      waiting('019ab1f0-0000-7000-8000-0000000000bb')
    );
  });
});

describe('ruleOfDeferral', () => {
  it('keys the metric by a small set of rule names', () => {
    expect(
      [
        'workflowSchedule, Monday before 09:00 in America/New_York',
        'tcpaSchedule, Sunday before 13:00 in America/Chicago',
        'Federal quiet hours, Tuesday before 08:00 in America/Los_Angeles',
        'Utah holiday, Pioneer Day (2026-07-24) in America/Denver',
        'emergencyStop, waiting: emergency stop for LA',
      ].map(ruleOfDeferral)
    ).toEqual(['workflowSchedule', 'tcpaSchedule', 'stateLaw', 'holiday', 'emergencyStop']);
  });
});
