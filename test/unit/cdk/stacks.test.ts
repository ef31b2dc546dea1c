import '../../../local/polyfills.js';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiRoutes, providerRoutes } from '../../../lambdas/schemas/routes.js';
import { buildApp } from '../../../lib/build-app.js';
import { type Template as CfnTemplate, TemplateResolver } from '../../../local/template.js';

let data: Template;
let service: Template;

beforeAll(() => {
  const app = buildApp({ context: { channel: 'simulator', 'aws:cdk:bundling-stacks': [] } });
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
        // Only what never changes after create: a run's state updates never write the index.
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'gsi1',
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['customerLeadId'] },
          }),
        ],
      }),
    });
  });
});

describe('OutreachService', () => {
  it('runs every function on Node 22 arm64 with tracing and a log group with retention', () => {
    const functions = service.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs22.x' },
    });
    expect(Object.keys(functions)).toHaveLength(10);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
    service.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  it('sweeps pending starts every minute with a function allowed to start runs', () => {
    service.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StartPendingRuns'), 'Arn'] },
          Input: JSON.stringify({ graceSeconds: 60 }),
        }),
      ],
    });
    const sweepPolicy = Object.entries(service.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('StartPendingRuns')
    );
    const actions = JSON.stringify(sweepPolicy?.[1]);
    expect(actions).toContain('states:StartExecution');
  });

  it('starts far-ahead runs from schedules whose role may only start this state machine', () => {
    service.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
    });
    const policies = JSON.stringify(service.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('scheduler:CreateSchedule');
    expect(policies).toContain('schedule/OutreachService-runs/run-*');
    service.hasResourceProperties('AWS::Scheduler::ScheduleGroup', {
      Name: 'OutreachService-runs',
    });
    expect(policies).toContain('iam:PassRole');
  });

  it('lets the Api write agent secrets under the stack prefix, Dispatch and the provider webhooks read them, no more', () => {
    const grants: Record<string, string[]> = {};
    for (const [id, policy] of Object.entries(service.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions = [statement.Action].flat() as string[];
        if (!actions.some((action) => action.startsWith('secretsmanager:'))) continue;
        // The webhook signing secrets have their own prefix and test (lifecycle-events.test.ts).
        if (JSON.stringify(statement.Resource).includes(':secret:OutreachService/webhooks/*'))
          continue;
        expect(JSON.stringify(statement.Resource)).toContain(':secret:OutreachService/agents/*"');
        grants[id.replace(/Role.*$/, '')] = actions;
      }
    }
    expect(grants).toEqual({
      Api: [
        'secretsmanager:CreateSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:DeleteSecret',
      ],
      DispatchStep: ['secretsmanager:GetSecretValue'],
      ProviderWebhooks: ['secretsmanager:GetSecretValue'],
    });
    const functions = Object.entries(service.findResources('AWS::Lambda::Function'));
    for (const name of Object.keys(grants)) {
      const [, fn] = functions.find(([id]) => id.startsWith(`${name}Function`)) ?? [];
      expect(fn?.Properties.Environment.Variables.AGENT_SECRETS_PREFIX).toBe(
        'OutreachService/agents'
      );
    }
  });

  it('lets only Dispatch send AWS SMS texts, and nothing else in sms-voice', () => {
    const grants: Array<{ policy: string; actions: string[]; resource: string }> = [];
    for (const [id, policy] of Object.entries(service.findResources('AWS::IAM::Policy'))) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const actions = [statement.Action].flat() as string[];
        if (!actions.some((action) => action.startsWith('sms-voice:'))) continue;
        grants.push({ policy: id, actions, resource: JSON.stringify(statement.Resource) });
      }
    }
    expect(grants).toEqual([
      {
        policy: expect.stringMatching(/^DispatchStep/),
        actions: ['sms-voice:SendTextMessage'],
        resource: expect.stringMatching(/:sms-voice:".*:\*"\]\]\}$/),
      },
    ]);
  });

  it('declares every API route with the X-API-Key REQUEST authorizer, and only provider webhooks without', () => {
    service.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.X-API-Key',
    });
    const methods = Object.values(service.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(apiRoutes.length + providerRoutes.length);
    const open = methods.filter((method) => method.Properties.AuthorizationType !== 'CUSTOM');
    expect(open).toHaveLength(providerRoutes.length);
    for (const method of open) {
      expect(method.Properties.AuthorizationType).toBe('NONE');
      expect(JSON.stringify(method.Properties.Integration.Uri)).toContain('ProviderWebhooks');
    }
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
    const definition = stateMachineDefinition();
    // A run always starts with a step: it enters at its Wait (7 transitions for two steps).
    expect(definition.StartAt).toBe('Wait Until Allowed');
    expect(Object.keys(definition.States).sort()).toEqual([
      'Dispatch',
      'Done',
      'Failed',
      'Mark Failed',
      'Park',
      'Route',
      'Wait Until Allowed',
    ]);
    expect(definition.States.Route.Choices).toEqual([
      { Variable: '$.plan.action', StringEquals: 'STEP', Next: 'Wait Until Allowed' },
      // A queued run handed a pacing slot goes straight back to Dispatch.
      { Variable: '$.plan.action', StringEquals: 'DISPATCH', Next: 'Dispatch' },
      { Variable: '$.plan.action', StringEquals: 'PARK', Next: 'Park' },
    ]);
    // A paused run waits on a token (no timer) for at most the execution's own year.
    expect(definition.States.Park).toMatchObject({
      Resource: expect.stringMatching(/lambda:invoke\.waitForTaskToken$/),
      TimeoutSeconds: 365 * 86_400,
      Next: 'Route',
      Parameters: { Payload: expect.objectContaining({ park: true }) },
    });
    expect(definition.States['Wait Until Allowed']).toMatchObject({
      Type: 'Wait',
      TimestampPath: '$.plan.waitUntil',
      Next: 'Dispatch',
    });
    const dispatch = definition.States.Dispatch;
    expect(dispatch.Resource).toMatch(/lambda:invoke\.waitForTaskToken$/);
    expect(dispatch.TimeoutSeconds).toBe(86_400);
    expect(dispatch.ResultPath).toBe('$.plan');
    expect(dispatch.Next).toBe('Route');
    expect(dispatch.Retry.length).toBeGreaterThan(0);
    expect(dispatch.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Mark Failed' },
    ]);
    expect(definition.States['Mark Failed'].Next).toBe('Failed');
    expect(JSON.stringify(definition)).not.toMatch(/JSONata|Assign/);
  });

  it('has a definition the States Language validator accepts', () => {
    expect(() => new StateMachine(stateMachineDefinition())).not.toThrow();
  });

  it('costs 3 transitions per step attempt and 2 to finish', async () => {
    // The 365-day machine timeout overflows the library's setTimeout (2^31 − 1 ms at most).
    const { TimeoutSeconds: _year, ...definition } = stateMachineDefinition();
    const past = '2020-01-01T00:00:00.000Z';
    const dispatchedSteps: number[] = [];
    const execution = new StateMachine(definition).run(
      { executionId: 'e', plan: { action: 'STEP', stepIndex: 0, waitUntil: past } },
      {
        overrides: {
          taskResourceLocalHandlers: {
            // The outcome report hands back the next plan: step 1, then finish.
            Dispatch: async (input: any) => {
              dispatchedSteps.push(input.Payload.stepIndex);
              return dispatchedSteps.length < 2
                ? { action: 'STEP', stepIndex: 1, waitUntil: past }
                : { action: 'FINISH', stepIndex: 1, waitUntil: past };
            },
            'Mark Failed': async (input: any) => {
              throw new Error(`the run failed: ${JSON.stringify(input)}`);
            },
          },
        },
        context: { Task: { Token: 'token' } },
      }
    );
    const entered: string[] = [];
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') entered.push(event.state.name);
    }
    expect(entered).toEqual([
      'Wait Until Allowed',
      'Dispatch',
      'Route',
      'Wait Until Allowed',
      'Dispatch',
      'Route',
      'Done',
    ]);
    expect(dispatchedSteps).toEqual([0, 1]);
  });
});

/** The state machine's ASL, its references resolved as the local runtime resolves them. */
function stateMachineDefinition(): any {
  const resolver = new TemplateResolver([
    data.toJSON() as CfnTemplate,
    service.toJSON() as CfnTemplate,
  ]);
  const [machine] = resolver.resourcesOfType('AWS::StepFunctions::StateMachine');
  return JSON.parse(resolver.resolve(machine?.[1].Properties.DefinitionString));
}
