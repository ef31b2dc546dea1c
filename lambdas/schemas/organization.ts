import { z } from 'zod';

/**
 * An organization's pacing settings, as `GET/PATCH /api/v1/organization` show them. They are
 * stored and validated now; dispatch starts honouring them when pacing (concurrency slots) lands.
 */

/**
 * Every slot in use is an entry of one item (adapters/slots.ts): at 1,000 it is about 46 KB, so
 * each take and release costs about 46 write units, and much more would near DynamoDB's 400 KB
 * item limit. Beyond the batch size, a value is a typo rather than a plan.
 */
const MAX_CONCURRENCY = 1_000;
const MAX_BATCH_SIZE = 10_000;
const MAX_BUCKETS = 20;

const count = (max: number) => z.int().min(1).max(max);

/** Runs whose `priorityDate` is `minDays` to `maxDays` days old (both inclusive; null: no end). */
const priorityDateBucketSchema = z.strictObject({
  minDays: z.int().min(0),
  maxDays: z.int().min(0).nullable(),
  percentage: z.int().min(0).max(100),
});
export type PriorityDateBucket = z.infer<typeof priorityDateBucketSchema>;

const reachesPast = (bucket: PriorityDateBucket, day: number) =>
  bucket.maxDays === null || bucket.maxDays >= day;

/** Each bucket's own range, then no two ranges sharing a day, then shares adding up to 100. */
function checkBuckets(buckets: PriorityDateBucket[], ctx: z.RefinementCtx): void {
  buckets.forEach((bucket, index) => {
    if (bucket.maxDays !== null && bucket.minDays > bucket.maxDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['buckets', index, 'minDays'],
        message: 'must not be greater than maxDays',
      });
    }
  });
  const byStart = buckets.map((bucket, index) => ({ bucket, index }));
  byStart.sort((a, b) => a.bucket.minDays - b.bucket.minDays);
  for (let i = 1; i < byStart.length; i++) {
    const previous = byStart[i - 1] as (typeof byStart)[number];
    const current = byStart[i] as (typeof byStart)[number];
    if (reachesPast(previous.bucket, current.bucket.minDays)) {
      ctx.addIssue({
        code: 'custom',
        path: ['buckets', current.index, 'minDays'],
        message: `overlaps bucket ${previous.index}`,
      });
    }
  }
  const total = buckets.reduce((sum, bucket) => sum + bucket.percentage, 0);
  if (buckets.length > 0 && total !== 100) {
    ctx.addIssue({
      code: 'custom',
      path: ['buckets'],
      message: `percentages must add up to 100 (they add up to ${total})`,
    });
  }
}

export const priorityDateBucketConfigSchema = z
  .strictObject({
    enabled: z.boolean(),
    buckets: z.array(priorityDateBucketSchema).max(MAX_BUCKETS),
  })
  .superRefine((config, ctx) => {
    if (config.enabled && config.buckets.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['buckets'], message: 'enabled needs a bucket' });
    }
    checkBuckets(config.buckets, ctx);
  });

const settingsShape = {
  maxConcurrentCalls: count(MAX_CONCURRENCY),
  maxConcurrentTexts: count(MAX_CONCURRENCY),
  schedulerBatchSize: count(MAX_BATCH_SIZE),
  maxSchedulerBatchSize: count(MAX_BATCH_SIZE),
  priorityDateBucketConfig: priorityDateBucketConfigSchema,
};

/** What the table holds: only the settings an organization has set (defaults fill the rest). */
export const storedOrganizationSettingsSchema = z.object(settingsShape).partial();

/** A batch never larger than its ceiling. */
function checkBatchSizes(
  settings: { schedulerBatchSize?: number; maxSchedulerBatchSize?: number },
  ctx: z.RefinementCtx
): void {
  const { schedulerBatchSize, maxSchedulerBatchSize } = settings;
  if (schedulerBatchSize === undefined || maxSchedulerBatchSize === undefined) return;
  if (schedulerBatchSize > maxSchedulerBatchSize) {
    ctx.addIssue({
      code: 'custom',
      path: ['schedulerBatchSize'],
      message: `must not be greater than maxSchedulerBatchSize (${maxSchedulerBatchSize})`,
    });
  }
}

export const organizationSettingsSchema = z
  .strictObject(settingsShape)
  .superRefine(checkBatchSizes);
export type OrganizationSettings = z.infer<typeof organizationSettingsSchema>;

/** `PATCH /api/v1/organization`: any of the settings, at least one; the others stay as stored. */
export const updateOrganizationSettingsSchema = z
  .strictObject(settingsShape)
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { error: 'send at least one setting' })
  .superRefine(checkBatchSizes);
export type OrganizationSettingsPatch = z.infer<typeof updateOrganizationSettingsSchema>;

/**
 * What an organization that never changed a setting gets. 20 calls: a cautious start, to be set
 * to the concurrency the voice-agent provider account allows (providers refuse calls past it
 * with a concurrency-limit error). 100 texts: a text holds its place only for the moment
 * its provider takes to accept it, where a call holds it for minutes, so the same provider load
 * allows many more. Feather documents neither the meaning nor the defaults of its batch sizes:
 * here a batch is how many due runs one scheduler pass hands out, and the maximum is the ceiling
 * a pass may grow to while catching up with a backlog; 25 matches Feather's bulk-create batch.
 */
export const defaultOrganizationSettings: OrganizationSettings = {
  maxConcurrentCalls: 20,
  maxConcurrentTexts: 100,
  schedulerBatchSize: 25,
  maxSchedulerBatchSize: 100,
  priorityDateBucketConfig: { enabled: false, buckets: [] },
};
