import { z } from 'zod';
import {
  customIssue,
  dispositionSchema,
  ianaTimeZoneSchema,
  isoDateTimeSchema,
  nullable,
  pageQueryWith,
  queryBooleanSchema,
  uuidSchema,
} from './common.js';
import { alwaysOpenSchedule, federalTcpaSchedule, weekScheduleSchema } from './schedule.js';

/**
 * A run is one Step Functions execution, which lives at most a year: the steps' delays add up
 * to at most 180 days, and a start may be put off at most 180 more (executions.ts).
 */
export const MAX_TOTAL_DELAY_SECS = 180 * 24 * 3600;

/** At most this many attempts of one step (`count`). */
export const MAX_STEP_ATTEMPTS = 10;

/**
 * The legal default cap on contact attempts per phone number per rolling 24 hours, across all
 * workflows of an organization (Florida, Maryland and Oklahoma law; see domain/contact-rules.ts).
 * A workflow may be stricter, never looser.
 */
export const LEGAL_ATTEMPTS_PER_24H = 3;

export const stepTypeSchema = z.enum(['CALL', 'TEXT']);
export type StepType = z.infer<typeof stepTypeSchema>;

/** Outcomes that mean nobody was reached: a step with `count` > 1 tries again after these. */
export const noContactDispositions = [
  'NO_ANSWER',
  'LINE_BUSY',
  'VOICEMAIL_DETECTED',
  'LEFT_VOICEMAIL',
  'COULD_NOT_CONNECT',
] as const;

export const stepSchema = z
  .strictObject({
    /** Any non-empty string, kept (Feather's n8n client sends the agent id); generated when absent. */
    id: nullable(z.string().trim().min(1).max(128)),
    type: stepTypeSchema,
    order: z.int().min(1),
    delayInSecs: z.int().min(0).max(MAX_TOTAL_DELAY_SECS),
    agentId: z.string().trim().min(1).max(128),
    leaveVoicemail: nullable(z.boolean()).transform((value) => value ?? false),
    finishOn: nullable(z.array(dispositionSchema).max(15)).transform((value) => value ?? []),
    initialMessage: nullable(z.string().min(1).max(1600)),
    /** False: the step ignores the workflow's tcpaSchedule (the workflow schedule still applies). */
    needsTCPACompliance: nullable(z.boolean()).transform((value) => value ?? true),
    /** How many times the step is attempted while attempts end without contact. */
    count: nullable(z.int().min(1).max(MAX_STEP_ATTEMPTS)).transform((value) => value ?? 1),
    /** Feather's conditional branching: only the empty list is supported, never ignored. */
    conditions: nullable(
      z.array(z.unknown()).max(0, { error: 'conditional branching is not supported; send []' })
    ),
  })
  .superRefine((step, ctx) => {
    if (step.type === 'TEXT' && step.initialMessage === undefined) {
      customIssue(ctx, ['initialMessage'], 'a TEXT step needs initialMessage');
    }
  });
export type Step = z.infer<typeof stepSchema>;

export const definitionSchema = z
  .strictObject({
    steps: z.array(stepSchema).min(1).max(50),
    isInfinite: nullable(
      z.literal(false, { error: 'infinite workflows are not supported; send false or omit it' })
    ),
  })
  .superRefine((definition, ctx) => {
    // Orders are unique positive integers, not necessarily contiguous: steps run in ascending order.
    const seen = new Map<number, number>();
    definition.steps.forEach((step, index) => {
      const previous = seen.get(step.order);
      if (previous !== undefined) {
        customIssue(
          ctx,
          ['steps', index, 'order'],
          `duplicate order ${step.order} (also used by steps[${previous}])`
        );
      }
      seen.set(step.order, index);
    });
    const totalDelay = definition.steps.reduce(
      (sum, step) => sum + step.delayInSecs * step.count,
      0
    );
    if (totalDelay > MAX_TOTAL_DELAY_SECS) {
      customIssue(
        ctx,
        ['steps'],
        `delays (times each step's count) add up to ${Math.ceil(totalDelay / 86_400)} days; at most 180 days in all`
      );
    }
  })
  // Steps are stored in run order, whatever order the client listed them in.
  .transform((definition) => ({
    steps: [...definition.steps].sort((a, b) => a.order - b.order),
    ...(definition.isInfinite === false && { isInfinite: false as const }),
  }));
export type Definition = z.infer<typeof definitionSchema>;

const workflowFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000),
  active: z.boolean(),
  timezone: ianaTimeZoneSchema,
  workflowSchedule: weekScheduleSchema,
  tcpaSchedule: weekScheduleSchema,
  definition: definitionSchema,
  // Kept only for Feather compatibility (its pre-schedule model); they do not affect timing.
  startHour: z.int().min(0).max(23),
  endHour: z.int().min(0).max(23),
  maxAttemptsPer24h: z
    .int()
    .min(1)
    .max(LEGAL_ATTEMPTS_PER_24H, {
      error: `must be at most ${LEGAL_ATTEMPTS_PER_24H}, the legal cap per phone number per 24 h`,
    }),
};

export const createWorkflowSchema = z.strictObject({
  ...workflowFields,
  description: nullable(workflowFields.description).transform((value) => value ?? ''),
  active: nullable(workflowFields.active).transform((value) => value ?? true),
  workflowSchedule: nullable(workflowFields.workflowSchedule).transform(
    (value) => value ?? alwaysOpenSchedule
  ),
  tcpaSchedule: nullable(workflowFields.tcpaSchedule).transform(
    (value) => value ?? federalTcpaSchedule
  ),
  startHour: nullable(workflowFields.startHour),
  endHour: nullable(workflowFields.endHour),
  maxAttemptsPer24h: nullable(workflowFields.maxAttemptsPer24h),
});
export type CreateWorkflow = z.infer<typeof createWorkflowSchema>;

/**
 * Fields a client reads but may not change. A PATCH may send them back (a workflow read with
 * GET and sent back unchanged is a valid PATCH): equal to the stored values they are ignored,
 * different they are a 400 (see workflows.ts). Feather's `userId` is not kept here: ignored.
 */
export const readOnlyWorkflowFields = {
  id: nullable(z.string()),
  organizationId: nullable(z.string()),
  createdAt: nullable(z.string()),
  updatedAt: nullable(z.string()),
  userId: nullable(z.string()),
};

export const updateWorkflowSchema = z
  .strictObject({
    name: nullable(workflowFields.name),
    description: nullable(workflowFields.description),
    active: nullable(workflowFields.active),
    timezone: nullable(workflowFields.timezone),
    workflowSchedule: nullable(workflowFields.workflowSchedule),
    tcpaSchedule: nullable(workflowFields.tcpaSchedule),
    definition: nullable(workflowFields.definition),
    startHour: nullable(workflowFields.startHour),
    endHour: nullable(workflowFields.endHour),
    maxAttemptsPer24h: nullable(workflowFields.maxAttemptsPer24h),
    ...readOnlyWorkflowFields,
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    error: 'at least one field is required',
  });
export type UpdateWorkflow = z.infer<typeof updateWorkflowSchema>;

/** A workflow as stored and returned. */
export const workflowSchema = z.object({
  id: uuidSchema,
  organizationId: uuidSchema,
  name: z.string(),
  description: z.string(),
  active: z.boolean(),
  timezone: z.string(),
  workflowSchedule: weekScheduleSchema,
  tcpaSchedule: weekScheduleSchema,
  definition: z.object({
    steps: z.array(stepSchema.safeExtend({ id: z.string().min(1) })),
    isInfinite: z.literal(false).optional(),
  }),
  startHour: z.int().optional(),
  endHour: z.int().optional(),
  /** Stricter than the legal cap for this workflow's runs (absent: the legal cap). */
  maxAttemptsPer24h: z.int().optional(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Workflow = z.infer<typeof workflowSchema>;

/** Workflow lists: Feather's clients filter by `status=active|inactive` or `active=true|false`. */
export const listWorkflowsQuerySchema = pageQueryWith({
  status: z.enum(['active', 'inactive'], { error: 'must be active or inactive' }).optional(),
  active: queryBooleanSchema.optional(),
}).transform(({ status, active, ...page }) => ({
  ...page,
  active: active ?? (status === undefined ? undefined : status === 'active'),
}));
