import type { z } from 'zod';
import { type FieldIssue, ValidationError } from './errors.js';

/** At most this many field issues in one validation error's `details`. */
const MAX_ISSUES = 50;

/** One issue per wrong field, each with its dotted path (`definition.steps.0.order`). */
export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key].join('.'),
        message: 'unknown field',
      }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
}

/**
 * The value as `schema` parses it, or a ValidationError (a 400) naming `what` and the first
 * wrong field, with every wrong field's path in its details. Handlers parse requests with it;
 * use cases check with it what only exists once stored and sent values are merged.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    // Capped: a large body of wrong fields must not produce an answer many times its size.
    const issues = issuesOf(result.error).slice(0, MAX_ISSUES);
    const first = issues[0];
    throw new ValidationError(
      `Invalid ${what}${first ? `: ${first.path || '(root)'} ${first.message}` : ''}`,
      issues
    );
  }
  return result.data;
}
