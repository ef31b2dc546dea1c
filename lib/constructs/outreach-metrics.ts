import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, SearchExpression } from 'aws-cdk-lib/aws-cloudwatch';
import type { Disposition } from '../../lambdas/schemas/common.js';
import {
  METRICS_NAMESPACE,
  metricNames,
  SERVICE_DIMENSION,
} from '../../lambdas/shared/metric-names.js';

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The functions' business metrics (EMF, see lambdas/shared/metrics.ts) as CloudWatch reads them
 * back: every one carries the `service` dimension, some one more.
 */
export class OutreachMetrics {
  constructor(private readonly serviceName: string) {}

  /** A counter's sum per period, optionally for one value of its extra dimension. */
  count(
    name: keyof typeof metricNames,
    dimension?: { name: string; value: string },
    period = FIVE_MINUTES
  ): Metric {
    return new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: metricNames[name],
      dimensionsMap: {
        [SERVICE_DIMENSION]: this.serviceName,
        ...(dimension && { [dimension.name]: dimension.value }),
      },
      statistic: 'Sum',
      period,
      label: metricNames[name],
    });
  }

  /** One line per value of the counter's extra dimension (graphs only; alarms cannot search). */
  countsBy(name: keyof typeof metricNames, dimension: string): SearchExpression {
    const metric = metricNames[name];
    return new SearchExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${dimension}} MetricName="${metric}" ${SERVICE_DIMENSION}="${this.serviceName}"', 'Sum', 300)`,
      label: `${metric} by ${dimension}`,
      period: FIVE_MINUTES,
    });
  }

  /**
   * The share of recorded outcomes with this disposition, in percent, over `period`; 0 while
   * fewer than `minimumOutcomes` were recorded (a handful of calls is no rate).
   */
  outcomeRate(disposition: Disposition, period: Duration, minimumOutcomes: number): MathExpression {
    return new MathExpression({
      expression: `IF(total >= ${minimumOutcomes}, 100 * FILL(matching, 0) / total, 0)`,
      usingMetrics: {
        matching: this.count('outcomes', { name: 'disposition', value: disposition }, period),
        total: this.count('outcomes', undefined, period),
      },
      label: `${disposition} % of outcomes`,
      period,
    });
  }
}
