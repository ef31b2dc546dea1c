import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { usStateCodes } from '../domain/recipient-zones.js';
import { dispositionSchema, isoDateTimeSchema, jsonObjectSchema, uuidSchema } from './common.js';
import { weekScheduleSchema } from './schedule.js';
import { stepSchema } from './workflow.js';

/** Feather's pattern: E.164, or +1 with ten digits written ddd-ddd-dddd. Stored as E.164. */
const phonePattern = /^\+1(\d{10}|\d{3}-\d{3}-\d{4})$|^\+[1-9]\d{1,14}$/;

export const phoneSchema = z
  .string()
  .regex(phonePattern, { error: 'must be an E.164 phone number such as +14155550123' })
  .transform((value, ctx) => {
    const parsed = parsePhoneNumberFromString(value);
    if (!parsed?.isPossible()) {
      ctx.addIssue({ code: 'custom', message: 'is not a possible phone number' });
      return z.NEVER;
    }
    return parsed.number;
  });

export const executionStatuses = [
  'CREATED',
  'RUNNING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'PAUSED',
] as const;
export const executionStatusSchema = z.enum(executionStatuses);
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

export const createExecutionSchema = z.strictObject({
  customerLeadId: z.string().trim().min(1).max(256),
  primaryPhone: phoneSchema,
  zipcode: z
    .string()
    .regex(/^\d{5}(-?\d{4})?$/, { error: 'must be a US ZIP code (12345 or 12345-6789)' })
    .optional(),
  state: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(
      z.enum(usStateCodes as [string, ...string[]], { error: 'must be a US state code such as CA' })
    )
    .optional(),
  forwardingPhoneNumber: phoneSchema.optional(),
  variables: jsonObjectSchema.default({}),
  metadata: jsonObjectSchema.default({}),
  priorityDate: isoDateTimeSchema.optional(),
  startAt: isoDateTimeSchema.optional(),
  attempt: z.int().min(0).default(0),
});
export type CreateExecution = z.infer<typeof createExecutionSchema>;

export const stepExecutionStatusSchema = z.enum(['IN_PROGRESS', 'COMPLETED', 'FAILED']);

export const agentCallSchema = z.strictObject({
  id: z.string().max(256).optional(),
  status: z.string().max(64).optional(),
  callStartedAt: isoDateTimeSchema.optional(),
  callEndedAt: isoDateTimeSchema.optional(),
  callDuration: z.number().min(0).optional(),
  callEndedReason: dispositionSchema.optional(),
  recordingUrl: z.url().max(2048).optional(),
  summary: z.string().max(10_000).optional(),
});

/** One dispatch of one step: written once, when the step is handed to a channel. */
export const stepAttemptSchema = z.object({
  id: uuidSchema,
  stepIndex: z.int(),
  attemptNo: z.int(),
  status: stepExecutionStatusSchema,
  channel: z.string(),
  taskToken: z.string(),
  startedAt: isoDateTimeSchema,
  /** When the channel accepted the attempt; absent after a crash between claim and handoff. */
  handedOverAt: isoDateTimeSchema.optional(),
  completedAt: isoDateTimeSchema.optional(),
  disposition: dispositionSchema.optional(),
  agentCall: agentCallSchema.optional(),
  error: z.string().optional(),
});
export type StepAttempt = z.infer<typeof stepAttemptSchema>;

/** Why the current step waits: the audit trail of the schedule check. */
export const scheduleDecisionSchema = z.object({
  stepIndex: z.int(),
  dueAt: isoDateTimeSchema,
  nextRunAt: isoDateTimeSchema.nullable(),
  deferredBy: z.array(z.string()),
  recipientZones: z.array(z.string()),
  recipientZoneSource: z.string(),
  decidedAt: isoDateTimeSchema,
});
export type ScheduleDecision = z.infer<typeof scheduleDecisionSchema>;

export const executionSchema = z.object({
  id: uuidSchema,
  organizationId: uuidSchema,
  workflowId: uuidSchema,
  status: executionStatusSchema,
  customerLeadId: z.string(),
  primaryPhone: z.string(),
  zipcode: z.string().optional(),
  state: z.string().optional(),
  forwardingPhoneNumber: z.string().optional(),
  variables: jsonObjectSchema,
  metadata: jsonObjectSchema,
  priorityDate: isoDateTimeSchema,
  startAt: isoDateTimeSchema.optional(),
  stepIndex: z.int(),
  nextRunAt: isoDateTimeSchema.nullable(),
  disposition: dispositionSchema.nullable(),
  error: z.string().optional(),
  /** Snapshot at creation: editing the workflow never changes a run in flight. */
  definition: z.object({ steps: z.array(stepSchema.safeExtend({ id: uuidSchema })) }),
  timezone: z.string(),
  workflowSchedule: weekScheduleSchema,
  tcpaSchedule: weekScheduleSchema,
  attempts: z.record(z.string(), stepAttemptSchema),
  schedule: scheduleDecisionSchema.optional(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  startedAt: isoDateTimeSchema.optional(),
  completedAt: isoDateTimeSchema.optional(),
});
export type Execution = z.infer<typeof executionSchema>;

/**
 * What the state machine does next: the run's input at start and the output of every Dispatch
 * task, whoever completes its token. Every field is always present (Choice and Wait read them
 * by path).
 */
export const planResultSchema = z.object({
  action: z.enum(['STEP', 'FINISH']),
  stepIndex: z.int().min(0),
  waitUntil: isoDateTimeSchema,
});
export type PlanResult = z.infer<typeof planResultSchema>;

export const listExecutionsQuerySchema = z.strictObject({
  status: executionStatusSchema.optional(),
  customerLeadId: z.string().min(1).max(256).optional(),
  enriched: z.enum(['true', 'false']).default('false'),
  limit: z.coerce.number().int().min(1).max(100).default(10),
  cursor: z.string().min(1).max(2048).optional(),
});

export const reportOutcomeSchema = z.strictObject({
  disposition: dispositionSchema,
  agentCall: agentCallSchema.optional(),
});
export type ReportOutcome = z.infer<typeof reportOutcomeSchema>;
