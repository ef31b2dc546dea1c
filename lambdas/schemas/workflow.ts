import { z } from 'zod';
import {
  customIssue,
  dispositionSchema,
  ianaTimeZoneSchema,
  isoDateTimeSchema,
  uuidSchema,
} from './common.js';
import { alwaysOpenSchedule, federalTcpaSchedule, weekScheduleSchema } from './schedule.js';

/**
 * A run is one Step Functions execution, which lives at most a year: the steps' delays add up
 * to at most 180 days, and a start may be put off at most 180 more (executions.ts).
 */
export const MAX_TOTAL_DELAY_SECS = 180 * 24 * 3600;

export const stepTypeSchema = z.enum(['CALL', 'TEXT']);
export type StepType = z.infer<typeof stepTypeSchema>;

export const stepSchema = z
  .strictObject({
    id: uuidSchema.optional(),
    type: stepTypeSchema,
    order: z.int().min(1),
    delayInSecs: z.int().min(0).max(MAX_TOTAL_DELAY_SECS),
    agentId: z.string().trim().min(1).max(128),
    leaveVoicemail: z.boolean().default(false),
    finishOn: z.array(dispositionSchema).max(15).default([]),
    initialMessage: z.string().min(1).max(1600).optional(),
  })
  .superRefine((step, ctx) => {
    if (step.type === 'TEXT' && step.initialMessage === undefined) {
      customIssue(ctx, ['initialMessage'], 'a TEXT step needs initialMessage');
    }
  });
export type Step = z.infer<typeof stepSchema>;

export const definitionSchema = z
  .strictObject({ steps: z.array(stepSchema).min(1).max(50) })
  .superRefine((definition, ctx) => {
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
    definition.steps.forEach((step, index) => {
      if (step.order > definition.steps.length) {
        customIssue(
          ctx,
          ['steps', index, 'order'],
          `orders must be contiguous from 1 to ${definition.steps.length}`
        );
      }
    });
    const totalDelay = definition.steps.reduce((sum, step) => sum + step.delayInSecs, 0);
    if (totalDelay > MAX_TOTAL_DELAY_SECS) {
      customIssue(
        ctx,
        ['steps'],
        `delays add up to ${Math.ceil(totalDelay / 86_400)} days; at most 180 days in all`
      );
    }
  })
  // Steps are stored in run order, whatever order the client listed them in.
  .transform((definition) => ({
    steps: [...definition.steps].sort((a, b) => a.order - b.order),
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
};

export const createWorkflowSchema = z.strictObject({
  ...workflowFields,
  description: workflowFields.description.default(''),
  active: workflowFields.active.default(true),
  workflowSchedule: workflowFields.workflowSchedule.default(alwaysOpenSchedule),
  tcpaSchedule: workflowFields.tcpaSchedule.default(federalTcpaSchedule),
  startHour: workflowFields.startHour.optional(),
  endHour: workflowFields.endHour.optional(),
});
export type CreateWorkflow = z.infer<typeof createWorkflowSchema>;

export const updateWorkflowSchema = z
  .strictObject({
    name: workflowFields.name.optional(),
    description: workflowFields.description.optional(),
    active: workflowFields.active.optional(),
    timezone: workflowFields.timezone.optional(),
    workflowSchedule: workflowFields.workflowSchedule.optional(),
    tcpaSchedule: workflowFields.tcpaSchedule.optional(),
    definition: workflowFields.definition.optional(),
    startHour: workflowFields.startHour.optional(),
    endHour: workflowFields.endHour.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { error: 'at least one field is required' });
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
  definition: z.object({ steps: z.array(stepSchema.safeExtend({ id: uuidSchema })) }),
  startHour: z.int().optional(),
  endHour: z.int().optional(),
  createdAt: isoDateTimeSchema,
  updatedAt: isoDateTimeSchema,
});
export type Workflow = z.infer<typeof workflowSchema>;

export const listQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(10),
  cursor: z.string().min(1).max(2048).optional(),
});
