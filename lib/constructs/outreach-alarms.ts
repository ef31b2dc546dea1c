import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  MathExpression,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SERVICE_NAME } from '../../lambdas/shared/metric-names.js';
import { OutreachDashboard } from './outreach-dashboard.js';
import { OutreachMetrics } from './outreach-metrics.js';

export interface AlarmedFunction {
  /** Short name for alarm and graph titles, e.g. `Dispatch`. */
  name: string;
  function: LambdaFunction;
  /**
   * False where a thrown error is an answer, not a fault: the authorizer throws `Unauthorized`
   * for every unknown key. Its crashes still show as API 5xx. @default true
   */
  errorsAreFaults?: boolean;
}

export interface OutreachAlarmsProps {
  stateMachine: IStateMachine;
  functions: AlarmedFunction[];
  /** Its p99 duration alarms when it nears its timeout (a slow channel). */
  dispatchFunction: LambdaFunction;
  api: RestApi;
  table: ITable;
  /** Dead-letter queues: any message in one is work that was given up on. */
  deadLetterQueues?: IQueue[];
  /** Subscribed to the alarm topic when set (`-c alarmEmail=ops@example.com`). */
  alarmEmail?: string;
  /** The functions' POWERTOOLS_SERVICE_NAME, the `service` dimension of their metrics. */
  serviceName?: string;
  /** The COULD_NOT_CONNECT share of outcomes over 15 minutes that alarms. @default 20 % */
  couldNotConnectPercent?: number;
  /** API p99 latency that alarms when held for 15 minutes. @default 3 s */
  apiLatencyP99?: Duration;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms on what means the product is failing its users, all to one encrypted SNS topic (alarm
 * and recovery), and one dashboard with the key graphs:
 * 1. Runs: Step Functions executions failed, timed out or throttled.
 * 2. Functions: errors and throttles of each; Dispatch's p99 duration above 80 % of its timeout.
 * 3. API: any 5xx (bad input is always a 4xx), p99 latency.
 * 4. DynamoDB: read or write throttle events.
 * 5. Dead-letter queues: any message visible.
 * 6. Channel: the COULD_NOT_CONNECT share of outcomes (the agent endpoint is down or refusing),
 *    and any dispatch a provider refused until its retries ran out (limits, auth, billing).
 */
export class OutreachAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OutreachAlarmsProps) {
    super(scope, id);
    this.topic = this.alarmTopic(props.alarmEmail);
    const metrics = new OutreachMetrics(props.serviceName ?? SERVICE_NAME);
    const machine = props.stateMachine;
    this.alarm('ExecutionsFailed', machine.metricFailed({ period: FIVE_MINUTES }), 1);
    this.alarm('ExecutionsTimedOut', machine.metricTimedOut({ period: FIVE_MINUTES }), 1);
    this.alarm('ExecutionThrottled', machine.metricThrottled({ period: FIVE_MINUTES }), 1);
    this.functionAlarms(props);
    this.apiAlarms(props.api, props.apiLatencyP99 ?? Duration.seconds(3));
    this.storageAlarms(props.table, props.deadLetterQueues ?? []);
    this.alarm(
      'CouldNotConnectRate',
      metrics.outcomeRate('COULD_NOT_CONNECT', Duration.minutes(15), 10),
      props.couldNotConnectPercent ?? 20,
      { strictlyAbove: true }
    );
    this.alarm('ProviderRetriesExhausted', metrics.count('providerRetriesExhausted'), 1);
    new OutreachDashboard(this, 'Dashboard', { ...props, metrics, alarms: this.alarms });
  }

  private functionAlarms(props: OutreachAlarmsProps): void {
    for (const { name, function: fn, errorsAreFaults = true } of props.functions) {
      if (errorsAreFaults)
        this.alarm(`${name}Errors`, fn.metricErrors({ period: FIVE_MINUTES }), 1);
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: FIVE_MINUTES }), 1);
    }
    const dispatchTimeout = props.dispatchFunction.timeout ?? Duration.seconds(3);
    this.alarm(
      'DispatchDurationNearTimeout',
      props.dispatchFunction.metricDuration({ statistic: 'p99', period: FIVE_MINUTES }),
      0.8 * dispatchTimeout.toMilliseconds(),
      { evaluationPeriods: 3, datapointsToAlarm: 2, strictlyAbove: true }
    );
  }

  private apiAlarms(api: RestApi, latencyP99: Duration): void {
    this.alarm('Api5xx', api.metricServerError({ period: FIVE_MINUTES }), 1);
    this.alarm(
      'ApiLatencyP99',
      api.metricLatency({ statistic: 'p99', period: FIVE_MINUTES }),
      latencyP99.toMilliseconds(),
      { evaluationPeriods: 3, strictlyAbove: true }
    );
  }

  private storageAlarms(table: ITable, deadLetterQueues: IQueue[]): void {
    const sum = { statistic: 'Sum', period: FIVE_MINUTES };
    const throttleEvents = new MathExpression({
      expression: 'FILL(reads, 0) + FILL(writes, 0)',
      usingMetrics: {
        reads: table.metric('ReadThrottleEvents', sum),
        writes: table.metric('WriteThrottleEvents', sum),
      },
      label: 'DynamoDB throttle events',
      period: FIVE_MINUTES,
    });
    this.alarm('TableThrottles', throttleEvents, 1);
    for (const queue of deadLetterQueues) {
      const visible = queue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      });
      this.alarm(`DeadLetters${queue.node.id}`, visible, 0, { strictlyAbove: true });
    }
  }

  /** Encrypted with a key CloudWatch may use (the AWS-managed SNS key does not allow it). */
  private alarmTopic(email: string | undefined): Topic {
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts the Outreach alarm topic',
      enableKeyRotation: true,
    });
    key.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*'
    );
    const topic = new Topic(this, 'Topic', {
      displayName: 'Outreach Workflows alarms',
      masterKey: key,
      enforceSSL: true,
    });
    // A topic policy replaces SNS's default one: CloudWatch alarms of this account may publish.
    const { account, partition, region } = Stack.of(this);
    topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': account },
        },
      })
    );
    if (email) topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  private alarm(
    name: string,
    metric: IMetric,
    threshold: number,
    options: {
      evaluationPeriods?: number;
      datapointsToAlarm?: number;
      strictlyAbove?: boolean;
    } = {}
  ): Alarm {
    const alarm = new Alarm(this, name, {
      alarmDescription: `Outreach Workflows: ${name}`,
      metric,
      threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      datapointsToAlarm: options.datapointsToAlarm,
      comparisonOperator: options.strictlyAbove
        ? ComparisonOperator.GREATER_THAN_THRESHOLD
        : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data is no failure: an idle hour is not an incident.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
