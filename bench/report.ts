/** The figures of one channel's run, and their price per 1,000 two-step runs. */
import { PENDING_START_SHARDS } from '../lambdas/adapters/table-keys.js';
import type { Io } from './capacity.js';
import { sqsRequestsOf, totalOf } from './messaging.js';
import { LAMBDA_GB, LOG_KB_PER_INVOCATION, price } from './prices.js';
import type { Measurement } from './run-channel.js';

export const TARGET_PER_1000 = 0.22;

const isAuthorizer = (fn: string) => fn.startsWith('Authorizer');
const isApi = (fn: string) => fn.startsWith('Api');
// The start and slot sweeps run on a schedule whatever the load: fixed monthly costs, apart.
const isStartSweep = (fn: string) => fn.startsWith('StartPendingRuns');
const isSlotSweep = (fn: string) => fn.startsWith('SweepSlots');
const isSweep = (fn: string) => isStartSweep(fn) || isSlotSweep(fn);
// Lifecycle events' fan-out and delivery: one SQS record each (logical ids under a construct).
const isEventWork = (fn: string) => /FanOutWebhooks|DeliverWebhooks/.test(fn);
const isStepWork = (fn: string) =>
  !isApi(fn) && !isAuthorizer(fn) && !isSweep(fn) && !isEventWork(fn);
// The authorizer's answer is cached 5 minutes per key on AWS: not billed per run.
const isBilledPerRun = (fn: string) => !isAuthorizer(fn) && !isSweep(fn);
const isRunWork = (fn: string) => isBilledPerRun(fn) && !isEventWork(fn);
const fixed = (n: number, digits = 2) => n.toFixed(digits);

function totals(m: Measurement) {
  const sum = (pick: (io: Io) => number, only: (fn: string) => boolean) =>
    [...m.io].filter(([fn]) => only(fn)).reduce((t, [, v]) => t + pick(v), 0);
  const invocations = (only: (fn: string) => boolean) =>
    [...m.fns].filter(([fn]) => only(fn)).reduce((t, [, s]) => t + s.invocations, 0);
  const gbSeconds = (only: (fn: string) => boolean) =>
    [...m.fns]
      .filter(([fn]) => only(fn))
      .reduce(
        (t, [fn, s]) => t + (s.invocations * (m.calibratedMs.get(fn) ?? 0) * LAMBDA_GB) / 1000,
        0
      );
  const messaging = totalOf(m.messaging);
  return {
    sum,
    invocations,
    gbSeconds,
    messaging,
    sqsRequests: sqsRequestsOf(messaging, m.queues),
  };
}

/** Dollars per benchmarked run set, by line. */
export function costOf(m: Measurement): Record<string, number> {
  const { sum, invocations, gbSeconds, messaging, sqsRequests } = totals(m);
  const lambda = (only: (fn: string) => boolean) =>
    invocations(only) * price.lambdaRequest + gbSeconds(only) * price.lambdaGbSecond;
  const dynamo = (only: (fn: string) => boolean) =>
    sum((v) => v.writeUnits + v.indexWriteUnits, only) * price.writeUnit +
    sum((v) => v.readUnits, only) * price.readUnit;
  return {
    'Step Functions transitions': m.transitions * price.transition,
    'Lambda requests': invocations(isRunWork) * price.lambdaRequest,
    'Lambda duration (calibrated, 512 MB)': gbSeconds(isRunWork) * price.lambdaGbSecond,
    'DynamoDB table writes (reported)': sum((v) => v.writeUnits, isRunWork) * price.writeUnit,
    'DynamoDB index writes (modelled)': sum((v) => v.indexWriteUnits, isRunWork) * price.writeUnit,
    'DynamoDB reads (reported, empty at minimum)':
      sum((v) => v.readUnits, isRunWork) * price.readUnit,
    'API Gateway REST (every Api request)': invocations(isApi) * price.restApiRequest,
    [`CloudWatch Logs (~${LOG_KB_PER_INVOCATION} KB per invocation)`]:
      ((invocations(isBilledPerRun) * LOG_KB_PER_INVOCATION) / 1024 / 1024) * price.logGb,
    'EventBridge custom events (PutEvents)': messaging.eventChunks * price.customEvent,
    'SQS requests (1 receive + 1 delete per msg)': sqsRequests * price.sqsRequest,
    'Lambda FanOut + Deliver (requests, duration)': lambda(isEventWork),
    'DynamoDB in FanOut + Deliver': dynamo(isEventWork),
  };
}

function ioLine(label: string, m: Measurement, only: (fn: string) => boolean, per: number) {
  const { sum } = totals(m);
  const each = (pick: (io: Io) => number) => fixed(sum(pick, only) / per);
  console.log(
    `  DynamoDB reads     ${each((v) => v.reads)}  (${each((v) => v.readUnits)} RRU, ${each((v) => v.emptyReads)} of them empty, at the minimum) ${label}`
  );
  console.log(
    `  DynamoDB writes    ${each((v) => v.writes)}  (${each((v) => v.writeUnits)} WRU table + ${each((v) => v.indexWriteUnits)} WRU index, modelled; ${each((v) => v.refusedWrites)} refused by their condition, not priced)`
  );
}

export function printMeasurement(m: Measurement): number {
  const { invocations } = totals(m);
  const runs = m.executions;
  console.log(`\n== ${m.channel}: ${runs} two-step runs (call, text a day later), all at once`);
  console.log(
    `  wall time          ${fixed(m.wallMs / 1000, 1)} s (creates ${fixed(m.createdMs / 1000, 1)} s; TIME_SCALE 86400)`
  );
  console.log(
    `  peak RSS           ${fixed(process.resourceUsage().maxRSS / 1024, 0)} MB (whole process so far)`
  );
  const states = [...m.byState].map(([state, n]) => `${state} ${fixed(n / runs, 1)}`).join(', ');
  console.log(`  state transitions  ${fixed(m.transitions / runs)} per run (${states})`);
  console.log(`Per step attempt (${m.attempts})`);
  console.log(`  Lambda invocations ${fixed(invocations(isStepWork) / m.attempts)} (Dispatch)`);
  ioLine('in Dispatch', m, isStepWork, m.attempts);
  console.log(
    'Per run, through the API (creates, and with the webhook the agent’s outcome reports)'
  );
  console.log(
    `  Lambda invocations ${fixed(invocations(isApi) / runs)} Api + ${fixed(invocations(isAuthorizer) / runs)} Authorizer (cached on AWS, not billed)`
  );
  ioLine('in Api', m, isApi, runs);
  printEvents(m);
  console.log(
    'Lambda time per invocation: one at a time (calibration, billed) / all at once (queueing)'
  );
  for (const [fn, s] of m.fns) {
    console.log(
      `  ${fn.padEnd(28)} ${fixed(m.calibratedMs.get(fn) ?? 0, 1)} ms / ${fixed(s.totalMs / s.invocations, 1)} ms`
    );
  }
  const cost = costOf(m);
  const total = Object.values(cost).reduce((a, b) => a + b, 0) * (1000 / runs);
  console.log(
    `AWS list price per 1,000 two-step runs, ${m.channel} channel (us-east-1, no free tier)`
  );
  for (const [line, dollars] of Object.entries(cost))
    console.log(`  ${line.padEnd(44)} $${fixed(dollars * (1000 / runs), 4)}`);
  console.log(`  ${'Total'.padEnd(44)} $${fixed(total, 4)}   (target ≤ $${TARGET_PER_1000})`);
  return total;
}

/** Per lifecycle event: where it was put, and what its fan-out and delivery used. */
function printEvents(m: Measurement): void {
  const { invocations, messaging, sqsRequests } = totals(m);
  const events = Math.max(1, messaging.events);
  const byFn = [...m.messaging]
    .filter(([, v]) => v.events > 0)
    .map(([fn, v]) => `${fn.replace(/[0-9A-F]{8}$/, '')} ${fixed(v.events / m.executions)}`);
  console.log(
    `Per lifecycle event (${fixed(messaging.events / m.executions)} per run: ${byFn.join(', ')}; ${m.subscribers} webhook subscription(s), ${m.deliveries} deliveries)`
  );
  const each = (fn: RegExp) =>
    fixed(invocations((name) => isEventWork(name) && fn.test(name)) / events);
  console.log(
    `  Lambda invocations ${each(/FanOut/)} FanOutWebhooks + ${each(/Deliver/)} DeliverWebhooks`
  );
  console.log(
    `  SQS requests       ${fixed(sqsRequests / events)} (functions' own ${fixed(messaging.sqsRequests / events)}; queues: ${fixed(m.queues.sent / events)} sent, ${fixed(m.queues.received / events)} received, ${fixed(m.queues.deleted / events)} deleted)`
  );
  ioLine('in FanOut and Deliver', m, isEventWork, events);
}

const SWEEPS_A_MONTH = 60 * 24 * 30;

/** A sweep a minute for a month: its invocation, its calibrated time and `readUnits` each. */
function monthlySweep(m: Measurement, only: (fn: string) => boolean, readUnits: number): number {
  const ms = [...m.calibratedMs].find(([fn]) => only(fn))?.[1] ?? 30;
  return (
    SWEEPS_A_MONTH *
    (price.lambdaRequest +
      (ms * LAMBDA_GB * price.lambdaGbSecond) / 1000 +
      readUnits * price.readUnit)
  );
}

/** What runs whatever the load: the sweeps, idle queue polling, and the webhook's secret. */
export function printFixedCosts(m: Measurement): void {
  // The start sweep, idle: one empty Query per pending-start shard.
  const startSweep = monthlySweep(m, isStartSweep, PENDING_START_SHARDS * 0.5);
  // The slot sweep's reads as measured (locally it runs every real second during the bench).
  const slotSweeps = [...m.fns].find(([fn]) => isSlotSweep(fn))?.[1].invocations ?? 0;
  const slotReadUnits = totals(m).sum((v) => v.readUnits, isSlotSweep) / Math.max(1, slotSweeps);
  const slotSweep = monthlySweep(m, isSlotSweep, slotReadUnits);
  console.log('\nFixed, however many runs:');
  console.log(
    `  start sweep (every minute, ${PENDING_START_SHARDS} queries when idle) ≈ $${fixed(startSweep)} a month`
  );
  console.log(
    `  slot sweep (every minute, ${fixed(slotReadUnits, 1)} RRU each as measured) ≈ $${fixed(slotSweep)} a month`
  );
  console.log(
    "  the two webhook queues' idle long polls by Lambda's pollers: billed SQS receives, not measured here"
  );
  console.log(
    `  webhook signing secret: $${price.secretMonth} a month; at most one GetSecretValue per warm Dispatch container every 5 minutes (cached), ≈ $${fixed(price.secretsApiCall * 1000, 4)} per 1,000 cold starts: negligible, not in the totals`
  );
}
