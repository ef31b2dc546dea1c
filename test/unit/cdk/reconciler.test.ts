import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../lib/build-app.js';
import { localStateMachines } from '../../../local/asl.js';
import { matchesPattern, patternRules } from '../../../local/event-rules.js';
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

/** The one logical id of `type` whose id starts with `prefix`. */
function logicalId(type: string, prefix: string): string {
  const ids = Object.keys(service.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('RunReconciler', () => {
  it("routes this state machine's FAILED, TIMED_OUT and ABORTED ends to the queue", () => {
    const stateMachine = logicalId('AWS::StepFunctions::StateMachine', 'ExecutionRunner');
    const queue = logicalId('AWS::SQS::Queue', 'RunReconcilerExecutionEnds');
    const deadLetters = logicalId('AWS::SQS::Queue', 'RunReconcilerDeadLetters');
    service.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [{ Ref: stateMachine }],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
          // An event EventBridge cannot put on the queue is kept too.
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } },
        }),
      ],
    });
  });

  it('keeps ends in an encrypted queue with a dead-letter queue, TLS only', () => {
    const queue = logicalId('AWS::SQS::Queue', 'RunReconcilerExecutionEnds');
    const deadLetters = logicalId('AWS::SQS::Queue', 'RunReconcilerDeadLetters');
    const fn =
      service.findResources('AWS::Lambda::Function')[
        logicalId('AWS::Lambda::Function', 'RunReconcilerReconcileRuns')
      ];
    const functionTimeout = fn?.Properties.Timeout as number;
    const queueProperties = service.findResources('AWS::SQS::Queue')[queue]?.Properties;
    expect(queueProperties).toMatchObject({
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
        maxReceiveCount: 5,
      },
    });
    expect(queueProperties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * functionTimeout);
    service.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 86_400,
    });
    for (const id of [queue, deadLetters]) {
      service.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('feeds the reconciler from the queue, reporting failures per record', () => {
    service.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: {
        'Fn::GetAtt': [logicalId('AWS::SQS::Queue', 'RunReconcilerExecutionEnds'), 'Arn'],
      },
      FunctionName: { Ref: logicalId('AWS::Lambda::Function', 'RunReconcilerReconcileRuns') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the reconciler only read, update and query items of the table (the query: webhook subscriptions), no index', () => {
    const policy =
      service.findResources('AWS::IAM::Policy')[
        logicalId('AWS::IAM::Policy', 'RunReconcilerReconcileRuns')
      ];
    const statements: Array<{ Action: string[]; Resource: unknown }> =
      policy?.Properties.PolicyDocument.Statement ?? [];
    const tableStatements = statements.filter((statement) =>
      [statement.Action].flat().some((a) => a.startsWith('dynamodb:'))
    );
    expect(tableStatements).toHaveLength(1);
    expect(tableStatements[0]?.Action).toEqual([
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    expect(JSON.stringify(tableStatements[0]?.Resource)).not.toContain('/index/');
  });
});

describe('the local runtime reads the same route from the template', () => {
  it('matches a status change of this state machine, and only the three endings', () => {
    const [rule] = patternRules(resolver);
    const [machine] = localStateMachines(resolver);
    const event = (status: string, stateMachineArn = machine?.arn) => ({
      source: 'aws.states',
      'detail-type': 'Step Functions Execution Status Change',
      detail: { status, stateMachineArn, name: 'x' },
    });
    const pattern = rule?.pattern ?? {};
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'])
      expect(matchesPattern(pattern, event(status))).toBe(true);
    expect(matchesPattern(pattern, event('SUCCEEDED'))).toBe(false);
    expect(matchesPattern(pattern, event('FAILED', `${machine?.arn}-other`))).toBe(false);

    const consumer = queueConsumers(resolver).get(rule?.queueArns[0] as string);
    expect(consumer).toMatchObject({
      functionId: logicalId('AWS::Lambda::Function', 'RunReconcilerReconcileRuns'),
      reportsItemFailures: true,
      maxReceiveCount: 5,
    });
  });

  it("enforces the machine's one-year timeout itself instead of handing it to the library", () => {
    const [machine] = localStateMachines(resolver);
    expect(machine?.timeoutSeconds).toBe(365 * 86_400);
    expect(machine?.definition.TimeoutSeconds).toBeUndefined();
  });
});
