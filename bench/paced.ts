/**
 * `npm run bench:paced`: PACED_EXECUTIONS (500) one-call runs due at the same instant under a
 * cap of PACED_CAP (50) calls, with priority buckets 0–7 days 60 % / 8–30 days 30 % / older
 * 10 %, on the local runtime. Prints progress while they drain, then: the peak of calls in
 * flight (from the attempts' recorded handoff and outcome), the drain time, each bucket's share of
 * the first 300 contacts and of each tenth of the run, and the state transitions a queued
 * attempt added. Fails when a run did not complete or the cap was passed. 500 by default: the
 * local runtime limits no Lambda concurrency, so on a 2-core box 2,000 runs waking at once
 * became 2,000 Dispatches on one process, queued behind the SDK's 50 sockets past the local
 * 30 s Lambda timeout (on AWS, Dispatch's reserved concurrency throttles them instead).
 */
import { performance } from 'node:perf_hooks';
import { logger } from '../lambdas/shared/logger.js';
import { startLocalRuntime } from '../local/runtime.js';
import { peakInFlight } from './in-flight.js';
import { apiOf, pool } from './local-api.js';

// Before the runtime loads the handlers: each invocation's logger reads it.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
const RUNS = Number(process.env.PACED_EXECUTIONS ?? 500);
const CAP = Number(process.env.PACED_CAP ?? 50);
/** 100 simulated seconds per real second; a lease (two real minutes at least) never ends here. */
const TIME_SCALE = 100;
/** Each call lasts this long (real ms): 20 simulated seconds. */
const CALL_MS = 200;
const DAY = 86_400_000;
const buckets = [
  { minDays: 0, maxDays: 7, percentage: 60 },
  { minDays: 8, maxDays: 30, percentage: 30 },
  { minDays: 31, maxDays: null, percentage: 10 },
];
/** A one-step run that is not queued enters 4 states: Wait, Dispatch, Route, Done. */
const UNQUEUED_TRANSITIONS = 4;

const runtime = await startLocalRuntime({
  port: 0,
  timeScale: TIME_SCALE,
  channel: 'simulator',
  environment: {
    STATE_CALLING_RULES: 'off',
    SIMULATOR_OUTCOME: 'NO_ANSWER',
    SIMULATOR_DELAY_MS: String(CALL_MS),
    DISPATCH_SPREAD_SECONDS: '0',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  },
});
logger.setLogLevel('ERROR');
const api = apiOf(runtime);
const open = {
  enabled: true,
  timeRanges: [{ startHour: 0, startMinute: 0, endHour: 24, endMinute: 0 }],
};
const week = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((day) => [
    day,
    open,
  ])
);

await api('PATCH', '/api/v1/organization', {
  maxConcurrentCalls: CAP,
  priorityDateBucketConfig: { enabled: true, buckets },
});
const workflow = await api('POST', '/api/v1/workflow', {
  name: 'Bench: one paced call',
  timezone: 'America/New_York',
  workflowSchedule: week,
  tcpaSchedule: week,
  definition: { steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'call' }] },
});

// 60 % of the leads are 0–7 days old, 30 % 8–30, 10 % older, in random order.
const ageOf = (i: number) => {
  const f = i / RUNS;
  return f < 0.6 ? 1 + (i % 6) : f < 0.9 ? 10 + (i % 18) : 40 + (i % 50);
};
const now = Date.now();
// Creating runs at about 30 a second (measured) must end before they are due.
const dueAt = now + Math.max(20_000, RUNS * 40) * TIME_SCALE;
const leads = Array.from({ length: RUNS }, (_, i) => ({
  customerLeadId: `lead-${i}`,
  primaryPhone: `+1415${String(2_000_000 + i).padStart(7, '0')}`,
  zipcode: '94107',
  priorityDate: new Date(now - ageOf(i) * DAY).toISOString(),
  startAt: new Date(dueAt).toISOString(),
})).sort(() => Math.random() - 0.5);

const started = performance.now();
let created = 0;
const progress = setInterval(async () => {
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const { engine } = runtime;
  // The API may be slow to answer while thousands of runs start: progress never stops the bench.
  const load = await api('GET', '/api/v1/organization').then(
    ({ organization }) =>
      `${organization.activeCallCount} calls in flight, ${organization.queuedCallCount >= 1000 ? '1,000+' : organization.queuedCallCount} queued`,
    () => 'organization not answered'
  );
  console.log(
    `${seconds} s: ${created}/${RUNS} created, ${engine.activeExecutions} running, ${load}, ${engine.stats.stateTransitions} transitions`
  );
}, 5_000);
const batches = Array.from({ length: Math.ceil(RUNS / 25) }, (_, i) =>
  leads.slice(i * 25, i * 25 + 25)
);
await pool(batches, 4, async (batch) => {
  await api('POST', `/api/v1/workflow/${workflow.id}/execution/bulk`, { leads: batch });
  created += batch.length;
});
const createdMs = performance.now() - started;
if (Date.now() > dueAt)
  console.log('warning: creating took longer than planned; not all were due at once');
// Runs due this far ahead start from their start schedules at the due instant (scaled clock).
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
while (Date.now() < dueAt) await sleep(200);
for (let idle = 0; idle < 10; idle = runtime.engine.activeExecutions > 0 ? 0 : idle + 1)
  await sleep(200);
clearInterval(progress);

interface Attempt {
  handedOverAt: string;
  completedAt: string;
  queuedAt: string | null;
  priorityDate: string;
}
const attempts: Attempt[] = [];
let cursor: string | undefined;
do {
  const page = await api(
    'GET',
    `/api/v1/workflow/${workflow.id}/executions?limit=100&enriched=true${cursor ? `&cursor=${cursor}` : ''}`
  );
  for (const run of page.executions) {
    if (run.status !== 'COMPLETED') throw new Error(`run ${run.id} ended ${run.status}`);
    for (const step of run.stepExecutions)
      attempts.push({ ...step, priorityDate: run.priorityDate });
  }
  cursor = page.pagination.nextCursor ?? undefined;
} while (cursor);
if (attempts.length !== RUNS)
  throw new Error(`expected ${RUNS} attempts, found ${attempts.length}`);

const peak = peakInFlight(attempts);
const lastEnd = Math.max(...attempts.map((a) => Date.parse(a.completedAt)));
const drainSimulated = (lastEnd - dueAt) / 1000;

const order = [...attempts].sort((a, b) => Date.parse(a.handedOverAt) - Date.parse(b.handedOverAt));
const bucketOf = (a: Attempt) => {
  const age = (now - Date.parse(a.priorityDate)) / DAY;
  return age < 8 ? 0 : age < 31 ? 1 : 2;
};
const shares = (slice: Attempt[]) =>
  [0, 1, 2]
    .map((b) => ((100 * slice.filter((a) => bucketOf(a) === b).length) / slice.length).toFixed(1))
    .join(' / ');
const queued = attempts.filter((a) => a.queuedAt).length;
const { stateTransitions, byState } = runtime.engine.stats;
const extra = stateTransitions - UNQUEUED_TRANSITIONS * RUNS;
await runtime.stop();

console.log(`\n${RUNS} one-call runs due at once, cap ${CAP} calls, calls of ${CALL_MS} real ms:`);
console.log(`  created in           ${(createdMs / 1000).toFixed(1)} s (real)`);
console.log(`  peak in flight       ${peak} (cap ${CAP})`);
console.log(
  `  drained in           ${drainSimulated.toFixed(0)} simulated s (${(drainSimulated / TIME_SCALE).toFixed(1)} real s) after they were due`
);
console.log(`  shares, first 300    ${shares(order.slice(0, 300))} % (target 60 / 30 / 10)`);
for (let tenth = 0; tenth < 10; tenth++) {
  const slice = order.slice((tenth * RUNS) / 10, ((tenth + 1) * RUNS) / 10);
  console.log(`  shares, tenth ${tenth + 1}     ${shares(slice)} %`);
}
console.log(`  queued attempts      ${queued} of ${RUNS}`);
console.log(
  `  transitions          ${stateTransitions} (${[...byState].map(([s, n]) => `${s} ${n}`).join(', ')})`
);
console.log(`  extra per queued     ${(extra / Math.max(1, queued)).toFixed(2)} transitions`);
if (peak > CAP) throw new Error(`the cap was passed: ${peak} calls in flight`);
