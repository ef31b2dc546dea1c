import type { LambdaRuntime } from './lambda-runtime.js';
import type { ScaledClock } from './scaled-clock.js';
import { LocalQueues, queueConsumers } from './sqs-queues.js';
import { statusChangeEvent } from './state-machine-run.js';
import type { StepFunctionsEngine } from './step-functions-engine.js';
import type { TemplateResolver } from './template.js';

/** An EventBridge event pattern: nested fields, each ending in a list of accepted values. */
interface EventPattern {
  [field: string]: EventPattern | Array<string | number | boolean | null>;
}

/** A template rule with an event pattern that sends matching events to SQS queues. */
export interface PatternRule {
  rule: string;
  pattern: EventPattern;
  queueArns: string[];
}

/**
 * Resolves the pattern's values (a state machine's ARN is a Ref in the template). Only exact
 * values are read; content filters (prefix, anything-but, numeric…) throw at boot, loudly.
 */
function resolvePattern(resolver: TemplateResolver, node: unknown, rule: string): EventPattern {
  return Object.fromEntries(
    Object.entries(node as Record<string, unknown>).map(([field, value]) => {
      if (!Array.isArray(value)) return [field, resolvePattern(resolver, value, rule)];
      return [
        field,
        value.map((item) => {
          if (item === null || typeof item !== 'object') return item;
          const intrinsic = Object.keys(item).some(
            (key) => key === 'Ref' || key.startsWith('Fn::')
          );
          if (!intrinsic) throw new Error(`Rule ${rule}: only exact values match locally`);
          return resolver.resolve(item);
        }),
      ];
    })
  );
}

/** The template's event-pattern rules (scheduled rules are `scheduled-rules.ts`'s). */
export function patternRules(resolver: TemplateResolver): PatternRule[] {
  return resolver.resourcesOfType('AWS::Events::Rule').flatMap(([rule, resource]) => {
    const p = resource.Properties;
    if (!p.EventPattern || p.State === 'DISABLED') return [];
    const queueArns = (p.Targets as Array<{ Arn: unknown }>).map((target) => {
      const arn = resolver.resolve(target.Arn);
      if (!arn.startsWith('arn:aws:sqs:'))
        throw new Error(`Rule ${rule}: the local runtime delivers pattern rules only to SQS`);
      return arn;
    });
    return [{ rule, pattern: resolvePattern(resolver, p.EventPattern, rule), queueArns }];
  });
}

/** EventBridge's matching for exact values: every field of the pattern holds one of its values. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = (event as Record<string, unknown> | null | undefined)?.[field];
    if (Array.isArray(expected)) return expected.some((value) => value === actual);
    return typeof actual === 'object' && actual !== null && matchesPattern(expected, actual);
  });
}

/**
 * The default event bus on the local runtime: an event goes, as its JSON, to the queues of
 * every rule whose pattern it matches, as EventBridge's SQS target would send it.
 */
export class LocalEventBus {
  constructor(
    private readonly rules: PatternRule[],
    private readonly queues: LocalQueues
  ) {}

  publish(event: Record<string, unknown>): void {
    for (const rule of this.rules) {
      if (!matchesPattern(rule.pattern, event)) continue;
      for (const queueArn of rule.queueArns) this.queues.send(queueArn, JSON.stringify(event));
    }
  }
}

/**
 * Sends every execution end of the local engine through the template's event rules and queues
 * to their functions, as Step Functions, EventBridge and Lambda's SQS source do on AWS.
 */
export function deliverExecutionEnds(
  resolver: TemplateResolver,
  engine: StepFunctionsEngine,
  lambdas: LambdaRuntime,
  clock: ScaledClock
): LocalQueues {
  const consumers = queueConsumers(resolver);
  const rules = patternRules(resolver);
  for (const { rule, queueArns } of rules) {
    const unread = queueArns.find((queueArn) => !consumers.has(queueArn));
    if (unread) throw new Error(`Rule ${rule}: no function reads its queue ${unread}`);
  }
  const queues = new LocalQueues(consumers, lambdas, clock);
  const bus = new LocalEventBus(rules, queues);
  engine.onExecutionEnd((ended) => bus.publish(statusChangeEvent(ended)));
  return queues;
}
