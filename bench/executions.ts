/**
 * `npm run bench`: BENCH_EXECUTIONS (1,000) two-step executions at once through the local
 * runtime (the same API, handlers and state machine definition as on AWS), then what they
 * cost: state transitions, Lambda invocations and DynamoDB capacity per step attempt, priced at
 * AWS list prices (us-east-1, no free tier). Prints figures; asserts nothing but correctness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dynamo } from '../lambdas/adapters/aws-clients.js';
import { PENDING_START_SHARDS } from '../lambdas/adapters/table-keys.js';
import { LambdaRuntime } from '../local/lambda-runtime.js';
import { startLocalRuntime } from '../local/runtime.js';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 1000);
const CREATE_CONCURRENCY = 50;
/** Lambda memory of every function (lib/constructs/outreach-function.ts). */
const LAMBDA_GB = 0.5;
/** A guess, not a measurement: START/END/REPORT lines plus a little application log. */
const LOG_KB_PER_INVOCATION = 1;

/**
 * US East (N. Virginia) list prices: Step Functions standard $0.025 per 1,000 transitions,
 * Lambda $0.20 per million requests and $0.0000133334 per GB-s on arm64, DynamoDB on demand
 * $0.625 per million WRU and $0.125 per million RRU, API Gateway REST $3.50 per million,
 * CloudWatch Logs ingestion $0.50 per GB (https://aws.amazon.com/pricing/).
 */
const price = {
  transition: 0.025 / 1000,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  writeUnit: 0.625 / 1e6,
  readUnit: 0.125 / 1e6,
  restApiRequest: 3.5 / 1e6,
  logGb: 0.5,
};

interface Io {
  reads: number;
  writes: number;
  readUnits: number;
  writeUnits: number;
}
// Document-client and low-level names: the middleware sees whichever the command carries.
const readCommands = new Set([
  'GetCommand',
  'GetItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetCommand',
  'BatchGetItemCommand',
]);
const io = new Map<string, Io>();
let counting = true;

/** Counts every DynamoDB request the handlers make, with the capacity DynamoDB says it used. */
function countDynamoDb(): void {
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      if (!counting) return result;
      const fn = LambdaRuntime.current.getStore() ?? 'runtime';
      const entry = io.get(fn) ?? { reads: 0, writes: 0, readUnits: 0, writeUnits: 0 };
      io.set(fn, entry);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      const units = output.ConsumedCapacity?.CapacityUnits ?? 0;
      if (readCommands.has(context.commandName ?? '')) {
        entry.reads++;
        entry.readUnits += units;
      } else {
        entry.writes++;
        entry.writeUnits += units;
      }
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' }
  );
}

const open = {
  enabled: true,
  timeRanges: [{ startHour: 0, startMinute: 0, endHour: 24, endMinute: 0 }],
};
const week = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((d) => [
    d,
    open,
  ])
);

async function pool<T>(items: T[], size: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++] as T);
    })
  );
}

const dataDir = mkdtempSync(join(tmpdir(), 'outreach-bench-'));
// One simulated day per real second: the text's one-day delay costs a second of wall time.
const runtime = await startLocalRuntime({
  port: 0,
  dataDir,
  timeScale: 86_400,
  channel: 'simulator',
  environment: {
    SIMULATOR_OUTCOME: 'NO_ANSWER',
    SIMULATOR_DELAY_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  },
});
countDynamoDb();

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { 'x-api-key': runtime.apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as any;
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

const workflow = await api('POST', '/api/v1/workflow', {
  name: 'Bench: call, then a text a day later',
  timezone: 'America/New_York',
  workflowSchedule: week,
  tcpaSchedule: week,
  definition: {
    steps: [
      { type: 'CALL', order: 1, delayInSecs: 0, agentId: 'call', finishOn: ['CALENDLY'] },
      {
        type: 'TEXT',
        order: 2,
        delayInSecs: 86_400,
        agentId: 'text',
        initialMessage: 'Hi {{firstName}}, sorry we missed you.',
      },
    ],
  },
});
async function createExecution(i: number) {
  await api('POST', `/api/v1/workflow/${workflow.id}/execution`, {
    customerLeadId: `lead-${i}`,
    primaryPhone: `+1415555${String(Math.abs(i) % 10_000).padStart(4, '0')}`,
    zipcode: '94107',
    variables: { firstName: 'Sam' },
  });
}

async function drained() {
  while (runtime.engine.activeExecutions > 0) await new Promise((r) => setTimeout(r, 50));
}

function resetCounters() {
  io.clear();
  runtime.engine.stats.stateTransitions = 0;
  runtime.engine.stats.byState.clear();
  runtime.lambdas.stats.clear();
}

// Calibration: a few runs one at a time, so each handler's time is its own, as on Lambda
// (under 1,000-way concurrency in one process, wall time is mostly queueing).
const CALIBRATION_RUNS = 20;
resetCounters();
for (let i = 0; i < CALIBRATION_RUNS; i++) {
  await createExecution(-1 - i);
  await drained();
}
const calibratedMs = new Map(
  [...runtime.lambdas.stats].map(([fn, s]) => [fn, s.totalMs / s.invocations])
);
resetCounters();

const started = performance.now();
await pool(
  Array.from({ length: EXECUTIONS }, (_, i) => i),
  CREATE_CONCURRENCY,
  createExecution
);
const createdMs = performance.now() - started;
await drained();
const wallMs = performance.now() - started;
counting = false;
const fns = new Map([...runtime.lambdas.stats].map(([fn, s]) => [fn, { ...s }]));
const byState = new Map(runtime.engine.stats.byState);
const transitions = runtime.engine.stats.stateTransitions;
const peakRssMb = process.resourceUsage().maxRSS / 1024;

// Correctness: every run completed with both steps.
let attempts = 0;
let completed = 0;
let cursor: string | undefined;
do {
  const page = await api(
    'GET',
    `/api/v1/workflow/${workflow.id}/executions?limit=100&enriched=true${cursor ? `&cursor=${cursor}` : ''}`
  );
  for (const execution of page.executions) {
    if (execution.customerLeadId.startsWith('lead--')) continue; // calibration runs
    if (execution.status === 'COMPLETED') completed++;
    attempts += execution.stepExecutions.length;
  }
  cursor = page.pagination.nextCursor ?? undefined;
} while (cursor);
await runtime.stop();
rmSync(dataDir, { recursive: true, force: true });
if (completed !== EXECUTIONS || attempts !== EXECUTIONS * 2) {
  throw new Error(`expected ${EXECUTIONS} completed runs with 2 steps: ${completed}, ${attempts}`);
}

// The figures.
const sum = (pick: (io: Io) => number, only?: (fn: string) => boolean) =>
  [...io.entries()].filter(([fn]) => !only || only(fn)).reduce((t, [, v]) => t + pick(v), 0);
const isAuthorizer = (fn: string) => fn.startsWith('Authorizer');
const isApi = (fn: string) => fn.startsWith('Api');
// The start sweep runs on a schedule whatever the load: a fixed monthly cost, reported apart.
const isSweep = (fn: string) => fn.startsWith('StartPendingRuns');
const isStepWork = (fn: string) => !isApi(fn) && !isAuthorizer(fn) && !isSweep(fn);
const isBilledPerRun = (fn: string) => !isAuthorizer(fn) && !isSweep(fn);
const invocations = (only: (fn: string) => boolean) =>
  [...fns.entries()].filter(([fn]) => only(fn)).reduce((t, [, s]) => t + s.invocations, 0);
const billedGbSeconds = [...fns.entries()]
  .filter(([fn]) => isBilledPerRun(fn))
  .reduce((t, [fn, s]) => t + (s.invocations * (calibratedMs.get(fn) ?? 0) * LAMBDA_GB) / 1000, 0);

const scale = 1000 / EXECUTIONS;
const billedInvocations = invocations(isBilledPerRun);
const cost = {
  'Step Functions transitions': transitions * price.transition,
  'Lambda requests': billedInvocations * price.lambdaRequest,
  'Lambda duration (calibrated, 512 MB)': billedGbSeconds * price.lambdaGbSecond,
  'DynamoDB writes': sum((v) => v.writeUnits, isBilledPerRun) * price.writeUnit,
  'DynamoDB reads': sum((v) => v.readUnits, isBilledPerRun) * price.readUnit,
  'API Gateway REST (creates)': EXECUTIONS * price.restApiRequest,
  [`CloudWatch Logs (~${LOG_KB_PER_INVOCATION} KB per invocation)`]:
    ((billedInvocations * LOG_KB_PER_INVOCATION) / 1024 / 1024) * price.logGb,
};
const total = Object.values(cost).reduce((a, b) => a + b, 0);
const fixed = (n: number, digits = 2) => n.toFixed(digits);

console.log(`\n${EXECUTIONS} two-step executions (call, text a day later), all at once`);
console.log(
  `  wall time          ${fixed(wallMs / 1000, 1)} s (creates took ${fixed(createdMs / 1000, 1)} s; TIME_SCALE 86400, the day's wait ≈ 1 s)`
);
console.log(
  `  throughput         ${fixed(EXECUTIONS / (wallMs / 1000), 0)} executions/s, ${fixed(attempts / (wallMs / 1000), 0)} step attempts/s`
);
console.log(`  peak RSS           ${fixed(peakRssMb, 0)} MB`);
console.log(`\nPer step attempt (${attempts} attempts)`);
console.log(
  `  state transitions  ${fixed(transitions / attempts)}  (${fixed(transitions / EXECUTIONS)} per execution: ${[
    ...byState,
  ]
    .map(([state, n]) => `${state} ${fixed(n / EXECUTIONS, 1)}`)
    .join(', ')})`
);
console.log(
  `  Lambda invocations ${fixed(invocations(isStepWork) / attempts)}  (Dispatch; the outcome and the next plan ride on it)`
);
console.log(
  `  DynamoDB reads     ${fixed(sum((v) => v.reads, isStepWork) / attempts)}  (${fixed(sum((v) => v.readUnits, isStepWork) / attempts)} RRU)`
);
console.log(
  `  DynamoDB writes    ${fixed(sum((v) => v.writes, isStepWork) / attempts)}  (${fixed(sum((v) => v.writeUnits, isStepWork) / attempts)} WRU)`
);
console.log('\nPer execution, creating it through the API');
console.log(
  `  Lambda invocations ${fixed(invocations(isApi) / EXECUTIONS)} Api + ${fixed(invocations(isAuthorizer) / EXECUTIONS)} Authorizer (cached 5 min on AWS, not billed below)`
);
console.log(
  `  DynamoDB reads     ${fixed(sum((v) => v.reads, isApi) / EXECUTIONS)}  (${fixed(sum((v) => v.readUnits, isApi) / EXECUTIONS)} RRU)`
);
console.log(
  `  DynamoDB writes    ${fixed(sum((v) => v.writes, isApi) / EXECUTIONS)}  (${fixed(sum((v) => v.writeUnits, isApi) / EXECUTIONS)} WRU)`
);
console.log(
  '\nLambda time per invocation: one at a time (calibration, billed) / all at once (queueing)'
);
for (const [fn, s] of fns) {
  const alone = fixed(calibratedMs.get(fn) ?? 0, 1);
  console.log(`  ${fn.padEnd(28)} ${alone} ms / ${fixed(s.totalMs / s.invocations, 1)} ms`);
}
console.log('\nAWS list price per 1,000 two-step executions (us-east-1, no free tier)');
for (const [line, dollars] of Object.entries(cost))
  console.log(`  ${line.padEnd(44)} $${fixed(dollars * scale, 4)}`);
console.log(`  ${'Total'.padEnd(44)} $${fixed(total * scale, 4)}   (target ≤ $0.25)`);

// Idle: one sweep a minute, each an invocation and one empty Query per pending-start shard.
const SWEEPS_PER_MONTH = 60 * 24 * 30;
const sweepRruPerRun = PENDING_START_SHARDS * 0.5;
const sweepMonthly =
  SWEEPS_PER_MONTH *
  (price.lambdaRequest +
    ((calibratedMs.get([...fns.keys()].find(isSweep) ?? '') ?? 30) *
      LAMBDA_GB *
      price.lambdaGbSecond) /
      1000 +
    sweepRruPerRun * price.readUnit);
console.log(
  `\nFixed: the start sweep (every minute, ${PENDING_START_SHARDS} queries when idle) ≈ $${fixed(sweepMonthly, 2)} a month, however many runs`
);
