import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type GraphWidgetProps,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { OutreachMetrics } from './outreach-metrics.js';

export interface OutreachDashboardProps {
  metrics: OutreachMetrics;
  alarms: Alarm[];
  stateMachine: IStateMachine;
  functions: Array<{ name: string; function: LambdaFunction }>;
  dispatchFunction: LambdaFunction;
  api: RestApi;
  table: ITable;
  deadLetterQueues?: IQueue[];
}

const FIVE_MINUTES = Duration.minutes(5);
const WIDTH = 8;

function graph(title: string, left: IMetric[], extra: Partial<GraphWidgetProps> = {}): GraphWidget {
  return new GraphWidget({ title, left, width: WIDTH, height: 6, ...extra });
}

/**
 * One dashboard, read top to bottom: alarm states; what runs do (created, dispatched, outcomes,
 * deferrals, channel failures); the state machine and the API; the functions; the table and
 * the dead-letter queues.
 */
export class OutreachDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OutreachDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      // Dashboard names are unique per account, across regions.
      dashboardName: `${stack.stackName}-${stack.region}`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [new AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 })],
        this.runWidgets(props.metrics),
        this.serviceWidgets(props),
        this.functionWidgets(props),
        this.storageWidgets(props),
      ],
    });
  }

  private runWidgets(metrics: OutreachMetrics): IWidget[] {
    return [
      graph('Runs created, steps dispatched, channel failures', [
        metrics.count('executionsCreated'),
        metrics.count('stepsDispatched'),
        metrics.count('channelFailures'),
      ]),
      graph('Outcomes by disposition', [metrics.countsBy('outcomes', 'disposition')], {
        right: [metrics.outcomeRate('COULD_NOT_CONNECT', FIVE_MINUTES, 1)],
      }),
      graph('Deferrals by rule, reconciled runs', [
        metrics.countsBy('deferrals', 'rule'),
        metrics.countsBy('reconciledRuns', 'outcome'),
      ]),
    ];
  }

  private serviceWidgets(props: OutreachDashboardProps): IWidget[] {
    const machine = props.stateMachine;
    const period = { period: FIVE_MINUTES };
    return [
      graph('State machine executions', [
        machine.metricStarted(period),
        machine.metricSucceeded(period),
        machine.metricFailed(period),
        machine.metricTimedOut(period),
        machine.metricAborted(period),
        machine.metricThrottled(period),
      ]),
      graph('API requests and errors', [
        props.api.metricCount(period),
        props.api.metricClientError(period),
        props.api.metricServerError(period),
      ]),
      graph('API latency', [
        props.api.metricLatency({ statistic: 'p50', ...period }),
        props.api.metricLatency({ statistic: 'p99', ...period }),
      ]),
    ];
  }

  private functionWidgets(props: OutreachDashboardProps): IWidget[] {
    const period = { period: FIVE_MINUTES };
    const timeout = props.dispatchFunction.timeout;
    return [
      graph(
        'Function errors',
        props.functions.map(({ name, function: fn }) => fn.metricErrors({ label: name, ...period }))
      ),
      graph(
        'Function throttles',
        props.functions.map(({ name, function: fn }) =>
          fn.metricThrottles({ label: name, ...period })
        )
      ),
      graph(
        'Dispatch duration',
        [
          props.dispatchFunction.metricDuration({ statistic: 'p50', ...period }),
          props.dispatchFunction.metricDuration({ statistic: 'p99', ...period }),
        ],
        {
          leftAnnotations: timeout ? [{ value: timeout.toMilliseconds(), label: 'timeout' }] : [],
        }
      ),
    ];
  }

  private storageWidgets(props: OutreachDashboardProps): IWidget[] {
    const sum = { statistic: 'Sum', period: FIVE_MINUTES };
    return [
      graph('DynamoDB capacity consumed', [
        props.table.metricConsumedReadCapacityUnits(sum),
        props.table.metricConsumedWriteCapacityUnits(sum),
      ]),
      graph('DynamoDB throttle events', [
        props.table.metric('ReadThrottleEvents', sum),
        props.table.metric('WriteThrottleEvents', sum),
      ]),
      graph(
        'Dead-letter queue depth',
        (props.deadLetterQueues ?? []).map((queue) =>
          queue.metricApproximateNumberOfMessagesVisible({
            statistic: 'Maximum',
            period: FIVE_MINUTES,
          })
        )
      ),
    ];
  }
}
