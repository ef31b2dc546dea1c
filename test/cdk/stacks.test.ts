import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/build-app.js';
import { apiRoutes } from '../../lib/constructs/outreach-api.js';

let data: Template;
let service: Template;

beforeAll(() => {
  const app = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
  data = Template.fromStack(app.data);
  service = Template.fromStack(app.service);
});

describe('DataStack', () => {
  it('keeps one on-demand table with pk/sk, gsi1, PITR, retained on delete', () => {
    data.resourceCountIs('AWS::DynamoDB::Table', 1);
    data.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
      }),
    });
  });
});

describe('OutreachService', () => {
  it('runs every function on Node 22 arm64 with tracing and a log group with retention', () => {
    const functions = service.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs22.x' },
    });
    expect(Object.keys(functions)).toHaveLength(5);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    service.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  it('declares every route with the X-API-Key REQUEST authorizer', () => {
    service.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.X-API-Key',
    });
    const methods = Object.values(service.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(apiRoutes.length);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('CUSTOM');
  });

  it('answers gateway errors in the envelope', () => {
    service.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"UNAUTHORIZED"') },
    });
    service.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
    });
  });

  it('grants no wildcard actions and only GetItem to the authorizer', () => {
    for (const policy of Object.values(service.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions = [statement.Action].flat() as string[];
        for (const action of actions) expect(action.endsWith(':*') || action === '*').toBe(false);
      }
    }
    const authorizerPolicy = Object.entries(service.findResources('AWS::IAM::Policy')).find(
      ([id]) => id.startsWith('Authorizer')
    );
    const tableActions = (
      (authorizerPolicy as [string, { Properties: any }])[1].Properties.PolicyDocument
        .Statement as Array<{
        Action: string | string[];
      }>
    )
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => action.startsWith('dynamodb:'));
    expect(tableActions).toEqual(['dynamodb:GetItem']);
  });

  it('builds the state machine loop with timeouts, retries and a catch-all', () => {
    service.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ERROR' }),
    });
    const machine = Object.values(service.findResources('AWS::StepFunctions::StateMachine'))[0];
    const definition = JSON.parse(
      ((machine as { Properties: any }).Properties.DefinitionString['Fn::Join'][1] as unknown[])
        .map((part) => (typeof part === 'string' ? part : 'X'))
        .join('')
    );
    expect(definition.StartAt).toBe('Plan');
    expect(Object.keys(definition.States).sort()).toEqual([
      'Dispatch',
      'Done',
      'Failed',
      'Mark Failed',
      'Plan',
      'Route',
      'Wait Until Allowed',
    ]);
    expect(definition.States['Wait Until Allowed']).toMatchObject({
      Type: 'Wait',
      TimestampPath: '$.plan.waitUntil',
      Next: 'Dispatch',
    });
    expect(definition.States.Dispatch.Resource).toMatch(/lambda:invoke\.waitForTaskToken$/);
    expect(definition.States.Dispatch.TimeoutSeconds).toBe(86_400);
    expect(definition.States.Dispatch.Next).toBe('Plan');
    for (const task of ['Plan', 'Dispatch']) {
      expect(definition.States[task].Retry.length).toBeGreaterThan(0);
      expect(definition.States[task].Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Mark Failed' },
      ]);
    }
    expect(JSON.stringify(definition)).not.toMatch(/JSONata|Assign/);
  });
});
