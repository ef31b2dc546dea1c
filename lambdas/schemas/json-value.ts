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

function checkNumber(value: number, path: (string | number)[], issues: Issue[]): void {
  if (!Number.isFinite(value)) {
    issues.push({ path, message: 'must be a finite number' });
  } else if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
    issues.push({
      path,
      message: `must be within ±${Number.MAX_SAFE_INTEGER}; send large ids as strings`,
    });
  } else if (value !== 0 && Math.abs(value) < JSON_LIMITS.minMagnitude) {
    issues.push({ path, message: 'is too small to store (magnitude below 1e-130)' });
  }
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

/** Walks a parsed JSON value and lists everything that cannot be stored as sent. */
export function jsonValueIssues(
  value: unknown,
  path: (string | number)[] = [],
  depth = 0
): Issue[] {
  const issues: Issue[] = [];
  if (typeof value === 'number') checkNumber(value, path, issues);
  else if (value === null || typeof value !== 'object') return issues;
  else if (depth >= JSON_LIMITS.maxDepth) {
    issues.push({ path, message: `nests deeper than ${JSON_LIMITS.maxDepth} levels` });
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      issues.push(...jsonValueIssues(item, [...path, index], depth + 1));
    });
  } else {
    for (const key of Object.keys(value)) {
      checkKey(key, path, issues);
      const child = (value as Record<string, unknown>)[key];
      issues.push(...jsonValueIssues(child, [...path, key], depth + 1));
    }
  }
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
      for (const issue of jsonValueIssues(value).slice(0, 20))
        ctx.addIssue({ code: 'custom', ...issue });
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
