import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type OutreachApp } from '../../../lib/build-app.js';

const offline = { channel: 'simulator', 'aws:cdk:bundling-stacks': [] };

let built: OutreachApp;
let data: Template;
let service: Template;

beforeAll(() => {
  built = buildApp({ context: offline });
  data = Template.fromStack(built.data);
  service = Template.fromStack(built.service);
});

describe('stateful safety', () => {
  it('protects the table from deletion, by the stack and by hand', () => {
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    });
    expect(built.data.terminationProtection).toBe(true);
    // The service stack holds nothing that outlives a redeploy (README "Stateful safety").
    expect(built.service.terminationProtection).toBe(false);
  });

  it('outputs the table name for the api-key CLI', () => {
    const [tableId] = Object.keys(data.findResources('AWS::DynamoDB::Table'));
    data.hasOutput('TableName', { Value: { Ref: tableId } });
  });

  it('keeps the logical ids of the table, the state machine and the functions', () => {
    // A changed logical id makes CloudFormation replace the resource: a new, empty table, or a
    // new state machine whose deletion of the old one stops every run in flight. Never edit
    // these to make the test pass; keep the construct ids instead.
    expect(Object.keys(data.findResources('AWS::DynamoDB::Table'))).toEqual(['TableCD117FA1']);
    expect(Object.keys(service.findResources('AWS::StepFunctions::StateMachine'))).toEqual([
      'ExecutionRunnerStateMachine32EE8532',
    ]);
    expect(Object.keys(service.findResources('AWS::Lambda::Function'))).toEqual(
      expect.arrayContaining([
        'DispatchStepFunction983A8691',
        'FailExecutionFunctionFBA75D81',
        'ApiFunction6BF808ED',
        'StartPendingRunsFunctionA48A4ED7',
        'AuthorizerFunctionEB19F618',
        'RunReconcilerReconcileRunsFunctionB1D844D8',
        'LifecycleEventsFanOutWebhooksFunction9A5F8EB2',
        'LifecycleEventsDeliverWebhooksFunction5666505E',
      ])
    );
    // A replaced queue loses the deliveries it holds (the dead-letter queue: those given up on),
    // and a replaced bus loses the rules teams added to it.
    expect(Object.keys(service.findResources('AWS::Events::EventBus'))).toEqual([
      'LifecycleEventsBusF520F4A1',
    ]);
    expect(Object.keys(service.findResources('AWS::SQS::Queue'))).toEqual(
      expect.arrayContaining([
        'LifecycleEventsEventQueueAB831AC1',
        'LifecycleEventsDeliveries493816CE',
        'LifecycleEventsWebhookDeadLettersA417392A',
      ])
    );
  });

  it('tags every resource with the project and the environment', () => {
    const tags = [
      { Key: 'Environment', Value: 'default' },
      { Key: 'Project', Value: 'outreach-workflows' },
    ];
    data.hasResourceProperties('AWS::DynamoDB::Table', { Tags: tags });
    service.hasResourceProperties('AWS::StepFunctions::StateMachine', { Tags: tags });
    service.allResourcesProperties('AWS::Lambda::Function', { Tags: tags });
  });
});

describe('environments', () => {
  it('keeps the original stack names without an environment', () => {
    expect([built.data.stackName, built.service.stackName]).toEqual([
      'OutreachData',
      'OutreachService',
    ]);
  });

  it('prefixes both stacks with -c env, with the same logical ids inside', () => {
    const prod = buildApp({ context: { ...offline, env: 'prod' } });
    expect([prod.data.stackName, prod.service.stackName]).toEqual([
      'prod-OutreachData',
      'prod-OutreachService',
    ]);
    const prodData = Template.fromStack(prod.data);
    expect(Object.keys(prodData.findResources('AWS::DynamoDB::Table'))).toEqual(['TableCD117FA1']);
    prodData.hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: [
        { Key: 'Environment', Value: 'prod' },
        { Key: 'Project', Value: 'outreach-workflows' },
      ],
    });
  }, 60_000);

  it('refuses an environment name that cannot prefix a stack name', () => {
    expect(() => buildApp({ context: { ...offline, env: 'prod_eu' } })).toThrow(/-c env=prod_eu/);
    expect(() => buildApp({ context: { ...offline, env: '1prod' } })).toThrow(/a letter/);
  });
});
