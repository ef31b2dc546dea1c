/**
 * Per-organization request limits as fixed windows: an organization may send `burst` requests
 * in each window of `burst / perSecond` seconds, which is `perSecond` sustained with room for a
 * burst of `burst` at once. Pure: the caller passes `now` and stores the count.
 */
export interface RequestLimit {
  /** Sustained requests per second. */
  perSecond: number;
  /** Requests allowed at once; also the count allowed per window. */
  burst: number;
}

export interface RequestWindow {
  /** Epoch milliseconds the window starts at: names the window's counter. */
  startMs: number;
  endMs: number;
  /** How many requests the window admits. */
  limit: number;
  /** Epoch seconds after which the counter is garbage (a DynamoDB TTL attribute). */
  expiresAtSeconds: number;
}

/** Counters outlive their window by this much, so clocks a little apart never recount one. */
const COUNTER_GRACE_SECONDS = 60;

export function windowLengthMs(limit: RequestLimit): number {
  return Math.max(1, Math.round((1000 * limit.burst) / limit.perSecond));
}

/** The window `now` falls in. */
export function requestWindow(limit: RequestLimit, now: Date): RequestWindow {
  const length = windowLengthMs(limit);
  const startMs = Math.floor(now.getTime() / length) * length;
  const endMs = startMs + length;
  return {
    startMs,
    endMs,
    limit: limit.burst,
    expiresAtSeconds: Math.ceil(endMs / 1000) + COUNTER_GRACE_SECONDS,
  };
}

/** Whole seconds until the window ends (HTTP's Retry-After), at least 1. */
export function retryAfterSeconds(window: RequestWindow, now: Date): number {
  return Math.max(1, Math.ceil((window.endMs - now.getTime()) / 1000));
}
