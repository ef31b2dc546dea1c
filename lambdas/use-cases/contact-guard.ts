import { type ContactGuard, readContactGuard, recordAttempts } from '../adapters/contact-guards.js';
import { listEmergencyStops } from '../adapters/emergency-stops.js';
import { capDeferral, checkCaps, pruneAttempts, workflowCap } from '../domain/attempt-cap.js';
import { type AttemptCap, attemptCapsFor, candidateStatesOf } from '../domain/contact-rules.js';
import type { Execution } from '../schemas/execution.js';
import { ConcurrentUpdateError } from '../shared/errors.js';

/** How often a run held by an emergency stop looks again (a lift takes effect by then). */
export const EMERGENCY_STOP_RECHECK_MS = 15 * 60_000;

export type Admission =
  | { kind: 'admit' }
  /** The number is on the organization's do-not-contact list: the run ends, never contacts. */
  | { kind: 'suppressed'; reason: string }
  /**
   * Not now: the run waits until `until` (a cap frees up, a stop is re-checked); `reason` is
   * its schedule decision, `rule` alone goes to the state machine's history (no number there).
   */
  | { kind: 'defer'; until: Date; reason: string; rule: 'attempt cap' | 'emergency stop' };

export function suppressionReason(phone: string, why: string): string {
  return `${phone} is on the organization's do-not-contact list (${why})`;
}

/**
 * The organization's blocked states, in one place for every check that needs them (Dispatch
 * here; the schedule engine takes them as its `blockedStates`).
 */
export async function blockedStatesOf(organizationId: string): Promise<string[]> {
  return (await listEmergencyStops(organizationId)).map((stop) => stop.state);
}

/** Every cap on this attempt: the law's for the recipient's states, and the workflow's own. */
export function capsOf(execution: Execution): AttemptCap[] {
  const step = execution.definition.steps[execution.stepIndex];
  const caps = attemptCapsFor(candidateStatesOf(execution), step?.type ?? 'CALL');
  const own = workflowCap(execution.maxAttemptsPer24h);
  return own ? [...caps, own] : caps;
}

/**
 * Right before a contact: may attempt `attemptId` of this run reach its phone now?
 * 1. A suppressed number: never. A candidate state under an emergency stop: wait and look again.
 * 2. Caps: counted across every workflow of the organization in one conditional write on the
 *    number's guard item, refused when another attempt was counted since the read (then read
 *    again), so two runs racing for one number never both pass a full cap. A full cap defers
 *    the run until its oldest counted attempt leaves the window; it is not a failure.
 * An attempt counted already (a retried Dispatch) is admitted without counting it twice.
 */
export async function admitContact(
  execution: Execution,
  attemptId: string,
  now: Date
): Promise<Admission> {
  const phone = execution.primaryPhone;
  const [first, blocked] = await Promise.all([
    readContactGuard(execution.organizationId, phone),
    blockedStatesOf(execution.organizationId),
  ]);
  const stopped = candidateStatesOf(execution).filter((state) => blocked.includes(state));
  if (!first.suppression && stopped.length > 0) {
    const until = new Date(now.getTime() + EMERGENCY_STOP_RECHECK_MS);
    const reason = `emergency stop: contact to ${stopped.join(', ')} blocked by the organization, re-checked at ${until.toISOString()}`;
    return { kind: 'defer', until, reason, rule: 'emergency stop' };
  }
  const caps = capsOf(execution);
  let guard: ContactGuard = first;
  for (let tries = 0; tries < 5; tries++) {
    if (guard.suppression) {
      return { kind: 'suppressed', reason: suppressionReason(phone, guard.suppression.reason) };
    }
    if (guard.attempts[attemptId] !== undefined) return { kind: 'admit' };
    const verdict = checkCaps(guard.attempts, caps, now);
    if (!verdict.allowed) {
      const reason = capDeferral(phone, verdict);
      return { kind: 'defer', until: verdict.nextAt, reason, rule: 'attempt cap' };
    }
    const attempts = { ...pruneAttempts(guard.attempts, caps, now), [attemptId]: now.getTime() };
    if (await recordAttempts(execution.organizationId, phone, guard, attempts)) {
      return { kind: 'admit' };
    }
    guard = await readContactGuard(execution.organizationId, phone);
  }
  throw new ConcurrentUpdateError(`attempt count of ${phone}`);
}
