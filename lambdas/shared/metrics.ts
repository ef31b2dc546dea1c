import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricsOptions } from '@aws-lambda-powertools/metrics/types';
import type { Disposition } from '../schemas/common.js';
import { logger } from './logger.js';
import { METRICS_NAMESPACE, metricNames } from './metric-names.js';

/**
 * Powertools' own notices go through our logger. Its "No application metrics to publish"
 * warning fires on every invocation that counted nothing (most API reads), which is normal
 * here, so that one is demoted to debug.
 */
const notices: NonNullable<MetricsOptions['logger']> = {
  debug: (...content) => logger.debug(String(content[0]), ...content.slice(1)),
  info: (...content) => logger.info(String(content[0]), ...content.slice(1)),
  warn: (...content) => {
    const message = String(content[0]);
    if (message.startsWith('No application metrics to publish')) logger.debug(message);
    else logger.warn(message, ...content.slice(1));
  },
  error: (...content) => logger.error(String(content[0]), ...content.slice(1)),
};

/**
 * The functions' business counters, as CloudWatch embedded metric format (EMF) lines on stdout.
 * Counts without a dimension are buffered and published once per invocation by each handler's
 * logMetrics middleware; counts with a dimension are published at once (one EMF line each),
 * because a buffer shares one set of dimensions. POWERTOOLS_METRICS_DISABLED=true (the local
 * runtime and the tests set it) keeps stdout free of them.
 */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, logger: notices });

function countBy(name: string, dimension: string, value: string): void {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, 1);
}

export function countExecutionCreated(): void {
  metrics.addMetric(metricNames.executionsCreated, MetricUnit.Count, 1);
}

export function countStepDispatched(): void {
  metrics.addMetric(metricNames.stepsDispatched, MetricUnit.Count, 1);
}

/** The total (the COULD_NOT_CONNECT rate's denominator) and the count for this disposition. */
export function countOutcome(disposition: Disposition): void {
  metrics.addMetric(metricNames.outcomes, MetricUnit.Count, 1);
  countBy(metricNames.outcomes, 'disposition', disposition);
}

/** One schedule rule (`workflowSchedule`, `tcpaSchedule`) pushed a step later. */
export function countDeferral(rule: string): void {
  countBy(metricNames.deferrals, 'rule', rule);
}

export function countChannelFailure(): void {
  metrics.addMetric(metricNames.channelFailures, MetricUnit.Count, 1);
}

/** A provider refused a dispatch on every try: the attempt settles COULD_NOT_CONNECT. */
export function countProviderRetriesExhausted(provider: string): void {
  metrics.addMetric(metricNames.providerRetriesExhausted, MetricUnit.Count, 1);
  countBy(metricNames.providerRetriesExhausted, 'provider', provider);
}

/** The reconciler looked at a run; `outcome` says what it did (a short fixed word). */
export function countReconciledRun(outcome: string): void {
  countBy(metricNames.reconciledRuns, 'outcome', outcome);
}

export function countLifecycleEventUnpublished(): void {
  metrics.addMetric(metricNames.lifecycleEventsUnpublished, MetricUnit.Count, 1);
}

/** One webhook message handled; `result` is a short fixed word. */
export function countWebhookDelivery(result: string): void {
  countBy(metricNames.webhookDeliveries, 'result', result);
}

/** An attempt found every slot of its kind taken and waits in the queue. */
export function countQueuedAttempt(kind: string): void {
  countBy(metricNames.queuedAttempts, 'kind', kind);
}
