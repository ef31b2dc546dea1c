import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { lifecycleEventTypes } from '../../../lambdas/schemas/lifecycle-events.js';
import { buildApp } from '../../../lib/build-app.js';
import { patternRules } from '../../../local/event-rules.js';
import { queueConsumers } from '../../../local/sqs-queues.js';
import { type Template as CfnTemplate, TemplateResolver } from '../../../local/template.js';

let service: Template;
let resolver: TemplateResolver;

beforeAll(() => {
  const app = buildApp({ context: { channel: 'simulator', 'aws:cdk:bundling-stacks': [] } });
  service = Template.fromStack(app.service);
  resolver = new TemplateResolver([
    Template.fromStack(app.data).toJSON() as CfnTemplate,
    service.toJSON() as CfnTemplate,
  ]);
});

function logicalId(type: string, prefix: string): string {
  const ids = Object.keys(service.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** Every statement of the policies attached to the function's role. */
function statementsOf(functionPrefix: string) {
  const fn =
    service.findResources('AWS::Lambda::Function')[
      logicalId('AWS::Lambda::Function', functionPrefix)
    ];
  const role = fn?.Properties.Role['Fn::GetAtt'][0];
  return Object.values(service.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${role}"`))
    .flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as Array<{
          Action: string | string[];
          Resource: unknown;
        }>
    );
}

/** The function's Secrets Manager actions on the webhook signing secrets (not agents' secrets). */
function webhookSecretActionsOf(functionPrefix: string): string[] {
  return statementsOf(functionPrefix)
    .filter((s) => JSON.stringify(s.Resource).includes(':secret:OutreachService/webhooks/*'))
    .flatMap((statement) => [statement.Action].flat() as string[])
    .sort();
}

function actionsOf(functionPrefix: string, service_: string): string[] {
  return statementsOf(functionPrefix)
    .flatMap((statement) => [statement.Action].flat() as string[])
    .filter((action) => action.startsWith(`${service_}:`))
    .sort();
}

describe('LifecycleEvents', () => {
  it('routes the six lifecycle event types on its own bus to the fan-out queue', () => {
    const bus = logicalId('AWS::Events::EventBus', 'LifecycleEventsBus');
    const queue = logicalId('AWS::SQS::Queue', 'LifecycleEventsEventQueue');
    service.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: bus },
      // Only events a subscription takes go to the fan-out.
      EventPattern: Match.exact({
        source: ['outreach.workflows'],
        'detail-type': [...lifecycleEventTypes],
        detail: { webhooks: [true] },
      }),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queue, 'Arn'] } })],
    });
    // The local runtime reads the same rule and delivers to the same consumer.
    const [rule] = patternRules(resolver).filter((r) => r.bus === bus);
    const consumer = queueConsumers(resolver).get(rule?.queueArns[0] as string);
    expect(consumer?.functionId).toMatch(/^LifecycleEventsFanOutWebhooks/);
  });

  it('retries each delivery eight times with its visibility, then dead-letters it for 14 days', () => {
    const deliveries = logicalId('AWS::SQS::Queue', 'LifecycleEventsDeliveries');
    const deadLetters = logicalId('AWS::SQS::Queue', 'LifecycleEventsWebhookDeadLetters');
    const queues = service.findResources('AWS::SQS::Queue');
    expect(queues[deliveries]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
        maxReceiveCount: 8,
      },
    });
    expect(queues[deadLetters]?.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [deliveries, 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    service.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetters, 'QueueName'] } }],
    });
    service.hasOutput('WebhookDeadLetterQueueArn', {
      Value: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
    });
  });

  it('lets only Api manage signing secrets and only DeliverWebhooks read them, by prefix', () => {
    expect(webhookSecretActionsOf('Api')).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
    ]);
    // DeliverWebhooks holds no other secret grant: every one it has is on the webhooks prefix.
    expect(actionsOf('LifecycleEventsDeliverWebhooks', 'secretsmanager')).toEqual([
      'secretsmanager:GetSecretValue',
    ]);
    expect(webhookSecretActionsOf('LifecycleEventsDeliverWebhooks')).toEqual([
      'secretsmanager:GetSecretValue',
    ]);
    expect(actionsOf('LifecycleEventsFanOutWebhooks', 'secretsmanager')).toEqual([]);
    for (const fn of ['DispatchStep', 'FailExecution', 'SweepSlots'])
      expect(webhookSecretActionsOf(fn)).toEqual([]);
  });

  it('lets the functions that change runs put events on the bus, and no other', () => {
    for (const fn of ['Api', 'DispatchStep', 'FailExecution', 'RunReconcilerReconcileRuns'])
      expect(actionsOf(fn, 'events')).toEqual(['events:PutEvents']);
    for (const fn of [
      'Authorizer',
      'StartPendingRuns',
      'SweepSlots',
      'LifecycleEventsDeliverWebhooks',
    ])
      expect(actionsOf(fn, 'events')).toEqual([]);
    expect(actionsOf('LifecycleEventsFanOutWebhooks', 'sqs')).toContain('sqs:SendMessage');
  });
});
