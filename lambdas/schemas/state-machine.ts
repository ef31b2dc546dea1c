import { z } from 'zod';
import { dispositionSchema, isoDateTimeSchema, uuidSchema } from './common.js';

/**
 * What the state machine does next: the run's input at start and the output of every Dispatch
 * task, whoever completes its token. Every field is always present (Choice and Wait read them
 * by path).
 */
export const planSchema = z.object({
  /**
   * STEP: wait, then dispatch; DISPATCH: dispatch now, no Wait (a queued run handed a pacing
   * slot); PARK: paused, wait on a token until resumed; FINISH: done.
   */
  action: z.enum(['STEP', 'DISPATCH', 'PARK', 'FINISH']),
  stepIndex: z.int().min(0),
  waitUntil: isoDateTimeSchema,
});
export type Plan = z.infer<typeof planSchema>;

/** The input every run starts with: the first step's plan, made at creation. */
export const runInputSchema = z.object({ executionId: uuidSchema, plan: planSchema });
export type RunInput = z.infer<typeof runInputSchema>;

/** The Dispatch and Park tasks' payload (both waitForTaskToken, one function). */
export const dispatchInputSchema = z.object({
  taskToken: z.string().min(1),
  executionId: uuidSchema,
  stepIndex: z.int().min(0),
  /** Set by the Park state: hold the token until the run is resumed. */
  park: z.boolean().optional(),
});
export type DispatchInput = z.infer<typeof dispatchInputSchema>;

/**
 * What completes Dispatch's token: the next plan, plus for the execution history either the
 * attempt and its disposition or why the step was not run now. The state machine keeps only
 * the plan (its ResultSelector).
 */
export const taskOutputSchema = planSchema.extend({
  stepExecutionId: uuidSchema.optional(),
  disposition: dispositionSchema.optional(),
  notNow: z.string().optional(),
});
export type TaskOutput = z.infer<typeof taskOutputSchema>;

/** The Mark Failed task's payload: the error the Catch caught. */
export const failureInputSchema = z.object({
  executionId: uuidSchema,
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});
export type FailureInput = z.infer<typeof failureInputSchema>;
