import { countRequest } from '../adapters/request-counters.js';
import { type RequestLimit, requestWindow, retryAfterSeconds } from '../domain/request-window.js';
import { config } from '../shared/config.js';
import { RateLimitedError } from '../shared/errors.js';

export function configuredRequestLimit(): RequestLimit {
  const { ORG_REQUEST_RATE, ORG_REQUEST_BURST } = config();
  return { perSecond: ORG_REQUEST_RATE, burst: ORG_REQUEST_BURST };
}

/**
 * Windows this instance already found full, by organization: further requests in the same
 * window are refused without another write, so a client hammering past its limit costs no
 * more DynamoDB writes than the limit itself.
 */
const fullWindows = new Map<string, number>();

/**
 * Counts one API request against its organization's limit, or refuses it with the seconds
 * until the window ends. One request is one count, whatever it does (a bulk create of 25 leads
 * counts once).
 */
export async function admitRequest(
  organizationId: string,
  now: Date,
  limit: RequestLimit = configuredRequestLimit()
): Promise<void> {
  const window = requestWindow(limit, now);
  const knownFull = fullWindows.get(organizationId) === window.startMs;
  if (!knownFull && (await countRequest(organizationId, window))) return;
  fullWindows.set(organizationId, window.startMs);
  throw new RateLimitedError(retryAfterSeconds(window, now));
}
