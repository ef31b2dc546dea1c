/** The key under which we send our step attempt id to every provider, and read it back. */
export const CORRELATION_KEY = 'stepAttemptId';

/** `metadata.stepAttemptId` when it is a non-empty string. */
export function correlationOf(metadata: unknown): string | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const value = (metadata as Record<string, unknown>)[CORRELATION_KEY];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
