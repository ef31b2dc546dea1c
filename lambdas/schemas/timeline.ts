import { z } from 'zod';
import { isoDateTimeSchema, pageQueryWith } from './common.js';
import { controlRecordSchema, scheduleDecisionSchema } from './execution.js';

/**
 * A run's timeline: what happened to it and why, oldest first. Most entries are read off records
 * the run keeps anyway (its state item, its attempt items); only what a later write would
 * overwrite (a schedule decision, a pause or a resume) is kept as a timeline record.
 */
export const timelineEntryTypes = [
  'CREATED',
  /** A schedule decision that let the step run as soon as it was due. */
  'SCHEDULED',
  /** A schedule decision that pushed the step later; `rule` says which rules did. */
  'DEFERRED',
  /** Every pacing slot of its kind was taken: the attempt waited in the queue (with its place). */
  'QUEUED',
  'DISPATCHED',
  'OUTCOME',
  'PAUSED',
  'RESUMED',
  'CANCELLED',
  'FAILED',
  'COMPLETED',
] as const;
export type TimelineEntryType = (typeof timelineEntryTypes)[number];

export const timelineEntrySchema = z.object({
  at: isoDateTimeSchema,
  type: z.enum(timelineEntryTypes),
  stepIndex: z.int().optional(),
  stepExecutionId: z.string().optional(),
  /** The step's attempt (its `attemptNo`). */
  attempt: z.int().optional(),
  message: z.string(),
  /** For DEFERRED: the rules that deferred the step, as the schedule check worded them. */
  rule: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

/**
 * A timeline record: an entry the run's state item held until a later write replaced it,
 * copied to its own item in the run's partition just before that write.
 */
export const timelineRecordSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('DECISION'), decision: scheduleDecisionSchema }),
  z.object({ kind: z.literal('CONTROL'), control: controlRecordSchema }),
]);
export type TimelineRecord = z.infer<typeof timelineRecordSchema>;

/**
 * Records kept per run. A run makes about one decision per step attempt (at most 500: 50 steps
 * of up to 10 attempts), one more per 7-day wait and per resume; pauses and resumes are up to
 * the caller, so the bound is what keeps a run's partition small. Past it, the latest decision
 * and control still show (the state item holds them); the ones in between are not kept.
 */
export const MAX_TIMELINE_RECORDS = 1000;

/** `GET …/execution/{executionId}/events`: a page of the timeline (limit, cursor or offset). */
export const timelineQuerySchema = pageQueryWith({});
