import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { LocalFunction } from './template.js';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A Lambda context good enough for middy and Powertools; there is no real deadline locally. */
function fakeContext(fn: LocalFunction): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: fn.logicalId,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local-1:000000000000:function:${fn.logicalId}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${fn.logicalId}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Each invocation's own slots: what Powertools keeps per invocation (log keys, metrics). */
const invocationSlots = new AsyncLocalStorage<Map<unknown, unknown>>();

/**
 * Lambda runs one invocation at a time per environment; here every function shares one process
 * and invocations overlap, so one invocation's log keys would show on, and be reset by, another.
 * Powertools already handles overlapping invocations where Lambda allows them: it keeps that
 * state in the runtime's `awslambda.InvokeStore` when AWS_LAMBDA_MAX_CONCURRENCY is set. The
 * local runtime provides the same store, one slot map per invocation.
 */
const invokeStore = {
  hasContext: () => invocationSlots.getStore() !== undefined,
  get: (key: unknown) => invocationSlots.getStore()?.get(key),
  set: (key: unknown, value: unknown) => invocationSlots.getStore()?.set(key, value),
  getXRayTraceId: () => undefined,
};

function isolateInvocations(): void {
  const global = globalThis as { awslambda?: Record<string, unknown> };
  global.awslambda ??= {};
  // Replaces the single-invocation store the AWS SDK may have installed at its first call.
  global.awslambda.InvokeStore = invokeStore;
  process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';
}

/**
 * Runs the template's functions in this process: the `handler` export of each function's
 * source module. All functions share one process.env, so their variables must agree.
 */
export class LambdaRuntime {
  private readonly handlers = new Map<string, Handler>();
  /** Which function the current async call chain runs in (the benchmark attributes I/O by it). */
  static readonly current = new AsyncLocalStorage<string>();
  /** Invocations and their summed wall time per function, for the benchmark. */
  readonly stats = new Map<string, { invocations: number; totalMs: number }>();
  /** Invocations still running: stopping waits for them before it closes the table under them. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly functions: Map<string, LocalFunction>) {}

  /** The union of every function's environment; a conflict is a template bug, so it throws. */
  environment(): Record<string, string> {
    const merged: Record<string, string> = {};
    for (const fn of this.functions.values()) {
      for (const [name, value] of Object.entries(fn.environment)) {
        if (merged[name] !== undefined && merged[name] !== value) {
          throw new Error(`Functions disagree on ${name}: ${merged[name]} vs ${value}`);
        }
        merged[name] = value;
      }
    }
    return merged;
  }

  async load(): Promise<void> {
    isolateInvocations();
    for (const fn of this.functions.values()) {
      const module = (await import(pathToFileURL(`${projectRoot}${fn.entry}`).href)) as {
        handler?: Handler;
      };
      if (typeof module.handler !== 'function') throw new Error(`${fn.entry} exports no handler`);
      this.handlers.set(fn.logicalId, module.handler);
    }
  }

  async invoke(logicalId: string, event: unknown): Promise<unknown> {
    const handler = this.handlers.get(logicalId);
    const fn = this.functions.get(logicalId);
    if (!handler || !fn) throw new Error(`No local function ${logicalId}`);
    const stats = this.stats.get(logicalId) ?? { invocations: 0, totalMs: 0 };
    this.stats.set(logicalId, stats);
    stats.invocations++;
    const started = performance.now();
    const invocation = LambdaRuntime.current.run(logicalId, () =>
      invocationSlots.run(new Map(), () => handler(event, fakeContext(fn)))
    );
    this.running.add(invocation);
    try {
      return await invocation;
    } finally {
      this.running.delete(invocation);
      stats.totalMs += performance.now() - started;
    }
  }

  /**
   * Waits, at most `timeoutMs`, for the invocations still running (an API request the gateway
   * let go, a sweep), so a stop never closes the table under a write in flight.
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    // Again while any are left: one may have started another (a dispatch its outcome).
    while (this.running.size > 0 && Date.now() < until) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, until - Date.now());
      });
      await Promise.race([Promise.allSettled([...this.running]), timeout]);
      clearTimeout(timer);
    }
  }
}
