import { z } from 'zod';

/** The 15 outcomes a step reports (Feather's disposition list); `finishOn` matches them. */
export const dispositions = [
  'COULD_NOT_CONNECT',
  'NO_ANSWER',
  'LEFT_VOICEMAIL',
  'VOICEMAIL_DETECTED',
  'SILENCE_TIMEOUT',
  'BAD_NUMBER',
  'NOT_INTERESTED',
  'WARM_TRANSFER',
  'CALENDLY',
  'DNC',
  'ENDED',
  'FRAUD',
  'LINE_BUSY',
  'TEXT_CONSENT',
  'CALL_AGAIN',
] as const;
export const dispositionSchema = z.enum(dispositions);
export type Disposition = z.infer<typeof dispositionSchema>;

export const weekdays = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;
export type Weekday = (typeof weekdays)[number];

export const uuidSchema = z.uuid();

/** ISO-8601 with an explicit offset or Z: a bare local time would be ambiguous. */
export const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with a time zone offset, e.g. 2025-01-15T15:30:00Z',
});

export const ianaTimeZoneSchema = z.string().refine(isIanaTimeZone, {
  error: 'must be an IANA time zone such as America/New_York',
});

function isIanaTimeZone(value: string): boolean {
  if (!value.includes('/') && value !== 'UTC') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** US states, DC and the inhabited territories, by USPS code. */
export const usStateCodes = [
  'AL',
  'AK',
  'AZ',
  'AR',
  'CA',
  'CO',
  'CT',
  'DE',
  'DC',
  'FL',
  'GA',
  'HI',
  'ID',
  'IL',
  'IN',
  'IA',
  'KS',
  'KY',
  'LA',
  'ME',
  'MD',
  'MA',
  'MI',
  'MN',
  'MS',
  'MO',
  'MT',
  'NE',
  'NV',
  'NH',
  'NJ',
  'NM',
  'NY',
  'NC',
  'ND',
  'OH',
  'OK',
  'OR',
  'PA',
  'RI',
  'SC',
  'SD',
  'TN',
  'TX',
  'UT',
  'VT',
  'VA',
  'WA',
  'WV',
  'WI',
  'WY',
  'PR',
  'VI',
  'GU',
  'AS',
  'MP',
] as const;
export type UsStateCode = (typeof usStateCodes)[number];

/** How far `offset` may skip: each skipped item is still read, so it is bounded. */
export const MAX_OFFSET = 10_000;

const pageFields = {
  limit: z.coerce.number().int().min(1).max(100).default(10),
  /** The opaque cursor of the previous page. */
  cursor: z.string().min(1).max(512).optional(),
  /** Feather's clients page with an offset instead. */
  offset: z.coerce.number().int().min(0).max(MAX_OFFSET).optional(),
};

function oneWayToPage(query: { cursor?: string; offset?: number }, ctx: z.RefinementCtx): void {
  if (query.cursor !== undefined && query.offset !== undefined)
    customIssue(ctx, ['offset'], 'send a cursor or an offset, not both');
}

/** A list page (`limit` items after a `cursor` or an `offset`) with the list's filters. */
export function pageQueryWith<T extends z.ZodRawShape>(filters: T) {
  return z
    .strictObject({ ...pageFields, ...filters })
    .superRefine((query, ctx) => oneWayToPage(query as { cursor?: string; offset?: number }, ctx));
}

/** `true|false|1|0`, as query strings carry booleans. */
export const queryBooleanSchema = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true, false, 1 or 0' })
  .transform((value) => value === 'true' || value === '1');

export { boundedJsonObjectSchema, jsonObjectSchema, storableNumber } from './json-value.js';

/** A validation issue at `path` (relative to the value being refined), in one line. */
export function customIssue(ctx: z.RefinementCtx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/**
 * An optional field that also takes `null` for "absent", as Feather's clients send it (a
 * generated client writes every field, unset ones as null).
 */
export function nullable<S extends z.ZodType>(schema: S) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}
