import { LEGAL_ATTEMPTS_PER_24H, type StepType } from '../schemas/workflow.js';
import { candidatesOf } from './recipient-zones.js';
import { attemptCapFor } from './state-rules.js';

/**
 * The two facts about state law that caps and emergency stops need, read from the state rule
 * table: which states' laws may apply to a recipient, and the caps among them.
 */

/** At most `limit` contact attempts per phone number in any rolling `windowMs`. */
export interface AttemptCap {
  limit: number;
  windowMs: number;
  /** Why this cap applies, for the schedule decision ("3 in 24 h", "1 in 8 h (ME)"). */
  label: string;
}

const HOUR_MS = 3_600_000;

/**
 * The default for every organization: 3 attempts per phone number per rolling 24 hours across
 * all workflows. Florida (Fla. Stat. 501.616(6)(b)), Maryland (Md. Com. Law 14-4503) and
 * Oklahoma (15 O.S. 775C.4) cap calls and texts on one subject at 3 per 24 h; one global default
 * covers all three. https://www.flsenate.gov/Laws/Statutes/2023/501.616
 */
export const LEGAL_ATTEMPT_CAP: AttemptCap = {
  limit: LEGAL_ATTEMPTS_PER_24H,
  windowMs: 24 * HOUR_MS,
  label: `${LEGAL_ATTEMPTS_PER_24H} in 24 h`,
};

/**
 * Every cap that applies to a recipient who may be in any of `states`: all of them must hold.
 * The state rows' per-day caps (never above the default) and minimum spacing (Maine: automated
 * calls at most once per 8 hours; an AI voice is an artificial voice under FCC 24-17).
 */
export function attemptCapsFor(states: readonly string[], channel: StepType): AttemptCap[] {
  const law = attemptCapFor(states, channel === 'CALL' ? 'call' : 'text');
  const setBy = law.sources.map((source) => source.split(':')[0]).join(', ');
  const caps: AttemptCap[] =
    law.perDay < LEGAL_ATTEMPT_CAP.limit
      ? [{ limit: law.perDay, windowMs: 24 * HOUR_MS, label: `${law.perDay} in 24 h (${setBy})` }]
      : [LEGAL_ATTEMPT_CAP];
  if (law.minSpacingMs > 0) {
    const hours = law.minSpacingMs / HOUR_MS;
    caps.push({ limit: 1, windowMs: law.minSpacingMs, label: `1 in ${hours} h (${setBy})` });
  }
  return caps;
}

/** The US states whose law may apply to the recipient: address, ZIP and area code. */
export function candidateStatesOf(contact: {
  primaryPhone: string;
  zipcode?: string;
  state?: string;
}): string[] {
  return candidatesOf(contact).states;
}
