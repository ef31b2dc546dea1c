import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LambdaIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../lib/build-app.js';
import {
  OutreachAlarms,
  type OutreachAlarmsProps,
} from '../../../lib/constructs/outreach-alarms.js';

let service: Template;

// One synthesis (a few seconds, more on a loaded machine), with the e-mail context set; the
// stand-alone stack at the end shows the topic without it.
beforeAll(() => {
  const context = {
    channel: 'simulator',
    'aws:cdk:bundling-stacks': [],
    alarmEmail: 'ops@example.com',
  };
  service = Template.fromStack(buildApp({ context }).service);
}, 120_000);

type Resource = { Properties: Record<string, unknown> };

function alarms(template: Template): Resource[] {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
}

/** The alarms watching `metricName`, directly or inside a metric math expression. */
function alarmsOn(template: Template, metricName: string): Resource[] {
  return alarms(template).filter((alarm) =>
    JSON.stringify(alarm.Properties).includes(`"MetricName":"${metricName}"`)
  );
}

function topicRef(template: Template): { Ref: string } {
  const [id] = Object.keys(template.findResources('AWS::SNS::Topic'));
  return { Ref: id ?? 'missing' };
}

describe('OutreachAlarms in the service stack', () => {
  it('sends every alarm, and its recovery, to the one alarm topic', () => {
    service.resourceCountIs('AWS::SNS::Topic', 1);
    const topic = topicRef(service);
    expect(alarms(service).length).toBeGreaterThanOrEqual(17);
    for (const alarm of alarms(service)) {
      expect(alarm.Properties.AlarmActions).toEqual([topic]);
      expect(alarm.Properties.OKActions).toEqual([topic]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('encrypts the topic with a rotated key CloudWatch may use, and refuses plain HTTP', () => {
    service.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AlarmsTopicKey'), 'Arn'] },
    });
    service.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    service.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
          }),
        ]),
      },
    });
  });

  it('watches failed, timed-out and throttled state machine executions', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionThrottled']) {
      expect(alarmsOn(service, metric), metric).toEqual([
        expect.objectContaining({
          Properties: expect.objectContaining({ Namespace: 'AWS/States', Threshold: 1 }),
        }),
      ]);
    }
  });

  it('watches each function for throttles, and for errors except the authorizer', () => {
    expect(alarmsOn(service, 'Throttles')).toHaveLength(10);
    const errorAlarms = alarmsOn(service, 'Errors');
    expect(errorAlarms).toHaveLength(9);
    expect(JSON.stringify(errorAlarms)).not.toContain('Authorizer');
  });

  it('alarms on any dispatch a provider refused until its retries ran out', () => {
    const [alarm] = alarmsOn(service, 'ProviderRetriesExhausted');
    expect(alarm?.Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(JSON.stringify(alarm?.Properties)).toContain('"Namespace":"OutreachWorkflows"');
  });

  it('alarms when Dispatch p99 duration passes 80 % of its 60 s timeout', () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      ExtendedStatistic: 'p99',
      Threshold: 48_000,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [
        { Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^DispatchStep') } },
      ],
    });
  });

  it('watches API 5xx, API p99 latency and table throttle events', () => {
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Threshold: 1,
    });
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Threshold: 3000,
    });
    expect(alarmsOn(service, 'ReadThrottleEvents')).toEqual(
      alarmsOn(service, 'WriteThrottleEvents')
    );
    expect(alarmsOn(service, 'ReadThrottleEvents')).toHaveLength(1);
  });

  it('alarms on the COULD_NOT_CONNECT share of the Outcomes the functions publish', () => {
    const [rate] = alarmsOn(service, 'Outcomes');
    const queries = rate?.Properties.Metrics as Array<{
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Dimensions: unknown[] } };
    }>;
    const expression = queries.find((query) => query.Expression)?.Expression;
    expect(expression).toBe('IF(total >= 10, 100 * FILL(matching, 0) / total, 0)');
    const dimensionsOf = (id: string) =>
      queries.find((query) => query.Id === id)?.MetricStat?.Metric;
    expect(dimensionsOf('matching')).toMatchObject({
      Namespace: 'OutreachWorkflows',
      MetricName: 'Outcomes',
      Dimensions: expect.arrayContaining([
        { Name: 'service', Value: 'outreach-workflows' },
        { Name: 'disposition', Value: 'COULD_NOT_CONNECT' },
      ]),
    });
    expect(dimensionsOf('total')?.Dimensions).toEqual([
      { Name: 'service', Value: 'outreach-workflows' },
    ]);
    expect(rate?.Properties.Threshold).toBe(20);
  });

  it('draws one dashboard with the key graphs', () => {
    service.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    service.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['OutreachService-', { Ref: 'AWS::Region' }]] },
    });
    const body = JSON.stringify(service.findResources('AWS::CloudWatch::Dashboard'));
    for (const title of [
      'Alarms',
      'Outcomes by disposition',
      'Deferrals by rule, reconciled runs',
      'State machine executions',
      'API latency',
      'Dispatch duration',
      'DynamoDB throttle events',
    ]) {
      expect(body).toContain(`\\"title\\":\\"${title}\\"`);
    }
  });

  it('subscribes the address -c alarmEmail names to the topic', () => {
    service.resourceCountIs('AWS::SNS::Subscription', 1);
    service.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: topicRef(service),
    });
  });
});

describe('API access logs', () => {
  it('writes one JSON line per request with the organization, to a log group with retention', () => {
    const stage = Object.values(service.findResources('AWS::ApiGateway::Stage'))[0] as Resource;
    const settings = stage.Properties.AccessLogSetting as {
      DestinationArn: unknown;
      Format: string;
    };
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      organizationId: '$context.authorizer.organizationId',
      ip: '$context.identity.sourceIp',
      method: '$context.httpMethod',
      path: '$context.path',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
    });
    expect(settings.Format).not.toMatch(/apiKey|x-api-key/i);
    expect(settings.DestinationArn).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^HttpAccessLogs/), 'Arn'],
    });
  });

  it('sets up the account role API Gateway logs through, and keeps it when the stack goes', () => {
    service.resourceCountIs('AWS::ApiGateway::Account', 1);
    service.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
  });
});

/** OutreachAlarms alone, on the smallest stack that has what it watches. */
function watchedStack(
  extra: (stack: Stack) => Partial<OutreachAlarmsProps> = () => ({})
): Template {
  const stack = new Stack(new App(), 'Watched');
  const fn = new LambdaFunction(stack, 'Fn', {
    runtime: Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(10),
  });
  const api = new RestApi(stack, 'Api');
  api.root.addMethod('GET', new LambdaIntegration(fn));
  new OutreachAlarms(stack, 'Alarms', {
    stateMachine: new StateMachine(stack, 'Machine', {
      definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'Done')),
    }),
    functions: [{ name: 'Fn', function: fn }],
    dispatchFunction: fn,
    api,
    table: new Table(stack, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
    }),
    ...extra(stack),
  });
  return Template.fromStack(stack);
}

describe('OutreachAlarms on its own', () => {
  it('alarms on any visible message in each dead-letter queue it is given', () => {
    const template = watchedStack((stack) => ({ deadLetterQueues: [new Queue(stack, 'Dlq')] }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'QueueName'] },
        },
      ],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Duration',
      Threshold: 8000,
    });
  });

  it('has no subscription when no address is given', () => {
    watchedStack().resourceCountIs('AWS::SNS::Subscription', 0);
  });
});
