/**
 * One channel's run of the benchmark: a local runtime of its own, a calibration (a few runs one
 * at a time, so each handler's time is its own, as on Lambda), then all runs at once, with
 * progress printed while they run, and a check that every run completed with both steps (and,
 * with webhook subscribers, that each lifecycle event reached each of them).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { logger } from '../lambdas/shared/logger.js';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime.js';
import { localSecretsDir } from '../local/secrets-endpoint.js';
import { type Agent, startAgent } from './agent.js';
import { countDynamoDb, type Io } from './capacity.js';
import { apiOf, checkAllCompleted, pool, twoSteps } from './local-api.js';
import { countMessaging, type Messaging, type QueueCounts, totalOf } from './messaging.js';
import { checkDelivered, subscribeReceiver, type WebhookReceiver } from './webhook-receiver.js';

export type BenchChannel = 'simulator' | 'webhook';

export interface Measurement {
  channel: BenchChannel;
  executions: number;
  attempts: number;
  wallMs: number;
  createdMs: number;
  transitions: number;
  byState: Map<string, number>;
  fns: Map<string, { invocations: number; totalMs: number }>;
  calibratedMs: Map<string, number>;
  io: Map<string, Io>;
  /** PutEvents entries and the functions' own SQS requests, by function. */
  messaging: Map<string, Messaging>;
  /** The local queues' messages sent, received and deleted. */
  queues: QueueCounts;
  /** Lifecycle-webhook subscriptions (BENCH_WEBHOOK_SUBSCRIBERS), and what they received. */
  subscribers: number;
  deliveries: number;
}

// Enough to keep the one process busy; more only queues requests (a create queued past the
// emulated 30 s Lambda timeout fails), it creates no faster.
const CREATE_CONCURRENCY = 10;
const CALIBRATION_RUNS = 20;
const PROGRESS_EVERY_MS = 5000;
async function start(channel: BenchChannel, dataDir: string, agent?: Agent) {
  // A runtime keeps the first URL it served at; each channel gets its own.
  delete process.env.PUBLIC_API_URL;
  return startLocalRuntime({
    port: 0,
    dataDir,
    // One simulated day per real second: the text's one-day delay costs a second of wall time.
    timeScale: 86_400,
    channel,
    agentWebhookUrl: agent?.url,
    environment: {
      SIMULATOR_OUTCOME: 'NO_ANSWER',
      SIMULATOR_DELAY_MS: '0',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      // Calling-hour law off: at 86,400× a local Dispatch 100 ms late is 2.4 simulated hours
      // late, so runs planned near a window's close would find it closed and wait again (extra
      // transitions AWS, where that latency is milliseconds, would not pay). The law adds no
      // write or read of its own (its cost is the decision's few extra bytes).
      STATE_CALLING_RULES: 'off',
    },
  });
}

interface Bench {
  channel: BenchChannel;
  runtime: LocalRuntime;
  agent?: Agent;
  receiver?: WebhookReceiver;
  dataDir: string;
  io: Map<string, Io>;
  messaging: Map<string, Messaging>;
  api: ReturnType<typeof apiOf>;
  workflowId: string;
  created: number;
  counting: boolean;
}

/** The webhook's signing key as the local runtime generated it: its one secret file. */
function signingSecretOf(dataDir: string): string {
  const [file] = readdirSync(localSecretsDir(dataDir));
  return file ? readFileSync(join(localSecretsDir(dataDir), file), 'utf8').trim() : '';
}

async function setUp(channel: BenchChannel, subscribers: number): Promise<Bench> {
  const dataDir = mkdtempSync(join(tmpdir(), `outreach-bench-${channel}-`));
  const agent = channel === 'webhook' ? await startAgent('NO_ANSWER') : undefined;
  const runtime = await start(channel, dataDir, agent);
  // The handlers' logger was made before the runtime set its level.
  logger.setLogLevel('ERROR');
  agent?.useCredentials(runtime.apiKey, signingSecretOf(dataDir));
  const api = apiOf(runtime);
  // The highest caps (1,000; the bench keeps far fewer in flight): this bench prices runs that
  // take a slot and give it back without queueing (`npm run bench:paced` measures the queue).
  await api('PATCH', '/api/v1/organization', {
    maxConcurrentCalls: 1_000,
    maxConcurrentTexts: 1_000,
  });
  const workflow = await api('POST', '/api/v1/workflow', twoSteps);
  const receiver = await subscribeReceiver(api, subscribers);
  const bench: Bench = {
    channel,
    runtime,
    agent,
    receiver,
    dataDir,
    api,
    workflowId: workflow.id,
    created: 0,
    counting: true,
    io: new Map(),
    messaging: new Map(),
  };
  bench.io = await countDynamoDb(() => bench.counting);
  bench.messaging = countMessaging(() => bench.counting);
  return bench;
}

async function tearDown(bench: Bench): Promise<void> {
  await bench.runtime.stop();
  await bench.agent?.stop();
  await bench.receiver?.stop();
  rmSync(bench.dataDir, { recursive: true, force: true });
}

async function create(bench: Bench, i: number): Promise<void> {
  await bench.api('POST', `/api/v1/workflow/${bench.workflowId}/execution`, {
    customerLeadId: `lead-${i}`,
    primaryPhone: `+1415555${String(Math.abs(i) % 10_000).padStart(4, '0')}`,
    zipcode: '94107',
    variables: { firstName: 'Sam' },
  });
  bench.created++;
}

/**
 * Every run ended, every invocation finished (a run's last events are put after its token is
 * completed), and every lifecycle event fanned out and delivered.
 */
async function drained(runtime: LocalRuntime): Promise<void> {
  do {
    while (runtime.engine.activeExecutions > 0) await new Promise((r) => setTimeout(r, 50));
    await runtime.lambdas.drain();
    await runtime.queues.idle();
  } while (runtime.engine.activeExecutions > 0);
}

type Stats = Map<string, { invocations: number; totalMs: number }>;

function copyOf(stats: Stats): Stats {
  return new Map([...stats].map(([fn, s]) => [fn, { ...s }]));
}

/**
 * Each function's time alone: the median, over a few runs one at a time, of its mean time in
 * each run (a median, so a moment when the machine is busy elsewhere does not count); then the
 * counters start over.
 */
async function calibrate(bench: Bench): Promise<Map<string, number>> {
  const { runtime } = bench;
  console.log(`[${bench.channel}] calibrating: ${CALIBRATION_RUNS} runs one at a time`);
  const samples = new Map<string, number[]>();
  for (let i = 0; i < CALIBRATION_RUNS; i++) {
    const before = copyOf(runtime.lambdas.stats);
    await create(bench, -1 - i);
    await drained(runtime);
    for (const [fn, after] of runtime.lambdas.stats) {
      const invocations = after.invocations - (before.get(fn)?.invocations ?? 0);
      const ms = after.totalMs - (before.get(fn)?.totalMs ?? 0);
      if (invocations > 0) samples.set(fn, [...(samples.get(fn) ?? []), ms / invocations]);
    }
  }
  const median = (values: number[]) =>
    values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  bench.io.clear();
  bench.messaging.clear();
  Object.assign(runtime.queues.counts, { sent: 0, received: 0, deleted: 0 });
  if (bench.receiver) bench.receiver.deliveries = 0;
  bench.created = 0;
  runtime.engine.stats.stateTransitions = 0;
  runtime.engine.stats.byState.clear();
  runtime.lambdas.stats.clear();
  return new Map([...samples].map(([fn, values]) => [fn, median(values)]));
}

function printProgress(bench: Bench, executions: number, started: number): NodeJS.Timeout {
  return setInterval(() => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const { engine } = bench.runtime;
    console.log(
      `[${bench.channel}] ${seconds} s: ${bench.created}/${executions} created, ${engine.activeExecutions} running, ${engine.stats.stateTransitions} transitions`
    );
  }, PROGRESS_EVERY_MS);
}

export async function runChannel(
  channel: BenchChannel,
  executions: number,
  subscribers = 0
): Promise<Measurement> {
  const bench = await setUp(channel, subscribers);
  try {
    const calibratedMs = await calibrate(bench);
    console.log(`[${channel}] ${executions} runs at once`);
    const started = performance.now();
    const progress = printProgress(bench, executions, started);
    const all = Array.from({ length: executions }, (_, i) => i);
    await pool(all, CREATE_CONCURRENCY, (i) => create(bench, i));
    const createdMs = performance.now() - started;
    await drained(bench.runtime);
    clearInterval(progress);
    const wallMs = performance.now() - started;
    bench.counting = false;
    const queues = { ...bench.runtime.queues.counts };
    const { engine, lambdas } = bench.runtime;
    // Before the check below, whose list requests are the bench's, not the runs'.
    const fns = copyOf(lambdas.stats);
    const attempts = await checkAllCompleted(bench.api, bench.workflowId, executions);
    const agentStats = bench.agent?.stats;
    if (agentStats && agentStats.rejected + agentStats.failedReports > 0) {
      throw new Error(`the agent refused or could not report: ${JSON.stringify(agentStats)}`);
    }
    const events = totalOf(bench.messaging).events;
    const deliveries = checkDelivered(bench.receiver, events, subscribers);
    return {
      channel,
      executions,
      attempts,
      wallMs,
      createdMs,
      transitions: engine.stats.stateTransitions,
      byState: new Map(engine.stats.byState),
      fns,
      calibratedMs,
      io: bench.io,
      messaging: bench.messaging,
      queues,
      subscribers,
      deliveries,
    };
  } finally {
    await tearDown(bench);
  }
}
