import { buildApp, type OutreachContext } from '../lib/build-app.js';
import { HANDLER_METADATA_KEY } from '../lib/constructs/outreach-function.js';

/** A CloudFormation template, as far as the local runtime reads it. */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: any; Metadata?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

export const LOCAL_REGION = 'local-1';
export const LOCAL_ACCOUNT = '000000000000';

export function localStateMachineArn(logicalId: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${logicalId}`;
}

export function localQueueArn(logicalId: string): string {
  return `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}`;
}

export function localFunctionArn(logicalId: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

/**
 * Synthesizes the CDK app in-process, without bundling (the local runtime imports the handler
 * sources), and returns every stack's template. Context is what `cdk deploy -c` would take.
 */
export function synthesizeTemplates(context: OutreachContext): Template[] {
  const { app } = buildApp({
    context: { ...context, 'aws:cdk:bundling-stacks': [] },
    outdir: undefined,
  });
  const assembly = app.synth();
  return assembly.stacks.map((stack) => stack.template as Template);
}

/**
 * Resolves CloudFormation intrinsics to local values: Ref of a table is its logical id (the
 * local table name), Ref of a state machine a local ARN, GetAtt of a function a local ARN that
 * carries its logical id. Anything unexpected throws, so drift fails loudly at boot.
 */
export class TemplateResolver {
  private readonly resources = new Map<string, string>();
  private readonly exports = new Map<string, unknown>();

  constructor(private readonly templates: Template[]) {
    for (const template of templates) {
      for (const [id, resource] of Object.entries(template.Resources))
        this.resources.set(id, resource.Type);
    }
    for (const template of templates) {
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export) this.exports.set(this.resolve(output.Export.Name), output.Value);
      }
    }
  }

  resolve(value: unknown): string {
    if (typeof value === 'string') return value;
    const node = value as Record<string, any>;
    if ('Ref' in node) return this.ref(node.Ref);
    if ('Fn::GetAtt' in node) {
      const [id, attribute] = node['Fn::GetAtt'] as [string, string];
      const type = this.resources.get(id);
      if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return localFunctionArn(id);
      if (type === 'AWS::SQS::Queue' && attribute === 'Arn') return localQueueArn(id);
      if (type === 'AWS::DynamoDB::Table' && attribute === 'Arn') {
        return `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${id}`;
      }
      return `arn:aws:local:::${id}/${attribute}`;
    }
    if ('Fn::Join' in node) {
      const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => this.resolve(part)).join(separator);
    }
    if ('Fn::Select' in node) {
      const [index, list] = node['Fn::Select'] as [number | string, unknown];
      const items = this.resolveList(list);
      const item = items[Number(index)];
      if (item === undefined) throw new Error(`Fn::Select index ${index} out of range`);
      return item;
    }
    if ('Fn::ImportValue' in node) {
      const name = this.resolve(node['Fn::ImportValue']);
      if (!this.exports.has(name)) throw new Error(`No stack exports ${name}`);
      return this.resolve(this.exports.get(name));
    }
    throw new Error(`Unsupported intrinsic in template: ${JSON.stringify(value)}`);
  }

  private resolveList(value: unknown): string[] {
    const node = value as Record<string, any>;
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if ('Fn::Split' in node) {
      const [separator, source] = node['Fn::Split'] as [string, unknown];
      return this.resolve(source).split(separator);
    }
    throw new Error(`Unsupported list intrinsic in template: ${JSON.stringify(value)}`);
  }

  private ref(id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': LOCAL_REGION,
      'AWS::AccountId': LOCAL_ACCOUNT,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (pseudo[id]) return pseudo[id];
    const type = this.resources.get(id);
    if (type === 'AWS::StepFunctions::StateMachine') return localStateMachineArn(id);
    if (type) return id;
    throw new Error(`Ref to unknown resource ${id}`);
  }

  /** A stack output's value, resolved locally; undefined when no stack has it. */
  output(name: string): string | undefined {
    const output = this.templates.find((template) => template.Outputs?.[name])?.Outputs?.[name];
    return output && this.resolve(output.Value);
  }

  resourcesOfType(type: string): Array<[string, Template['Resources'][string]]> {
    return this.templates.flatMap((template) =>
      Object.entries(template.Resources).filter(([, resource]) => resource.Type === type)
    );
  }
}

export interface LocalFunction {
  logicalId: string;
  /** Source module relative to the project root. */
  entry: string;
  environment: Record<string, string>;
}

export function localFunctions(resolver: TemplateResolver): Map<string, LocalFunction> {
  const functions = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of resolver.resourcesOfType('AWS::Lambda::Function')) {
    const entry = resource.Metadata?.[HANDLER_METADATA_KEY];
    if (typeof entry !== 'string') continue; // CDK's own helper functions (e.g. log retention)
    const variables = (resource.Properties?.Environment?.Variables ?? {}) as Record<
      string,
      unknown
    >;
    const environment = Object.fromEntries(
      Object.entries(variables).map(([name, value]) => [name, resolver.resolve(value)])
    );
    functions.set(logicalId, { logicalId, entry, environment });
  }
  return functions;
}
