import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import {
  boundedJsonObjectSchema,
  dispositionSchema,
  isoDateTimeSchema,
  jsonObjectSchema,
  nullable,
  pageQueryWith,
  queryBooleanSchema,
  usStateCodes,
  uuidSchema,
} from './common.js';
import { weekScheduleSchema } from './schedule.js';
import { stepAttemptSchema } from './step-attempt.js';
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

/** Caller JSON per execution: small enough that the run's items stay a few KB. */
export const MAX_VARIABLES_BYTES = 16 * 1024;

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

/** A run that has ended: nothing is dispatched for it again, and controls no longer apply. */
export const finishedStatuses = ['COMPLETED', 'FAILED', 'CANCELLED'] as const;
/** A run that may still contact someone, now or once resumed. */
export const activeStatuses = ['CREATED', 'RUNNING', 'PAUSED'] as const;

export function isFinished(status: ExecutionStatus): boolean {
  return (finishedStatuses as readonly ExecutionStatus[]).includes(status);
}

export const createExecutionSchema = z.strictObject({
  customerLeadId: z.string().trim().min(1).max(256),
  primaryPhone: phoneSchema,
  zipcode: nullable(
    z.string().regex(/^\d{5}(-?\d{4})?$/, { error: 'must be a US ZIP code (12345 or 12345-6789)' })
  ),
  state: nullable(
    z
      .string()
      .transform((value) => value.toUpperCase())
      .pipe(z.enum(usStateCodes, { error: 'must be a US state code such as CA' }))
  ),
  forwardingPhoneNumber: nullable(phoneSchema),
  variables: nullable(boundedJsonObjectSchema(MAX_VARIABLES_BYTES)).transform(
    (value) => value ?? {}
  ),
  metadata: nullable(boundedJsonObjectSchema(MAX_VARIABLES_BYTES)).transform(
    (value) => value ?? {}
  ),
  priorityDate: nullable(isoDateTimeSchema),
  startAt: nullable(isoDateTimeSchema),
  attempt: nullable(z.int().min(0)).transform((value) => value ?? 0),
});
export type CreateExecution = z.infer<typeof createExecutionSchema>;

/** Why the current step waits: the audit trail of the schedule check. */
export const scheduleDecisionSchema = z.object({
  stepIndex: z.int(),
  /** The step's attempt it plans (absent on decisions stored before it was recorded). */
  attemptNo: z.int().min(1).optional(),
  dueAt: isoDateTimeSchema,
  nextRunAt: isoDateTimeSchema.nullable(),
  deferredBy: z.array(z.string()),
  recipientZones: z.array(z.string()),
  recipientZoneSource: z.string(),
  /** The states whose law applied (address, ZIP and area code); absent on older decisions. */
  recipientStates: z.array(z.string()).optional(),
  decidedAt: isoDateTimeSchema,
});
export type ScheduleDecision = z.infer<typeof scheduleDecisionSchema>;

/** A pause or a resume, as the run's state item keeps the latest one (see ./timeline.ts). */
export const controlRecordSchema = z.object({
  action: z.enum(['PAUSED', 'RESUMED']),
  at: isoDateTimeSchema,
  /** The run's pauses and resumes so far, this one included: tells kept ones apart. */
  count: z.int().min(1),
});
export type ControlRecord = z.infer<typeof controlRecordSchema>;

/** The run's progress: the small item every step attempt updates. */
export const executionStateSchema = z.object({
  id: uuidSchema,
  organizationId: uuidSchema,
  workflowId: uuidSchema,
  /** The definition snapshot this run follows (see `definitionSnapshotSchema`). */
  snapshotId: z.string(),
  status: executionStatusSchema,
  customerLeadId: z.string(),
  primaryPhone: z.string(),
  zipcode: z.string().optional(),
  state: z.string().optional(),
  forwardingPhoneNumber: z.string().optional(),
  priorityDate: isoDateTimeSchema,
  startAt: isoDateTimeSchema.optional(),
  stepIndex: z.int(),
  /** The current step's attempt (1 unless the step is being tried again; see `count`). */
  attemptNo: z.int().min(1).default(1),
  nextRunAt: isoDateTimeSchema.nullable(),
  disposition: dispositionSchema.nullable(),
  error: z.string().optional(),
  schedule: scheduleDecisionSchema.optional(),
  /** While PAUSED: the status a resume returns to (a run never claimed stays CREATED). */
  pausedFrom: z.enum(['CREATED', 'RUNNING']).optional(),
  /** While PAUSED and parked: the Park state's task token that a resume completes. */
  parkToken: z.string().optional(),
  /**
   * Who cancelled it: the API, a cancel by phone or by lead, the workflow's deletion, or the
   * do-not-contact list (then `error` says why).
   */
  cancelledBy: z.enum(['api', 'phone', 'lead', 'workflow', 'suppression']).optional(),
  /** The latest pause or resume; the ones before it are timeline records. */
  lastControl: controlRecordSchema.optional(),
  /**
   * The latest attempt that waited for a pacing slot: where it waits in the organization's queue
   * (adapters/slot-queue.ts) and since when. Kept after it leaves the queue, for the timeline.
   */
  queued: z
    .object({
      kind: z.enum(['CALL', 'TEXT']),
      bucket: z.int(),
      stepIndex: z.int(),
      attemptNo: z.int(),
      since: isoDateTimeSchema,
    })
    .optional(),
  /** How many replaced decisions and controls were copied to timeline records (bounded). */
  timelineKept: z.int().min(0).optional(),
  /** Deleted through the API: hidden from reads and lists, kept for the audit. */
  deletedAt: isoDateTimeSchema.optional(),
  /** Checked and incremented by every write: a write based on a stale read is refused. */
  version: z.int().min(1),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
  startedAt: isoDateTimeSchema.optional(),
  completedAt: isoDateTimeSchema.optional(),
});
export type ExecutionState = z.infer<typeof executionStateSchema>;

/** The recipient as the API and the agent webhook show it (absent values as null). */
export function recipientOf(execution: ExecutionState) {
  return {
    customerLeadId: execution.customerLeadId,
    primaryPhone: execution.primaryPhone,
    forwardingPhoneNumber: execution.forwardingPhoneNumber ?? null,
    zipcode: execution.zipcode ?? null,
    state: execution.state ?? null,
  };
}

/** Per-run data that never changes while it runs: written once, read by Dispatch. */
export const executionContactSchema = z.object({
  variables: jsonObjectSchema,
  metadata: jsonObjectSchema,
});
export type ExecutionContact = z.infer<typeof executionContactSchema>;

/**
 * The workflow as a run follows it, stored once per distinct content (editing a workflow never
 * changes runs in flight, and a large definition is not copied into every run).
 */
export const definitionSnapshotSchema = z.object({
  definition: z.object({ steps: z.array(stepSchema.safeExtend({ id: z.string().min(1) })) }),
  timezone: z.string(),
  workflowSchedule: weekScheduleSchema,
  tcpaSchedule: weekScheduleSchema,
  /** The workflow's own attempt cap; absent (the legal cap) keeps older snapshots' ids. */
  maxAttemptsPer24h: z.int().optional(),
});
export type DefinitionSnapshot = z.infer<typeof definitionSnapshotSchema>;

/** The snapshot fields of a workflow or a run, and nothing else. */
export function snapshotOf(source: DefinitionSnapshot): DefinitionSnapshot {
  const { definition, timezone, workflowSchedule, tcpaSchedule, maxAttemptsPer24h } = source;
  return {
    definition,
    timezone,
    workflowSchedule,
    tcpaSchedule,
    ...(maxAttemptsPer24h !== undefined && { maxAttemptsPer24h }),
  };
}

/** An execution as the use cases see it: its state, contact, snapshot and step attempts. */
export const executionSchema = executionStateSchema
  .extend(executionContactSchema.shape)
  .extend(definitionSnapshotSchema.shape)
  .extend({ attempts: z.record(z.string(), stepAttemptSchema) });
export type Execution = z.infer<typeof executionSchema>;

export const listExecutionsQuerySchema = pageQueryWith({
  status: executionStatusSchema.optional(),
  customerLeadId: z.string().min(1).max(256).optional(),
  enriched: queryBooleanSchema.default(false),
});
