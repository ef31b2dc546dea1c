import { describe, expect, it } from 'vitest';
import {
  resolveRecipientZones,
  stateZones,
  usStateCodes,
} from '../../../lambdas/domain/recipient-zones.js';

/** Every zone of every state and territory, sorted: what an unlocatable recipient is held to. */
const everyUsZone = [
  'America/Adak',
  'America/Anchorage',
  'America/Boise',
  'America/Chicago',
  'America/Denver',
  'America/Detroit',
  'America/Indiana/Indianapolis',
  'America/Juneau',
  'America/Los_Angeles',
  'America/Menominee',
  'America/Metlakatla',
  'America/New_York',
  'America/Nome',
  'America/Phoenix',
  'America/Puerto_Rico',
  'America/Sitka',
  'America/St_Thomas',
  'America/Yakutat',
  'Pacific/Guam',
  'Pacific/Honolulu',
  'Pacific/Pago_Pago',
  'Pacific/Saipan',
];

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

describe('resolveRecipientZones', () => {
  it('resolves ZIP 94107 (San Francisco) to America/Los_Angeles', () => {
    expect(resolveRecipientZones({ zipcode: '94107' })).toEqual({
      zones: ['America/Los_Angeles'],
      source: 'zipcode',
    });
  });

  it('resolves ZIP 10001 (Manhattan) to America/New_York', () => {
    expect(resolveRecipientZones({ zipcode: '10001' })).toEqual({
      zones: ['America/New_York'],
      source: 'zipcode',
    });
  });

  it('resolves a ZIP+4 written with a hyphen by its first five digits', () => {
    expect(resolveRecipientZones({ zipcode: '94107-1234' })).toEqual({
      zones: ['America/Los_Angeles'],
      source: 'zipcode',
    });
  });

  it('resolves a ZIP+4 written without a hyphen by its first five digits', () => {
    expect(resolveRecipientZones({ zipcode: '100011234' })).toEqual({
      zones: ['America/New_York'],
      source: 'zipcode',
    });
  });

  it('prefers the ZIP over the state when both are known', () => {
    expect(resolveRecipientZones({ zipcode: '10001', state: 'CA' })).toEqual({
      zones: ['America/New_York'],
      source: 'zipcode',
    });
  });

  it('falls back to the state’s zones when the ZIP is unknown', () => {
    expect(resolveRecipientZones({ zipcode: '00000', state: 'CA' })).toEqual({
      zones: ['America/Los_Angeles'],
      source: 'state',
    });
  });

  it('reads a lower-case state code', () => {
    expect(resolveRecipientZones({ state: 'ny' })).toEqual({
      zones: ['America/New_York'],
      source: 'state',
    });
  });

  it('holds a Texas recipient to both Central and Mountain time', () => {
    expect(resolveRecipientZones({ state: 'TX' })).toEqual({
      zones: ['America/Chicago', 'America/Denver'],
      source: 'state',
    });
  });

  it('holds a lower-case multi-zone state to every one of its zones', () => {
    expect(resolveRecipientZones({ zipcode: '99999', state: 'tx' })).toEqual({
      zones: ['America/Chicago', 'America/Denver'],
      source: 'state',
    });
  });

  it('holds a recipient with neither ZIP nor state to every US zone', () => {
    expect(resolveRecipientZones({})).toEqual({ zones: everyUsZone, source: 'unknown' });
  });

  it('holds a recipient with an unknown ZIP and an unknown state to every US zone', () => {
    expect(resolveRecipientZones({ zipcode: '00000', state: 'ZZ' })).toEqual({
      zones: everyUsZone,
      source: 'unknown',
    });
  });

  it('treats an empty ZIP as unknown', () => {
    expect(resolveRecipientZones({ zipcode: '' })).toEqual({
      zones: everyUsZone,
      source: 'unknown',
    });
  });
});

describe('usStateCodes', () => {
  it('lists the 50 states, DC and the five inhabited territories', () => {
    expect(usStateCodes).toHaveLength(56);
    expect(usStateCodes).toEqual(expect.arrayContaining(['DC', 'PR', 'VI', 'GU', 'AS', 'MP']));
  });

  it('maps every code to at least one zone that Intl accepts', () => {
    const invalid = usStateCodes.flatMap((code) => {
      const zones = stateZones[code] ?? [];
      if (zones.length === 0) return [`${code}: no zone`];
      return zones.filter((zone) => !isIanaZone(zone)).map((zone) => `${code}: ${zone}`);
    });
    expect(invalid).toEqual([]);
  });

  it('resolves every code by state alone to exactly its listed zones', () => {
    for (const code of usStateCodes) {
      expect(resolveRecipientZones({ state: code })).toEqual({
        zones: [...(stateZones[code] ?? [])],
        source: 'state',
      });
    }
  });
});
