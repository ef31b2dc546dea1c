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

/** The bus a rule without `EventBusName` listens on (Step Functions' events arrive there). */
export const DEFAULT_BUS = 'default';

/** A template rule with an event pattern that sends matching events to SQS queues. */
export interface PatternRule {
  rule: string;
  /** The bus it listens on: `default`, or a custom bus's name (locally its logical id). */
  bus: string;
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
    const bus = p.EventBusName ? busName(resolver.resolve(p.EventBusName)) : DEFAULT_BUS;
    return [{ rule, bus, pattern: resolvePattern(resolver, p.EventPattern, rule), queueArns }];
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

/** A bus named by its name or its ARN (`arn:…:event-bus/<name>`), as PutEvents accepts both. */
export function busName(nameOrArn: string): string {
  return nameOrArn.split('event-bus/').at(-1) as string;
}

/**
 * The event buses on the local runtime (the default one and the template's custom buses): an
 * event goes, as its JSON, to the queues of every rule of its bus whose pattern it matches, as
 * EventBridge's SQS target would send it.
 */
export class LocalEventBus {
  readonly buses: Set<string>;

  constructor(
    private readonly rules: PatternRule[],
    private readonly queues: LocalQueues,
    customBuses: string[]
  ) {
    this.buses = new Set([DEFAULT_BUS, ...customBuses]);
  }

  publish(event: Record<string, unknown>, bus = DEFAULT_BUS): void {
    for (const rule of this.rules) {
      if (rule.bus !== bus || !matchesPattern(rule.pattern, event)) continue;
      for (const queueArn of rule.queueArns) this.queues.send(queueArn, JSON.stringify(event));
    }
  }
}

/**
 * Routes events through the template's event rules and queues to their functions, as
 * EventBridge and Lambda's SQS source do on AWS: every execution end of the local engine (on
 * the default bus, as Step Functions reports them), and whatever PutEvents puts on a bus.
 */
export function routeEvents(
  resolver: TemplateResolver,
  engine: StepFunctionsEngine,
  lambdas: LambdaRuntime,
  clock: ScaledClock
): { queues: LocalQueues; bus: LocalEventBus } {
  const consumers = queueConsumers(resolver);
  const rules = patternRules(resolver);
  for (const { rule, queueArns } of rules) {
    const unread = queueArns.find((queueArn) => !consumers.has(queueArn));
    if (unread) throw new Error(`Rule ${rule}: no function reads its queue ${unread}`);
  }
  const queues = new LocalQueues(consumers, lambdas, clock);
  const customBuses = resolver.resourcesOfType('AWS::Events::EventBus').map(([id]) => id);
  const bus = new LocalEventBus(rules, queues, customBuses);
  engine.onExecutionEnd((ended) => bus.publish(statusChangeEvent(ended)));
  return { queues, bus };
}
