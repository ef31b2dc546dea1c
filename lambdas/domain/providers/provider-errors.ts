import type { Disposition } from '../../schemas/common.js';

/**
 * What to do when a provider refuses to start a call or text. Provider trouble (limits, auth,
 * billing, outages, the network) is not a contact outcome: the dispatch is retried with backoff
 * and only then settles COULD_NOT_CONNECT. A refusal that names the number settles it at once.
 */

export type RetryReason =
  | 'concurrency'
  | 'rateLimit'
  | 'quota'
  | 'auth'
  | 'billing'
  | 'outage'
  | 'network';

export type ErrorVerdict =
  /** Try the dispatch again after at least `baseDelayMs` (or the provider's Retry-After). */
  | { action: 'retry'; reason: RetryReason; baseDelayMs: number; alert: boolean }
  /** Settle now: trying again cannot work. `alert` when the request, i.e. our configuration, is wrong. */
  | {
      action: 'fail';
      reason: 'badNumber' | 'optedOut' | 'invalidRequest';
      disposition: Disposition;
      alert: boolean;
    }
  /** The provider refused this contact for a reason of its own (country, carrier, sandbox): settle now. */
  | { action: 'couldNotConnect'; alert: boolean };

/** What a retried dispatch settles with once its retries are spent. */
export const DISPOSITION_AFTER_RETRIES: Disposition = 'COULD_NOT_CONNECT';

export type ProviderFailure =
  /** An HTTP answer from Retell, Vapi or Twilio; `code` is the body's error code or message. */
  | { kind: 'http'; status: number; code?: string | number; retryAfterSeconds?: number }
  /** No answer at all: DNS, connection reset, timeout. */
  | { kind: 'network' }
  /** An AWS SDK error: its `name`, the `Reason` field some exceptions carry, its HTTP status. */
  | { kind: 'aws'; name: string; reason?: string; httpStatus?: number };

/** How long each kind of trouble takes to clear, roughly: the first retry waits this long. */
export const RETRY_BASE_DELAY_MS: Readonly<Record<RetryReason, number>> = {
  // A slot frees when one of our calls ends.
  concurrency: 15_000,
  rateLimit: 2_000,
  network: 2_000,
  outage: 10_000,
  // Needs a person: top up, rotate the key, raise the quota.
  quota: 60_000,
  auth: 60_000,
  billing: 60_000,
};

const ALERTING: ReadonlySet<RetryReason> = new Set(['quota', 'auth', 'billing']);

export function retry(reason: RetryReason): ErrorVerdict {
  return {
    action: 'retry',
    reason,
    baseDelayMs: RETRY_BASE_DELAY_MS[reason],
    alert: ALERTING.has(reason),
  };
}

const badNumber: ErrorVerdict = {
  action: 'fail',
  reason: 'badNumber',
  disposition: 'BAD_NUMBER',
  alert: false,
};
const optedOut: ErrorVerdict = {
  action: 'fail',
  reason: 'optedOut',
  disposition: 'DNC',
  alert: false,
};
const invalidRequest: ErrorVerdict = {
  action: 'fail',
  reason: 'invalidRequest',
  disposition: 'COULD_NOT_CONNECT',
  alert: true,
};
const refused = (alert: boolean): ErrorVerdict => ({ action: 'couldNotConnect', alert });

/**
 * Error codes in a Retell or Vapi error body, matched before the HTTP status: both answer a
 * concurrency limit with a plain 4xx. Retell: `concurrency_limit_reached`, `no_valid_payment`
 * (its disconnection reasons); Vapi: its `call.start.error-*` family (`ServerMessageEndOfCallReportEndedReason`).
 */
export const BODY_CODE_VERDICTS: ReadonlyArray<readonly [RegExp, ErrorVerdict]> = [
  [/concurrency[-_]limit[-_]reached|no_concurrency_fallback/, retry('concurrency')],
  [
    /no_valid_payment|insufficient-credits|subscription-frozen|wallet-does-not-exist/,
    retry('billing'),
  ],
  [/outbound-daily-limit/, retry('quota')],
  [/vapi-number-international/, refused(true)],
];

/** By HTTP status, when no body code matched. */
export const HTTP_STATUS_VERDICTS: Readonly<Record<number, ErrorVerdict>> = {
  400: invalidRequest,
  401: retry('auth'),
  402: retry('billing'),
  403: retry('auth'),
  404: invalidRequest,
  408: retry('network'),
  422: invalidRequest,
  429: retry('rateLimit'),
};

/**
 * Twilio REST error codes (https://www.twilio.com/docs/api/errors): 21610 "Attempt to send to
 * unsubscribed recipient", 21211 "Invalid 'To' Phone Number", 20429 "Too Many Requests",
 * 20003 "Authentication Error".
 */
export const TWILIO_CODE_VERDICTS: Readonly<Record<number, ErrorVerdict>> = {
  21610: optedOut,
  21211: badNumber,
  20429: retry('rateLimit'),
  20003: retry('auth'),
};

/** AWS SDK exception names (pinpoint-sms-voice-v2 service model). */
export const AWS_NAME_VERDICTS: Readonly<Record<string, ErrorVerdict>> = {
  ThrottlingException: retry('rateLimit'),
  ServiceQuotaExceededException: retry('quota'),
  InternalServerException: retry('outage'),
  AccessDeniedException: retry('auth'),
  ResourceNotFoundException: invalidRequest,
  ValidationException: invalidRequest,
  ConflictException: refused(true),
  // The SDK's own transport failures.
  TimeoutError: retry('network'),
  NetworkingError: retry('network'),
};

/** The `Reason` of a ValidationException or ConflictException, which can name the number. */
export const AWS_REASON_VERDICTS: Readonly<Record<string, ErrorVerdict>> = {
  DESTINATION_PHONE_NUMBER_OPTED_OUT: optedOut,
  CANNOT_PARSE: badNumber,
  DESTINATION_COUNTRY_BLOCKED: refused(false),
  DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION: refused(false),
  DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE: refused(false),
  // A sandbox account may text verified numbers only.
  DESTINATION_PHONE_NUMBER_NOT_VERIFIED: refused(true),
};

function classifyHttp(failure: Extract<ProviderFailure, { kind: 'http' }>): ErrorVerdict {
  const code = failure.code === undefined ? '' : String(failure.code);
  const twilio = TWILIO_CODE_VERDICTS[Number(code)];
  if (twilio) return twilio;
  const byBody = BODY_CODE_VERDICTS.find(([pattern]) => pattern.test(code));
  if (byBody) return byBody[1];
  const byStatus = HTTP_STATUS_VERDICTS[failure.status];
  if (byStatus) return byStatus;
  if (failure.status >= 500) return retry('outage');
  return refused(true);
}

function classifyAws(failure: Extract<ProviderFailure, { kind: 'aws' }>): ErrorVerdict {
  const byReason = failure.reason === undefined ? undefined : AWS_REASON_VERDICTS[failure.reason];
  if (byReason) return byReason;
  const byName = AWS_NAME_VERDICTS[failure.name];
  if (byName) return byName;
  return (failure.httpStatus ?? 0) >= 500 ? retry('outage') : refused(true);
}

export function classifyProviderError(failure: ProviderFailure): ErrorVerdict {
  if (failure.kind === 'network') return retry('network');
  if (failure.kind === 'aws') return classifyAws(failure);
  const verdict = classifyHttp(failure);
  if (verdict.action !== 'retry' || failure.retryAfterSeconds === undefined) return verdict;
  // The provider said when: never sooner than that.
  const retryAfterMs = failure.retryAfterSeconds * 1000;
  return { ...verdict, baseDelayMs: Math.max(verdict.baseDelayMs, retryAfterMs) };
}

/**
 * The wait before retry `attempt` (1 = the first retry): `baseMs` doubled per attempt, at most
 * `capMs`, with "equal jitter": half the delay is fixed, half scaled by `jitter` in [0, 1), so
 * dispatches that failed together spread out but none retries at once.
 */
export function backoffDelayMs(input: {
  attempt: number;
  baseMs: number;
  capMs: number;
  jitter: number;
}): number {
  const exponent = Math.max(0, Math.floor(input.attempt) - 1);
  const delay = Math.min(input.capMs, input.baseMs * 2 ** Math.min(exponent, 30));
  const jitter = Math.min(Math.max(input.jitter, 0), 1);
  return Math.round(delay / 2 + (delay / 2) * jitter);
}
