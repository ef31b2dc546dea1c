import { describe, expect, it } from 'vitest';
import {
  AWS_NAME_VERDICTS,
  AWS_REASON_VERDICTS,
  BODY_CODE_VERDICTS,
  backoffDelayMs,
  classifyProviderError,
  HTTP_STATUS_VERDICTS,
  type ProviderFailure,
  TWILIO_CODE_VERDICTS,
} from '../../../../lambdas/domain/providers/provider-errors.js';

const retry = (reason: string, alert = false) =>
  expect.objectContaining({ action: 'retry', reason, alert });
const fail = (reason: string, disposition: string) =>
  expect.objectContaining({ action: 'fail', reason, disposition });
const refused = (alert: boolean) => ({ action: 'couldNotConnect', alert });

/** [failure, expected verdict, source]. */
const httpRows: ReadonlyArray<readonly [string, ProviderFailure, unknown, string]> = [
  // Body codes, before the status: both providers answer a limit with a plain 4xx.
  [
    'Retell concurrency limit',
    { kind: 'http', status: 429, code: 'concurrency_limit_reached' },
    retry('concurrency'),
    'retell-sdk CallResponse.disconnection_reason; https://docs.retellai.com/reliability/debug-call-disconnect',
  ],
  [
    'Retell no concurrency fallback',
    { kind: 'http', status: 400, code: 'no_concurrency_fallback' },
    retry('concurrency'),
    'retell-sdk CallResponse.disconnection_reason',
  ],
  [
    'Vapi concurrency limit',
    { kind: 'http', status: 400, code: 'call.start.error-subscription-concurrency-limit-reached' },
    retry('concurrency'),
    'ServerMessageEndOfCallReportEndedReason',
  ],
  [
    'Retell payment',
    { kind: 'http', status: 402, code: 'no_valid_payment' },
    retry('billing', true),
    'retell-sdk CallResponse.disconnection_reason',
  ],
  [
    'Vapi credits',
    { kind: 'http', status: 400, code: 'call.start.error-subscription-insufficient-credits' },
    retry('billing', true),
    'ServerMessageEndOfCallReportEndedReason',
  ],
  [
    'Vapi frozen subscription',
    { kind: 'http', status: 400, code: 'call.start.error-subscription-frozen' },
    retry('billing', true),
    'ServerMessageEndOfCallReportEndedReason',
  ],
  [
    'Vapi wallet',
    { kind: 'http', status: 400, code: 'call.start.error-subscription-wallet-does-not-exist' },
    retry('billing', true),
    'ServerMessageEndOfCallReportEndedReason',
  ],
  [
    'Vapi daily limit',
    { kind: 'http', status: 400, code: 'call.start.error-vapi-number-outbound-daily-limit' },
    retry('quota', true),
    'ServerMessageEndOfCallReportEndedReason',
  ],
  [
    'Vapi free number abroad',
    { kind: 'http', status: 400, code: 'call.start.error-vapi-number-international' },
    refused(true),
    'https://docs.vapi.ai/calls/outbound-calling',
  ],
  // Twilio codes (https://www.twilio.com/docs/api/errors/<code>).
  [
    'Twilio 21610 unsubscribed recipient',
    { kind: 'http', status: 400, code: 21610 },
    fail('optedOut', 'DNC'),
    'https://www.twilio.com/docs/api/errors/21610',
  ],
  [
    'Twilio 21211 invalid To',
    { kind: 'http', status: 400, code: 21211 },
    fail('badNumber', 'BAD_NUMBER'),
    'https://www.twilio.com/docs/api/errors/21211',
  ],
  [
    'Twilio 20429 too many requests',
    { kind: 'http', status: 429, code: 20429 },
    retry('rateLimit'),
    'https://www.twilio.com/docs/api/errors/20429',
  ],
  [
    'Twilio 20003 authentication',
    { kind: 'http', status: 401, code: 20003 },
    retry('auth', true),
    'https://www.twilio.com/docs/api/errors/20003',
  ],
  // By status alone.
  [
    '400',
    { kind: 'http', status: 400 },
    fail('invalidRequest', 'COULD_NOT_CONNECT'),
    'RFC 9110 §15.5.1',
  ],
  ['401', { kind: 'http', status: 401 }, retry('auth', true), 'RFC 9110 §15.5.2'],
  ['402', { kind: 'http', status: 402 }, retry('billing', true), 'RFC 9110 §15.5.3'],
  ['403', { kind: 'http', status: 403 }, retry('auth', true), 'RFC 9110 §15.5.4'],
  [
    '404',
    { kind: 'http', status: 404 },
    fail('invalidRequest', 'COULD_NOT_CONNECT'),
    'RFC 9110 §15.5.5',
  ],
  ['408', { kind: 'http', status: 408 }, retry('network'), 'RFC 9110 §15.5.9'],
  [
    '422',
    { kind: 'http', status: 422 },
    fail('invalidRequest', 'COULD_NOT_CONNECT'),
    'RFC 9110 §15.5.21',
  ],
  ['429', { kind: 'http', status: 429 }, retry('rateLimit'), 'RFC 6585 §4'],
];

describe('classifyProviderError: HTTP answers, one row each', () => {
  it.each(httpRows)('%s (source %s)', (_name, failure, verdict) => {
    expect(classifyProviderError(failure)).toEqual(verdict);
  });

  it('has rows for every body code, Twilio code and status in the tables', () => {
    expect(BODY_CODE_VERDICTS).toHaveLength(4);
    expect(Object.keys(TWILIO_CODE_VERDICTS).sort()).toEqual(['20003', '20429', '21211', '21610']);
    expect(Object.keys(HTTP_STATUS_VERDICTS).sort()).toEqual([
      '400',
      '401',
      '402',
      '403',
      '404',
      '408',
      '422',
      '429',
    ]);
  });

  it('retries any 5xx as an outage, and refuses an unlisted 4xx without retrying', () => {
    for (const status of [500, 502, 503, 504]) {
      expect(classifyProviderError({ kind: 'http', status })).toEqual(retry('outage'));
    }
    expect(classifyProviderError({ kind: 'http', status: 409 })).toEqual(refused(true));
  });

  it('retries a network failure', () => {
    expect(classifyProviderError({ kind: 'network' })).toEqual(retry('network'));
  });

  it('waits at least what Retry-After says', () => {
    expect(
      classifyProviderError({ kind: 'http', status: 429, retryAfterSeconds: 30 })
    ).toMatchObject({
      baseDelayMs: 30_000,
    });
    expect(
      classifyProviderError({ kind: 'http', status: 429, retryAfterSeconds: 0 })
    ).toMatchObject({
      baseDelayMs: 2_000,
    });
    expect(
      classifyProviderError({ kind: 'http', status: 400, retryAfterSeconds: 30 })
    ).not.toHaveProperty('baseDelayMs');
  });
});

const MODEL =
  'pinpoint-sms-voice-v2 service model, https://github.com/boto/botocore/tree/develop/botocore/data/pinpoint-sms-voice-v2';
/** [name, reason, verdict]. */
const awsRows: ReadonlyArray<readonly [string, string | undefined, unknown]> = [
  ['ThrottlingException', undefined, retry('rateLimit')],
  ['ServiceQuotaExceededException', undefined, retry('quota', true)],
  ['InternalServerException', undefined, retry('outage')],
  ['AccessDeniedException', 'ACCOUNT_DISABLED', retry('auth', true)],
  ['ResourceNotFoundException', undefined, fail('invalidRequest', 'COULD_NOT_CONNECT')],
  ['ValidationException', 'INVALID_PARAMETER', fail('invalidRequest', 'COULD_NOT_CONNECT')],
  ['ConflictException', undefined, refused(true)],
  ['TimeoutError', undefined, retry('network')],
  ['NetworkingError', undefined, retry('network')],
  ['ConflictException', 'DESTINATION_PHONE_NUMBER_OPTED_OUT', fail('optedOut', 'DNC')],
  ['ValidationException', 'CANNOT_PARSE', fail('badNumber', 'BAD_NUMBER')],
  ['ValidationException', 'DESTINATION_COUNTRY_BLOCKED', refused(false)],
  ['ConflictException', 'DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION', refused(false)],
  [
    'ConflictException',
    'DESTINATION_PHONE_NUMBER_BLOCKED_BY_PROTECT_NUMBER_OVERRIDE',
    refused(false),
  ],
  ['ConflictException', 'DESTINATION_PHONE_NUMBER_NOT_VERIFIED', refused(true)],
];

describe(`classifyProviderError: AWS SDK errors, one row each (${MODEL})`, () => {
  it.each(awsRows)('%s %s', (name, reason, verdict) => {
    expect(classifyProviderError({ kind: 'aws', name, reason })).toEqual(verdict);
  });

  it('has rows for every name and reason in the tables', () => {
    expect(new Set(awsRows.map(([name]) => name))).toEqual(new Set(Object.keys(AWS_NAME_VERDICTS)));
    const reasons = awsRows.flatMap(([, reason]) =>
      reason && reason in AWS_REASON_VERDICTS ? [reason] : []
    );
    expect(reasons.sort()).toEqual(Object.keys(AWS_REASON_VERDICTS).sort());
  });

  it('reads an unknown AWS error by its HTTP status', () => {
    expect(classifyProviderError({ kind: 'aws', name: 'SomethingNew', httpStatus: 503 })).toEqual(
      retry('outage')
    );
    expect(classifyProviderError({ kind: 'aws', name: 'SomethingNew', httpStatus: 400 })).toEqual(
      refused(true)
    );
  });
});

describe('backoffDelayMs', () => {
  const schedule = (jitter: number) =>
    [1, 2, 3, 4, 5, 6].map((attempt) =>
      backoffDelayMs({ attempt, baseMs: 1_000, capMs: 10_000, jitter })
    );

  it('doubles per attempt up to the cap; jitter 0 waits half, jitter 1 the whole delay', () => {
    expect(schedule(0)).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(schedule(1)).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(schedule(0.5)).toEqual([750, 1_500, 3_000, 6_000, 7_500, 7_500]);
  });

  it('stays within [delay/2, delay] for any jitter, and survives huge attempts', () => {
    expect(backoffDelayMs({ attempt: 1, baseMs: 1_000, capMs: 10_000, jitter: -3 })).toBe(500);
    expect(backoffDelayMs({ attempt: 1, baseMs: 1_000, capMs: 10_000, jitter: 7 })).toBe(1_000);
    expect(backoffDelayMs({ attempt: 10_000, baseMs: 1_000, capMs: 60_000, jitter: 1 })).toBe(
      60_000
    );
    expect(backoffDelayMs({ attempt: 0, baseMs: 1_000, capMs: 60_000, jitter: 1 })).toBe(1_000);
  });
});
