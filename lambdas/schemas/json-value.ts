import { z } from 'zod';

/**
 * Limits on caller-supplied JSON (variables, metadata). DynamoDB stores numbers with 38 digits
 * but the SDK refuses to marshal a JavaScript number beyond ±(2^53 − 1), and DynamoDB itself
 * refuses magnitudes below 1e-130 or above 1e125; maps nest at most 32 levels, and the item
 * around these values already uses a few. Keys that name Object.prototype members would be
 * dropped or, worse, reach the prototype in code that copies objects: refused up front.
 */
export const JSON_LIMITS = {
  maxDepth: 16,
  maxKeyLength: 256,
  forbiddenKeys: ['__proto__', 'constructor', 'prototype'],
  minMagnitude: 1e-130,
} as const;

type Issue = { path: (string | number)[]; message: string };

/** Why this number cannot be stored as sent (the SDK or DynamoDB would refuse it), if so. */
export function unstorableNumber(value: number): string | undefined {
  if (!Number.isFinite(value)) return 'must be a finite number';
  if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    return `must be within ±${Number.MAX_SAFE_INTEGER}; send large ids as strings`;
  }
  if (value !== 0 && Math.abs(value) < JSON_LIMITS.minMagnitude) {
    return 'is too small to store (magnitude below 1e-130)';
  }
  return undefined;
}

/**
 * For a number field stored as sent (`z.number().superRefine(storableNumber)`): a value such as
 * 1e-131 passes `min(0)` but DynamoDB refuses the whole write.
 */
export function storableNumber(value: number, ctx: z.RefinementCtx<number>): void {
  const message = unstorableNumber(value);
  if (message) ctx.addIssue({ code: 'custom', message });
}

function checkKey(key: string, path: (string | number)[], issues: Issue[]): void {
  if ((JSON_LIMITS.forbiddenKeys as readonly string[]).includes(key)) {
    issues.push({ path: [...path, key], message: `key "${key}" is not allowed` });
  } else if (key.length === 0 || key.length > JSON_LIMITS.maxKeyLength) {
    issues.push({
      path: [...path, key],
      message: `keys must be 1 to ${JSON_LIMITS.maxKeyLength} characters`,
    });
  }
}

const TOO_DEEP = `nests deeper than ${JSON_LIMITS.maxDepth} levels`;

/**
 * Walks a parsed JSON value, down to `maxDepth` levels and no further, and adds everything that
 * cannot be stored as sent to `issues` (one shared list: a body holds tens of thousands).
 */
function collectIssues(
  value: unknown,
  path: (string | number)[],
  depth: number,
  issues: Issue[]
): void {
  if (typeof value === 'number') {
    const message = unstorableNumber(value);
    if (message) issues.push({ path, message });
  } else if (value === null || typeof value !== 'object') {
    return;
  } else if (depth >= JSON_LIMITS.maxDepth) {
    issues.push({ path, message: TOO_DEEP });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      collectIssues(item, [...path, index], depth + 1, issues);
    });
  } else {
    for (const key of Object.keys(value)) {
      checkKey(key, path, issues);
      collectIssues((value as Record<string, unknown>)[key], [...path, key], depth + 1, issues);
    }
  }
}

/** Walks a parsed JSON value and lists everything that cannot be stored as sent. */
export function jsonValueIssues(value: unknown): Issue[] {
  const issues: Issue[] = [];
  collectIssues(value, [], 0, issues);
  return issues;
}

/** Any JSON object, as stored (no limits: used to read back what was already checked). */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

/**
 * A caller's JSON object: checked before zod copies it (a copy would silently drop
 * `__proto__`), at most `maxBytes` when serialized.
 */
export function boundedJsonObjectSchema(maxBytes: number) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
        return;
      }
      const issues = jsonValueIssues(value);
      for (const issue of issues.slice(0, 20)) ctx.addIssue({ code: 'custom', ...issue });
      // JSON.stringify recurses once per level: a 256 KB body can nest 100,000 levels, far past
      // the stack. A value over the depth limit is refused already; only others are measured.
      if (issues.some((issue) => issue.message === TOO_DEEP)) return;
      const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
      if (bytes > maxBytes) {
        ctx.addIssue({
          code: 'custom',
          message: `must be at most ${maxBytes} bytes as JSON (got ${bytes})`,
        });
      }
    })
    .transform((value) => value as Record<string, unknown>);
}
