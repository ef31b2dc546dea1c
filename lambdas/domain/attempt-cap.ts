import type { RecentAttempts } from '../schemas/compliance.js';
import { type AttemptCap, LEGAL_ATTEMPT_CAP } from './contact-rules.js';

export type { AttemptCap, RecentAttempts };

export type CapVerdict =
  | { allowed: true }
  /** Every cap allows an attempt again at `nextAt`; `cap` is the one that holds it longest. */
  | { allowed: false; nextAt: Date; cap: AttemptCap };

/** A workflow's own cap, never above the legal one (its schema refuses more). */
export function workflowCap(maxAttemptsPer24h: number | undefined): AttemptCap | undefined {
  if (maxAttemptsPer24h === undefined || maxAttemptsPer24h >= LEGAL_ATTEMPT_CAP.limit) return;
  return {
    ...LEGAL_ATTEMPT_CAP,
    limit: maxAttemptsPer24h,
    label: `${maxAttemptsPer24h} in 24 h (workflow)`,
  };
}

/**
 * Whether one more attempt at `now` keeps every cap. A cap of `limit` in `windowMs` that is full
 * frees up when its oldest counted attempt leaves the window; with several caps full, the
 * attempt waits for the last of them (counts only fall as time passes, so that instant holds).
 */
export function checkCaps(
  recent: RecentAttempts,
  caps: readonly AttemptCap[],
  now: Date
): CapVerdict {
  let verdict: CapVerdict = { allowed: true };
  const instants = Object.values(recent).sort((a, b) => a - b);
  for (const cap of caps) {
    // One counted by a Lambda whose clock runs a little ahead still counts.
    const inWindow = instants.filter((at) => at > now.getTime() - cap.windowMs);
    if (inWindow.length < cap.limit) continue;
    const oldestToLeave = inWindow[inWindow.length - cap.limit] as number;
    const nextAt = new Date(oldestToLeave + cap.windowMs);
    if (verdict.allowed || nextAt > verdict.nextAt) verdict = { allowed: false, nextAt, cap };
  }
  return verdict;
}

/** The attempts still inside the longest window of `caps` at `now`: older ones never count again. */
export function pruneAttempts(
  recent: RecentAttempts,
  caps: readonly AttemptCap[],
  now: Date
): RecentAttempts {
  const longest = Math.max(LEGAL_ATTEMPT_CAP.windowMs, ...caps.map((cap) => cap.windowMs));
  return Object.fromEntries(
    Object.entries(recent).filter(([, at]) => at > now.getTime() - longest)
  );
}

/** "attempt cap: 3 in 24 h for +14155550123, next at 2026-…Z": why a capped attempt waits. */
export function capDeferral(
  phone: string,
  verdict: Extract<CapVerdict, { allowed: false }>
): string {
  return `attempt cap: ${verdict.cap.label} for ${phone}, next at ${verdict.nextAt.toISOString()}`;
}
