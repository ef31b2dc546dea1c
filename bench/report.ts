/** The figures of one channel's run, and their price per 1,000 two-step runs. */
import { PENDING_START_SHARDS } from '../lambdas/adapters/table-keys.js';
import type { Io } from './capacity.js';
import { LAMBDA_GB, LOG_KB_PER_INVOCATION, price } from './prices.js';
import type { Measurement } from './run-channel.js';

export const TARGET_PER_1000 = 0.22;

const isAuthorizer = (fn: string) => fn.startsWith('Authorizer');
const isApi = (fn: string) => fn.startsWith('Api');
// The start sweep runs on a schedule whatever the load: a fixed monthly cost, reported apart.
const isSweep = (fn: string) => fn.startsWith('StartPendingRuns');
const isStepWork = (fn: string) => !isApi(fn) && !isAuthorizer(fn) && !isSweep(fn);
// The authorizer's answer is cached 5 minutes per key on AWS: not billed per run.
const isBilledPerRun = (fn: string) => !isAuthorizer(fn) && !isSweep(fn);
const fixed = (n: number, digits = 2) => n.toFixed(digits);

function totals(m: Measurement) {
  const sum = (pick: (io: Io) => number, only: (fn: string) => boolean) =>
    [...m.io].filter(([fn]) => only(fn)).reduce((t, [, v]) => t + pick(v), 0);
  const invocations = (only: (fn: string) => boolean) =>
    [...m.fns].filter(([fn]) => only(fn)).reduce((t, [, s]) => t + s.invocations, 0);
  const gbSeconds = [...m.fns]
    .filter(([fn]) => isBilledPerRun(fn))
    .reduce(
      (t, [fn, s]) => t + (s.invocations * (m.calibratedMs.get(fn) ?? 0) * LAMBDA_GB) / 1000,
      0
    );
  return { sum, invocations, gbSeconds };
}

/** Dollars per benchmarked run set, by line. */
export function costOf(m: Measurement): Record<string, number> {
  const { sum, invocations, gbSeconds } = totals(m);
  const billed = invocations(isBilledPerRun);
  return {
    'Step Functions transitions': m.transitions * price.transition,
    'Lambda requests': billed * price.lambdaRequest,
    'Lambda duration (calibrated, 512 MB)': gbSeconds * price.lambdaGbSecond,
    'DynamoDB table writes (reported)': sum((v) => v.writeUnits, isBilledPerRun) * price.writeUnit,
    'DynamoDB index writes (modelled)':
      sum((v) => v.indexWriteUnits, isBilledPerRun) * price.writeUnit,
    'DynamoDB reads (reported)': sum((v) => v.readUnits, isBilledPerRun) * price.readUnit,
    'API Gateway REST (every Api request)': invocations(isApi) * price.restApiRequest,
    [`CloudWatch Logs (~${LOG_KB_PER_INVOCATION} KB per invocation)`]:
      ((billed * LOG_KB_PER_INVOCATION) / 1024 / 1024) * price.logGb,
  };
}

function ioLine(label: string, m: Measurement, only: (fn: string) => boolean, per: number) {
  const { sum } = totals(m);
  const each = (pick: (io: Io) => number) => fixed(sum(pick, only) / per);
  console.log(
    `  DynamoDB reads     ${each((v) => v.reads)}  (${each((v) => v.readUnits)} RRU) ${label}`
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

/** What runs whatever the load: the start sweep, and the webhook's secret. */
export function printFixedCosts(m: Measurement): void {
  const sweepMs = [...m.calibratedMs].find(([fn]) => isSweep(fn))?.[1] ?? 30;
  // One sweep a minute, each an invocation and one empty Query per pending-start shard.
  const sweeps = 60 * 24 * 30;
  const sweep =
    sweeps *
    (price.lambdaRequest +
      (sweepMs * LAMBDA_GB * price.lambdaGbSecond) / 1000 +
      PENDING_START_SHARDS * 0.5 * price.readUnit);
  console.log('\nFixed, however many runs:');
  console.log(
    `  start sweep (every minute, ${PENDING_START_SHARDS} queries when idle) ≈ $${fixed(sweep)} a month`
  );
  console.log(
    `  webhook signing secret: $${price.secretMonth} a month; at most one GetSecretValue per warm Dispatch container every 5 minutes (cached), ≈ $${fixed(price.secretsApiCall * 1000, 4)} per 1,000 cold starts: negligible, not in the totals`
  );
}
