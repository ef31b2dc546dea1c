import { z } from 'zod';
import { dispositionSchema, isoDateTimeSchema, storableNumber, uuidSchema } from './common.js';

/** Step attempts (Feather's step executions) and the outcomes they end with. */

export const stepExecutionStatusSchema = z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']);

export const agentCallSchema = z.strictObject({
  id: z.string().max(256).optional(),
  status: z.string().max(64).optional(),
  callStartedAt: isoDateTimeSchema.optional(),
  callEndedAt: isoDateTimeSchema.optional(),
  callDuration: z.number().min(0).max(10_000_000).superRefine(storableNumber).optional(),
  callEndedReason: dispositionSchema.optional(),
  recordingUrl: z.url().max(2048).optional(),
  summary: z.string().max(10_000).optional(),
});

/** What a step attempt ended with: one shape for channels, the API and the records. */
export const outcomeSchema = z.object({
  disposition: dispositionSchema,
  agentCall: agentCallSchema.optional(),
  /** Set when the channel could not hand the attempt over at all. */
  error: z.string().max(1000).optional(),
});
export type Outcome = z.infer<typeof outcomeSchema>;

/** The body of an outcome report through the API. */
export const reportOutcomeSchema = z.strictObject(outcomeSchema.omit({ error: true }).shape);

/**
 * One dispatch of one step, stored as its own item: written once when claimed (the write-once
 * guard against contacting twice), then only filled in (handoff, outcome).
 */
export const stepAttemptSchema = z.object({
  id: uuidSchema,
  stepIndex: z.int(),
  attemptNo: z.int(),
  status: stepExecutionStatusSchema,
  channel: z.string(),
  taskToken: z.string(),
  startedAt: isoDateTimeSchema,
  /** When it started waiting for a pacing slot, if it had to. */
  queuedAt: isoDateTimeSchema.optional(),
  /** When the channel accepted the attempt; absent after a crash between claim and handoff. */
  handedOverAt: isoDateTimeSchema.optional(),
  /** The provider's call or message id (Retell call_id, Twilio sid), once the provider answered. */
  providerId: z.string().max(256).optional(),
  completedAt: isoDateTimeSchema.optional(),
  disposition: dispositionSchema.optional(),
  agentCall: agentCallSchema.optional(),
  error: z.string().optional(),
});
export type StepAttempt = z.infer<typeof stepAttemptSchema>;

/** The key of an attempt inside `Execution.attempts`: `<stepIndex>-<attemptNo>`. */
export function attemptKey(stepIndex: number, attemptNo: number): string {
  return `${stepIndex}-${attemptNo}`;
}

/** `attemptKey` of an attempt itself. */
export function attemptKeyOf(attempt: Pick<StepAttempt, 'stepIndex' | 'attemptNo'>): string {
  return attemptKey(attempt.stepIndex, attempt.attemptNo);
}
