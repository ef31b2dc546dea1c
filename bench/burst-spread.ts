/**
 * `npm run bench:burst`: BURST_EXECUTIONS (500) runs whose contact window opens at the same
 * instant, on the local runtime at real time, then when each was dispatched: the spread
 * (min/median/max after the opening), the busiest second, and whether newer priorityDates went
 * first. Each run's priorityDate lies 0–60 days back (BURST_PRIORITY_DAYS), so every priority
 * bucket is used; the simulator answers CALENDLY at once, which ends the run after one step.
 * Takes the wait for the next minute boundary (windows start on whole minutes) plus the spread.
 */
import { findExecution, findExecutionState } from '../lambdas/adapters/execution-queries.js';
import {
  dispatchOffsetMs,
  priorityBucket,
  spreadKeyOf,
} from '../lambdas/domain/dispatch-spread.js';
import { config } from '../lambdas/shared/config.js';
import { startLocalRuntime } from '../local/runtime.js';

const RUNS = Number(process.env.BURST_EXECUTIONS ?? 500);
/** priorityDates lie up to this many days before the opening; 0 gives every run the same one. */
const PRIORITY_DAYS = Number(process.env.BURST_PRIORITY_DAYS ?? 60);
/** Bulk creates of 25 leads, this many at a time. */
const CREATE_CONCURRENCY = 4;
/** Creating the runs must end before their window opens; this much time is set aside for it. */
const CREATE_ALLOWANCE_MS = 25_000;
const DAY_MS = 86_400_000;

const runtime = await startLocalRuntime({
  port: 0,
  channel: 'simulator',
  environment: {
    // The windows open a minute from now on the real clock, whatever state law says about it.
    STATE_CALLING_RULES: 'off',
    SIMULATOR_OUTCOME: 'CALENDLY',
    SIMULATOR_DELAY_MS: '0',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  },
});
const spreadSeconds = config().DISPATCH_SPREAD_SECONDS;

async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: { 'x-api-key': runtime.apiKey, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await response.json()) as T;
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** The window's first and last minute of the day (UTC). */
function windowMinutes(opening: Date): [number, number] {
  const startMinutes = opening.getUTCHours() * 60 + opening.getUTCMinutes();
  return [startMinutes, Math.min(startMinutes + 30, 24 * 60)];
}

function closeOf(opening: Date): Date {
  const [startMinutes, endMinutes] = windowMinutes(opening);
  return new Date(opening.getTime() + (endMinutes - startMinutes) * 60_000);
}

/** Every day open from `opening` (UTC) for 30 minutes, or to midnight if that comes first. */
function windowFrom(opening: Date) {
  const [startMinutes, endMinutes] = windowMinutes(opening);
  const range = {
    startHour: Math.floor(startMinutes / 60),
    startMinute: startMinutes % 60,
    endHour: Math.floor(endMinutes / 60),
    endMinute: endMinutes % 60,
  };
  const day = { enabled: true, timeRanges: [range] };
  const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  return Object.fromEntries(days.map((name) => [name, day]));
}

const allDay = Object.fromEntries(
  ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].map((name) => [
    name,
    { enabled: true, timeRanges: [{ startHour: 0, startMinute: 0, endHour: 24, endMinute: 0 }] },
  ])
);

/** Ages spread evenly over PRIORITY_DAYS, the same for every run of the bench. */
function priorityDateOf(index: number, opening: Date): string {
  const ageDays = (((index * 7919) % 6000) / 6000) * PRIORITY_DAYS;
  return new Date(opening.getTime() - ageDays * DAY_MS).toISOString();
}

async function createRuns(workflowId: string, opening: Date): Promise<string[]> {
  const batches = Array.from({ length: Math.ceil(RUNS / 25) }, (_, batch) =>
    Array.from({ length: Math.min(25, RUNS - batch * 25) }, (_, i) => batch * 25 + i)
  );
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      const leads = batch.map((i) => ({
        customerLeadId: `burst-${i}`,
        primaryPhone: `+1415555${String(i % 10_000).padStart(4, '0')}`,
        zipcode: '94107',
        priorityDate: priorityDateOf(i, opening),
      }));
      const answer = await api<{ results: Array<{ executionId: string }> }>(
        'POST',
        `/api/v1/workflow/${workflowId}/execution/bulk`,
        { leads }
      );
      ids.push(...answer.results.map((result) => result.executionId));
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  return ids;
}

async function waitUntilFinished(ids: string[], opening: Date): Promise<void> {
  let pending = [...ids];
  const deadline = opening.getTime() + (spreadSeconds + 120) * 1000;
  while (pending.length > 0) {
    if (Date.now() > deadline) {
      const example = await findExecutionState(pending[0] as string);
      throw new Error(`${pending.length} runs never finished, e.g. ${JSON.stringify(example)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const states = await Promise.all(pending.map((id) => findExecutionState(id)));
    pending = pending.filter((_, i) => states[i]?.status !== 'COMPLETED');
    const since = ((Date.now() - opening.getTime()) / 1000).toFixed(0);
    console.log(
      `  ${since} s after the opening: ${ids.length - pending.length}/${ids.length} dispatched and done`
    );
  }
}

interface Dispatch {
  bucket: number;
  /** Seconds after the opening: where the spread put the run's Wait end (as on AWS). */
  planned: number;
  /** Seconds after the opening the local runtime claimed the step (queueing included). */
  dispatched: number;
}

async function dispatchesOf(ids: string[], opening: Date, closesAt: Date): Promise<Dispatch[]> {
  const runs = await Promise.all(ids.map((id) => findExecution(id)));
  return runs.map((run) => {
    const attempt = Object.values(run?.attempts ?? {})[0];
    if (!run || !attempt) throw new Error('a run has no step attempt');
    const priorityDate = new Date(run.priorityDate);
    const spreadMs = spreadSeconds * 1000;
    const offsetMs = dispatchOffsetMs({
      spreadKey: spreadKeyOf(run),
      priorityDate,
      opensAt: opening,
      closesAt,
      spreadMs,
    });
    return {
      bucket: priorityBucket(priorityDate, opening),
      planned: offsetMs / 1000,
      dispatched: (Date.parse(attempt.startedAt) - opening.getTime()) / 1000,
    };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

const s = (value: number) => `${value.toFixed(1)} s`;

function printDistribution(
  label: string,
  dispatches: Dispatch[],
  at: (d: Dispatch) => number
): void {
  const offsets = dispatches.map(at).sort((a, b) => a - b);
  const perSecond = new Map<number, number>();
  for (const offset of offsets)
    perSecond.set(Math.floor(offset), (perSecond.get(Math.floor(offset)) ?? 0) + 1);
  // A run that went before the last run of a newer bucket went out of priority order.
  const outOfOrder = dispatches.filter((d) =>
    dispatches.some((other) => other.bucket < d.bucket && at(other) > at(d))
  ).length;
  console.log(
    `  ${label}: min ${s(offsets[0] ?? 0)}, p50 ${s(percentile(offsets, 0.5))}, max ${s(offsets.at(-1) ?? 0)}; peak ${Math.max(...perSecond.values())} in one second; priority order ${outOfOrder === 0 ? 'kept' : `broken by ${outOfOrder} runs`}`
  );
}

function report(dispatches: Dispatch[]): void {
  console.log(
    `\n${dispatches.length} runs woken by one window opening, spread ${spreadSeconds} s (without it: all in one second; perfectly even: ${(dispatches.length / spreadSeconds).toFixed(1)} per second):`
  );
  printDistribution("planned (the Wait's end, as on AWS)", dispatches, (d) => d.planned);
  printDistribution('dispatched (claimed, local runtime)', dispatches, (d) => d.dispatched);
  const lags = dispatches.map((d) => d.dispatched - d.planned).sort((a, b) => a - b);
  console.log(
    `  local queueing after the planned instant: p50 ${s(percentile(lags, 0.5))}, max ${s(lags.at(-1) ?? 0)}`
  );
  for (const bucket of [...new Set(dispatches.map((d) => d.bucket))].sort()) {
    const planned = dispatches.filter((d) => d.bucket === bucket).map((d) => d.planned);
    console.log(
      `  priority bucket ${bucket}: ${planned.length} runs planned ${s(Math.min(...planned))} – ${s(Math.max(...planned))}`
    );
  }
}

try {
  // Windows open on whole minutes: the first minute boundary that leaves time to create.
  const opening = new Date(Math.ceil((Date.now() + CREATE_ALLOWANCE_MS) / 60_000) * 60_000);
  // A call cap above the run count: this bench measures the spread alone (pacing has its own).
  await api('PATCH', '/api/v1/organization', { maxConcurrentCalls: 1_000 });
  const workflow = await api<{ id: string }>('POST', '/api/v1/workflow', {
    name: 'Burst: one call when the window opens',
    timezone: 'UTC',
    workflowSchedule: windowFrom(opening),
    // Read in the recipient's zone: open all day, so the workflow's window alone decides.
    tcpaSchedule: allDay,
    definition: {
      steps: [{ type: 'CALL', order: 1, delayInSecs: 0, agentId: 'call', finishOn: ['CALENDLY'] }],
    },
  });
  console.log(`Creating ${RUNS} runs; their window opens at ${opening.toISOString()}`);
  const ids = await createRuns(workflow.id, opening);
  if (Date.now() >= opening.getTime())
    throw new Error('creating took past the opening; try fewer runs');
  console.log(
    `Created in time; waiting ${((opening.getTime() - Date.now()) / 1000).toFixed(0)} s for the opening, then the ${spreadSeconds} s spread`
  );
  await new Promise((resolve) => setTimeout(resolve, opening.getTime() - Date.now()));
  await waitUntilFinished(ids, opening);
  report(await dispatchesOf(ids, opening, closeOf(opening)));
} finally {
  await runtime.stop();
}
