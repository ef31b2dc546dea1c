import { readdirSync, readFileSync } from 'node:fs';
import { App, Aspects, type PolicyViolation, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type OutreachApp } from '../../../lib/build-app.js';
import { acknowledgeNagFindings, nagAcknowledgements } from '../../../lib/nag-acknowledgements.js';
import { RequireTls } from '../../../lib/require-tls.js';

/** One finding: a rule (with its detail, e.g. `AwsSolutions-IAM5[Resource::*]`) on a resource. */
interface Finding {
  id: string;
  severity: string;
  path: string;
}

function findings(scope: IConstruct): Finding[] {
  const { violations } = new AwsSolutionsChecks().validateScope(scope);
  return violations.flatMap((violation: PolicyViolation) =>
    violation.violatingResources.map((resource) => ({
      id: violation.ruleName,
      severity: violation.severity ?? 'error',
      path: resource.constructPath ?? '',
    }))
  );
}

let built: OutreachApp;
let service: Template;
let unacknowledged: Finding[];

beforeAll(() => {
  // The webhook channel: the deploy with the most resources (its signing secret) is reviewed.
  built = buildApp({
    context: {
      channel: 'webhook',
      agentWebhookUrl: 'https://agent.example/hook',
      'aws:cdk:bundling-stacks': [],
    },
  });
  // Synthesis runs the aspects (tags, TLS); cdk-nag reads the tree they leave.
  service = Template.fromStack(built.service);
  unacknowledged = findings(built.app);
});

describe('cdk-nag AwsSolutions', () => {
  it('leaves no error or warning that is neither fixed nor acknowledged with a reason', () => {
    acknowledgeNagFindings(built);
    const left = findings(built.app).map(
      ({ id, severity, path }) => `${severity} ${id} at ${path}`
    );
    // Fix it, or add `[id, reason]` to lib/nag-acknowledgements.ts.
    expect(left).toEqual([]);
  });

  it('keeps no acknowledgement that matches no finding of its stack', () => {
    for (const [stack, acknowledgements] of nagAcknowledgements(built)) {
      const ids = new Set(
        unacknowledged
          .filter(({ path }) => path.startsWith(`${stack.node.path}/`))
          .map(({ id }) => id)
      );
      const stale = acknowledgements.map(([id]) => id).filter((id) => !ids.has(id));
      expect(stale, `${stack.stackName}: nothing left to acknowledge`).toEqual([]);
    }
  });

  it('grants "*" only for X-Ray writes and log delivery, which take no resource', () => {
    const noResourceActions = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);
    for (const template of [Template.fromStack(built.data), service]) {
      for (const statement of policyStatements(template)) {
        if (![statement.Resource].flat().includes('*')) continue;
        for (const action of [statement.Action].flat()) expect(noResourceActions).toContain(action);
      }
    }
  });
});

describe('table grants', () => {
  const table = 'table';
  const workflowIndex = 'index/gsi1';
  /** What each function's code sends to DynamoDB (handler → use cases → adapters). */
  const expected: Record<string, Record<string, string[]>> = {
    Api: {
      [table]: ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
      [workflowIndex]: ['Query'],
    },
    DispatchStep: { [table]: ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'] },
    FailExecution: { [table]: ['GetItem', 'Query', 'UpdateItem'] },
    StartPendingRuns: { [table]: ['DeleteItem', 'GetItem', 'Query'] },
    SweepSlots: {
      [table]: ['DeleteItem', 'GetItem', 'Query', 'UpdateItem'],
      [workflowIndex]: ['Query'],
    },
    Authorizer: { [table]: ['GetItem'] },
    ProviderWebhooks: { [table]: ['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'] },
    RunReconcilerReconcileRuns: { [table]: ['GetItem', 'Query', 'UpdateItem'] },
    LifecycleEventsFanOutWebhooks: { [table]: ['Query'] },
    LifecycleEventsDeliverWebhooks: { [table]: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'] },
  };

  it('gives each function exactly the DynamoDB actions it uses, and the index only to the lister', () => {
    const granted: Record<string, Record<string, string[]>> = {};
    for (const [id, resource] of resourcesOf(service)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const grants = tableGrantsOf(service, resource);
      // OutreachFunction ids are `<construct id>Function<hash>`.
      if (Object.keys(grants).length > 0) granted[id.replace(/Function[0-9A-F]{8}$/, '')] = grants;
    }
    // A new function with table access needs its own line above.
    expect(granted).toEqual(expected);
  });

  it('grants every DynamoDB command the adapters send to some function', () => {
    const granted = new Set(
      Object.values(expected).flatMap((grants) => Object.values(grants).flat())
    );
    const sent = new Map<string, string>();
    const folder = 'lambdas/adapters';
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(`${folder}/${file}`, 'utf8');
      for (const [, command] of source.matchAll(/new (\w+)Command\(/g)) {
        const action = dynamoAction(command as string);
        if (action) sent.set(action, `${file} sends ${command}Command`);
      }
    }
    expect(sent.size).toBeGreaterThan(0);
    const ungranted = [...sent].filter(([action]) => !granted.has(action)).map(([, by]) => by);
    expect(ungranted).toEqual([]);
  });
});

describe('RequireTls', () => {
  it('makes every queue and topic refuse requests without TLS, once', () => {
    const app = new App();
    const stack = new Stack(app, 'Messaging');
    new Queue(stack, 'Plain');
    new Queue(stack, 'AlreadySecure', { enforceSSL: true });
    new Topic(stack, 'Alarms');
    Aspects.of(app).add(new RequireTls());
    const template = Template.fromStack(stack);
    const ids = findings(app).map(({ id }) => id);
    expect(ids).not.toContain('AwsSolutions-SQS4');
    expect(ids).not.toContain('AwsSolutions-SNS3');
    const denies = policyStatements(template).filter((statement) => statement.Effect === 'Deny');
    expect(denies).toHaveLength(3);
  });
});

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** A template resource, as far as these checks read it. */
interface Resource {
  Type: string;
  Properties?: {
    Role?: { 'Fn::GetAtt': [string, string] };
    Roles?: unknown;
    PolicyDocument?: { Statement: Statement[] };
  };
}

function resourcesOf(template: Template): Array<[string, Resource]> {
  return Object.entries(template.toJSON().Resources as Record<string, Resource>);
}

function policyStatements(template: Template): Statement[] {
  return resourcesOf(template).flatMap(
    ([, resource]) => resource.Properties?.PolicyDocument?.Statement ?? []
  );
}

/** `{ table: [actions], 'index/gsi1': [actions] }` from the function's role policies. */
function tableGrantsOf(template: Template, lambda: Resource): Record<string, string[]> {
  const role = lambda.Properties?.Role?.['Fn::GetAtt'][0];
  const grants: Record<string, string[]> = {};
  for (const [, policy] of resourcesOf(template)) {
    if (policy.Type !== 'AWS::IAM::Policy' || role === undefined) continue;
    if (!JSON.stringify(policy.Properties?.Roles).includes(`"${role}"`)) continue;
    for (const statement of policy.Properties?.PolicyDocument?.Statement ?? []) {
      const actions = [statement.Action].flat().filter((action) => action.startsWith('dynamodb:'));
      if (actions.length === 0) continue;
      const index = JSON.stringify(statement.Resource).match(/\/(index\/[^"]+)"/)?.[1];
      const target = index ?? 'table';
      grants[target] = [...(grants[target] ?? []), ...actions.map((a) => a.slice(9))].sort();
    }
  }
  return grants;
}

/** The IAM action a DynamoDB command (`Get` or `GetItem`) needs; undefined for other clients. */
function dynamoAction(command: string): string | undefined {
  const actions: Record<string, string> = {
    Get: 'GetItem',
    Put: 'PutItem',
    Update: 'UpdateItem',
    Delete: 'DeleteItem',
    Query: 'Query',
    Scan: 'Scan',
    BatchGet: 'BatchGetItem',
    BatchWrite: 'BatchWriteItem',
    TransactGet: 'TransactGetItems',
    TransactWrite: 'TransactWriteItems',
  };
  return actions[command.replace(/Items?$/, '')];
}
