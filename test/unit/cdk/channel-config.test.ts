import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../lib/build-app.js';
import { ChannelContextError, channelSettings } from '../../../lib/channel-settings.js';

const AGENT_URL = 'https://agent.example/hook';
// A synth takes about a second alone and over ten on a loaded two-core machine.
const SYNTH_TIMEOUT_MS = 120_000;

function synthService(context: Record<string, string>): Template {
  const { service } = buildApp({ context: { ...context, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(service);
}

type Resources = Record<string, { Type: string; Properties?: unknown; DependsOn?: string[] }>;

interface LambdaResource {
  Properties: { Environment: { Variables: Record<string, unknown> }; Role: unknown };
}

/** Logical ids a value points at through Ref, Fn::GetAtt or Fn::Sub. */
function referencesIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencesIn(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt') into.add((inner as string[])[0] as string);
      else if (key === 'Fn::Sub') {
        for (const [, id] of String([inner].flat()[0]).matchAll(/\$\{([^.}]+)/g))
          into.add(id as string);
        referencesIn([inner].flat().slice(1), into);
      } else referencesIn(inner, into);
    }
  }
  return into;
}

/** A resource chain that leads back to itself, or undefined; CloudFormation refuses those. */
function dependencyCycle(resources: Resources): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const targets = [...referencesIn(resource.Properties), ...(resource.DependsOn ?? [])];
    edges.set(
      id,
      targets.filter((target) => target in resources)
    );
  }
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

function functionNamed(template: Template, prefix: string): [string, LambdaResource] {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) =>
    id.startsWith(prefix)
  );
  if (!found) throw new Error(`no function ${prefix}`);
  return [found[0], found[1] as LambdaResource];
}

describe('the deployment channel', () => {
  it('stops a synth that names no channel, listing the choices', () => {
    expect(() => synthService({})).toThrow(ChannelContextError);
    expect(() => synthService({})).toThrow(/-c channel=simulator\|manual\|webhook/);
  });

  it('stops a synth that names an unknown channel', () => {
    expect(() => synthService({ channel: 'carrier-pigeon' })).toThrow(
      /Unknown channel "carrier-pigeon"[\s\S]*-c channel=simulator\|manual\|webhook/
    );
  });

  it('stops a webhook synth without an https agent URL', () => {
    expect(() => synthService({ channel: 'webhook' })).toThrow(
      '-c channel=webhook needs the agent endpoint: -c agentWebhookUrl=https://…'
    );
    for (const bad of ['http://agent.example/hook', 'agent.example/hook', 'ftp://agent.example']) {
      expect(() => synthService({ channel: 'webhook', agentWebhookUrl: bad })).toThrow(
        `agentWebhookUrl must be an https URL, got "${bad}"`
      );
    }
  });

  it('lets the local runtime name an agent on loopback over http', () => {
    for (const url of ['http://127.0.0.1:9/h', 'http://localhost:9/h', 'http://[::1]:9/h']) {
      const context = { channel: 'webhook', agentWebhookUrl: url };
      expect(channelSettings((key) => context[key])).toEqual(context);
    }
  });

  it.each(['simulator', 'manual'])(
    'tells Dispatch the %s channel, with no secret',
    (channel) => {
      const template = synthService({ channel });
      template.resourceCountIs('AWS::SecretsManager::Secret', 0);
      const [, dispatch] = functionNamed(template, 'DispatchStep');
      const variables = dispatch.Properties.Environment.Variables;
      expect(variables.OUTREACH_CHANNEL).toBe(channel);
      expect(Object.keys(variables).filter((name) => /WEBHOOK/.test(name))).toEqual([]);
      // Agents' provider channels need it on every deploy (Twilio status callback URLs).
      expect(variables.PUBLIC_API_URL).toBeDefined();
    },
    SYNTH_TIMEOUT_MS
  );
});

describe('the webhook channel, in one deploy', () => {
  let template: Template;
  let resources: Resources;
  let secretId: string;
  let dispatchId: string;
  let variables: Record<string, unknown>;

  beforeAll(() => {
    template = synthService({ channel: 'webhook', agentWebhookUrl: AGENT_URL });
    resources = template.toJSON().Resources;
    const secrets = Object.keys(template.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(1);
    secretId = secrets[0] as string;
    const [id, dispatch] = functionNamed(template, 'DispatchStep');
    dispatchId = id;
    variables = dispatch.Properties.Environment.Variables;
  }, SYNTH_TIMEOUT_MS);

  it('generates the signing secret in Secrets Manager', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
  });

  it('gives Dispatch the agent URL and the secret ARN, never a secret value', () => {
    expect(variables).toMatchObject({
      OUTREACH_CHANNEL: 'webhook',
      AGENT_WEBHOOK_URL: AGENT_URL,
      AGENT_WEBHOOK_SECRET_ARN: { Ref: secretId },
    });
    for (const [id, resource] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
      const names = Object.keys(resource.Properties.Environment?.Variables ?? {});
      // Where secrets are, never what they hold: the channel's signing secret ARN, the agent and
      // webhook secrets' name prefixes.
      const locators = [
        'AGENT_WEBHOOK_SECRET_ARN',
        'AGENT_SECRETS_PREFIX',
        'WEBHOOK_SECRET_PREFIX',
      ];
      expect(names.filter((name) => name.includes('SECRET') && !locators.includes(name))).toEqual(
        []
      );
      if (id !== dispatchId) expect(names).not.toContain('AGENT_WEBHOOK_SECRET_ARN');
    }
  });

  it('lets Dispatch alone call GetSecretValue on that secret, and nothing else on it', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as unknown[]).map((statement) => ({
        statement,
        roles: policy.Properties.Roles,
      }))
    );
    // Agents' credential secrets have grants of their own (stacks.test.ts), the webhook
    // subscriptions' secrets theirs by prefix (lifecycle-events.test.ts).
    const onSecrets = statements.filter(({ statement }) =>
      JSON.stringify(statement).includes(`"${secretId}"`)
    );
    const [, dispatch] = functionNamed(template, 'DispatchStep');
    const dispatchRole = (dispatch.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
    expect(onSecrets).toEqual([
      {
        statement: {
          Action: 'secretsmanager:GetSecretValue',
          Effect: 'Allow',
          Resource: { Ref: secretId },
        },
        roles: [{ Ref: dispatchRole }],
      },
    ]);
  });

  it('derives the callback URL from the same REST API the stack serves', () => {
    const [restApiId] = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(variables.PUBLIC_API_URL).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: restApiId },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          `/${stage?.Properties.StageName}`,
        ],
      ],
    });
  });

  it('has no dependency cycle for CloudFormation to refuse', () => {
    expect(dependencyCycle(resources)).toBeUndefined();
  });

  it('finds the cycle that referencing the stage URL from Dispatch would make', () => {
    const stageId = Object.keys(template.findResources('AWS::ApiGateway::Stage'))[0] as string;
    const withStageUrl = structuredClone(resources);
    const dispatch = withStageUrl[dispatchId] as unknown as LambdaResource;
    dispatch.Properties.Environment.Variables.PUBLIC_API_URL = { Ref: stageId };
    expect(dependencyCycle(withStageUrl)).toEqual(expect.arrayContaining([dispatchId, stageId]));
  });
});
