import { z } from 'zod';

/** The 15 outcomes a step reports (reference/feather-api.md §5); `finishOn` matches them. */
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

/** Free-form JSON object (variables, metadata). */
export const jsonObjectSchema = z.record(z.string(), z.unknown());
