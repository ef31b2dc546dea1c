import { LEGAL_ATTEMPTS_PER_24H, type StepType } from '../schemas/workflow.js';

/**
 * The two facts about state law that caps and emergency stops need, each behind one function so
 * the full state-rule engine can replace them: which states' laws may apply to a recipient, and
 * the strictest attempt cap among them.
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

/** Maine: automated calls at most once per 8 hours per number (10 M.R.S. §1498(3)). */
const maineAutomatedCalls: AttemptCap = { limit: 1, windowMs: 8 * HOUR_MS, label: '1 in 8 h (ME)' };

/** Every cap that applies to a recipient who may be in any of `states`: all of them must hold. */
export function attemptCapsFor(states: readonly string[], channel: StepType): AttemptCap[] {
  const caps = [LEGAL_ATTEMPT_CAP];
  // An AI voice counts as an artificial voice (FCC 24-17), so every call is automated.
  if (channel === 'CALL' && states.includes('ME')) caps.push(maineAutomatedCalls);
  return caps;
}

/**
 * The US states whose law may apply to the recipient. Today: the state the run was created with.
 * The state-rule engine widens this (ZIP, area-code presumption statutes).
 */
export function candidateStatesOf(contact: { state?: string }): string[] {
  return contact.state ? [contact.state.toUpperCase()] : [];
}
