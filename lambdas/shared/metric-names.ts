/**
 * The names the functions publish metrics under and the alarms and dashboard read back, in one
 * place so the two sides cannot drift. No Powertools import: the CDK app reads this module too.
 */
export const SERVICE_NAME = 'outreach-workflows';
export const METRICS_NAMESPACE = 'OutreachWorkflows';

export const metricNames = {
  executionsCreated: 'ExecutionsCreated',
  stepsDispatched: 'StepsDispatched',
  /** Once per recorded outcome: without a dimension (the total) and by `disposition`. */
  outcomes: 'Outcomes',
  /** Once per schedule rule that pushed a step later, by `rule`. */
  deferrals: 'Deferrals',
  channelFailures: 'ChannelFailures',
  /** Once per dispatch a provider kept refusing (limits, auth, outage) until retries ran out: the total (alarmed) and by `provider`. */
  providerRetriesExhausted: 'ProviderRetriesExhausted',
  /** Once per run the reconciler looked at, by `outcome`. */
  reconciledRuns: 'ReconciledRuns',
  /** A lifecycle event the bus refused or could not be reached for (it is not sent again). */
  lifecycleEventsUnpublished: 'LifecycleEventsUnpublished',
  /** Once per webhook message, by `result`: delivered, duplicate, unsubscribed, failed. */
  webhookDeliveries: 'WebhookDeliveries',
  /** Once per attempt that found every pacing slot taken and queued, by `kind` (CALL, TEXT). */
  queuedAttempts: 'QueuedAttempts',
} as const;

/** Every metric carries Powertools' `service` dimension, set from POWERTOOLS_SERVICE_NAME. */
export const SERVICE_DIMENSION = 'service';
