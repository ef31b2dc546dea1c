import type { LambdaRuntime } from './lambda-runtime.js';
import type { TemplateResolver } from './template.js';

interface ScheduledTarget {
  rule: string;
  functionId: string;
  input: unknown;
  periodMs: number;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** `rate(1 minute)`, `rate(5 minutes)`…; anything else (cron) throws at boot, loudly. */
function periodOf(expression: string, rule: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match) throw new Error(`Rule ${rule}: the local runtime runs only rate() schedules`);
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** The template's scheduled EventBridge rules that invoke a Lambda, as the local runtime runs them. */
export function scheduledTargets(resolver: TemplateResolver): ScheduledTarget[] {
  return resolver.resourcesOfType('AWS::Events::Rule').flatMap(([rule, resource]) => {
    const p = resource.Properties;
    if (!p.ScheduleExpression || p.State === 'DISABLED') return [];
    const periodMs = periodOf(p.ScheduleExpression, rule);
    return (p.Targets as Array<{ Arn: unknown; Input?: string }>).map((target) => {
      const functionId = resolver.resolve(target.Arn).split(':function:')[1];
      if (!functionId) throw new Error(`Rule ${rule} targets something other than a function`);
      return { rule, functionId, input: JSON.parse(target.Input ?? '{}'), periodMs };
    });
  });
}

/**
 * Runs scheduled rules on the local runtime: each target every period (in scaled time, but at
 * most once a second of real time), and once at boot with `bootInput` merged into its input.
 * A failing run is logged and tried again next period, as EventBridge would.
 */
export class ScheduledRules {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly targets: ScheduledTarget[],
    private readonly lambdas: LambdaRuntime,
    private readonly timeScale: number
  ) {}

  private async invoke(target: ScheduledTarget, extra: Record<string, unknown> = {}) {
    try {
      await this.lambdas.invoke(target.functionId, { ...(target.input as object), ...extra });
    } catch (error) {
      console.error(`local scheduler: rule ${target.rule} failed`, error);
    }
  }

  /** Runs every target once now; at boot nothing created before can still be in flight. */
  async runOnce(bootInput: Record<string, unknown>): Promise<void> {
    await Promise.all(this.targets.map((target) => this.invoke(target, bootInput)));
  }

  start(): void {
    for (const target of this.targets) {
      const everyMs = Math.max(1_000, target.periodMs / this.timeScale);
      let running: Promise<void> | undefined;
      const timer = setInterval(() => {
        // A run still going when the next is due: skip this one, as a slow target should.
        if (running) return;
        const run = this.invoke(target);
        running = run;
        this.inFlight.add(run);
        void run.finally(() => {
          this.inFlight.delete(run);
          running = undefined;
        });
      }, everyMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  /** Stops the schedule and waits for a run in progress, so nothing outlives the store. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    await Promise.allSettled([...this.inFlight]);
  }
}
