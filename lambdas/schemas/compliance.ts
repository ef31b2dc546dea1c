import { z } from 'zod';
import { pageQueryWith, usStateCodes } from './common.js';
import { phoneSchema } from './execution.js';

/** Recent contact attempts of one phone number: attempt id → instant (epoch ms). */
export type RecentAttempts = Record<string, number>;

/** At most this many numbers per `POST /suppressions`. */
export const MAX_SUPPRESSIONS_PER_REQUEST = 1000;

/** `POST /api/v1/suppressions`: numbers normalised to E.164, with an optional reason. */
export const addSuppressionsSchema = z.strictObject({
  phoneNumbers: z
    .array(phoneSchema)
    .min(1)
    .max(MAX_SUPPRESSIONS_PER_REQUEST, {
      error: `at most ${MAX_SUPPRESSIONS_PER_REQUEST} numbers per request`,
    }),
  reason: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .transform((value) => value ?? 'added through the API'),
});

export const listSuppressionsQuerySchema = pageQueryWith({});

/** A number in a path: `+14155550123` (sent as `%2B14155550123`) or its digits alone. */
export const phonePathSchema = z
  .string()
  .trim()
  .transform((value) => (value.startsWith('+') ? value : `+${value}`))
  .pipe(phoneSchema);

/** A state in a path: a US state or territory code, any case. */
export const statePathSchema = z
  .string()
  .transform((value) => value.toUpperCase())
  .pipe(z.enum(usStateCodes, { error: 'must be a US state code such as LA' }));
