import { z } from 'zod';
import { dispositionSchema, isoDateTimeSchema } from './common.js';
import { executionStatusSchema } from './execution.js';

/**
 * Lifecycle events: what the engine tells the outside world about a run. They go to the
 * deployment's EventBridge bus (detail-type = the event type, detail = the envelope) and, per
 * organization, to subscribed HTTPS endpoints as the JSON body of a Standard Webhooks message.
 */
export const lifecycleEventTypes = [
  'execution.created',
  'step.dispatched',
  'step.completed',
  'execution.completed',
  'execution.cancelled',
  'execution.failed',
] as const;
export const lifecycleEventTypeSchema = z.enum(lifecycleEventTypes);
export type LifecycleEventType = z.infer<typeof lifecycleEventTypeSchema>;

/** The EventBridge `source` of every lifecycle event: rules match on it. */
export const LIFECYCLE_EVENT_SOURCE = 'outreach.workflows';

export const lifecycleEventDataSchema = z.object({
  executionId: z.string().min(1),
  workflowId: z.string().min(1),
  status: executionStatusSchema.optional(),
  customerLeadId: z.string().optional(),
  stepExecutionId: z.string().optional(),
  stepIndex: z.number().int().min(0).optional(),
  attemptNo: z.number().int().min(1).optional(),
  channel: z.string().optional(),
  disposition: dispositionSchema.nullish(),
  /** execution.failed: why; execution.cancelled: who (api, phone, lead, workflow, suppression). */
  error: z.string().optional(),
  cancelledBy: z.string().optional(),
});
export type LifecycleEventData = z.infer<typeof lifecycleEventDataSchema>;

/**
 * The envelope. `id` is derived from what happened (run, type, step attempt), never drawn at
 * random, so an emit retried after a crash carries the same id and is delivered once; it is
 * also each webhook message's `webhook-id`, which receivers use as their idempotency key.
 */
export const lifecycleEventSchema = z.object({
  id: z.string().min(1),
  type: lifecycleEventTypeSchema,
  timestamp: isoDateTimeSchema,
  organizationId: z.string().min(1),
  data: lifecycleEventDataSchema,
});
export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;

/** What a use case hands to `publishLifecycleEvent`: the envelope without its derived id. */
export type LifecycleEventInput = Omit<LifecycleEvent, 'id' | 'timestamp'>;

/** A lifecycle event as EventBridge hands it to a rule's SQS target. */
export const busLifecycleEventSchema = z.object({
  source: z.literal(LIFECYCLE_EVENT_SOURCE),
  detail: lifecycleEventSchema,
});

/** One delivery: one event to one subscription (a queue message each, retried on its own). */
export const webhookDeliverySchema = z.object({
  subscriptionId: z.string().min(1),
  event: lifecycleEventSchema,
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/** An SQS record with what a delivery's retry schedule needs: its receipt and receive count. */
export const sqsDeliveryEventSchema = z.object({
  Records: z.array(
    z.object({
      messageId: z.string().min(1),
      receiptHandle: z.string().min(1),
      body: z.string(),
      attributes: z.object({ ApproximateReceiveCount: z.coerce.number().int().min(1) }),
    })
  ),
});

/**
 * How long a failed delivery waits before its next try: exponential, spanning about a day, as
 * the Standard Webhooks specification advises (retries "spanning multiple days, with an
 * exponential backoff"). SQS caps a visibility timeout at 12 hours.
 */
export const WEBHOOK_RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000] as const;

/** Tries before a delivery goes to the dead-letter queue: the first, then one per delay. */
export const WEBHOOK_MAX_RECEIVES = WEBHOOK_RETRY_DELAYS_SECONDS.length + 1;
