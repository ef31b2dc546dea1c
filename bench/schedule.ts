/**
 * `npm run bench:schedule`: schedule decisions per second with every compliance rule in force
 * (federal quiet hours, state rows, holidays, ZIP + area-code candidates), on realistic mixed
 * leads: addresses in 30 states, a fifth with an area code from another state, calls and texts,
 * two workflow schedules (the Feather example New York Mon/Tue 9–17, and weekdays 9–18) and two
 * TCPA schedules, decision instants spread over eight weeks. One core, in process, no I/O.
 * First one decision per lead while the caches fill (printed), then SCHEDULE_DECISIONS (default
 * 300,000) decisions, progress every 50,000; the target is 50,000/s. The machine's load average
 * is printed: the figure is per core only when the core is free.
 */
import { cpus, loadavg } from 'node:os';
import { decideNext } from '../lambdas/domain/next-step.js';
import type { Execution } from '../lambdas/schemas/execution.js';
import { federalTcpaSchedule, weekScheduleSchema } from '../lambdas/schemas/schedule.js';
import { anExecution } from '../test/helpers/execution-fixture.js';

const DECISIONS = Number(process.env.SCHEDULE_DECISIONS ?? 300_000);
const TARGET_PER_SECOND = 50_000;
const PROGRESS_EVERY = 50_000;

/** ZIP, state and a local area code: 30 states, every zone of the contiguous US, AK and HI. */
const places: [string, string, string][] = [
  ['10001', 'NY', '212'],
  ['94107', 'CA', '415'],
  ['79901', 'TX', '915'],
  ['75201', 'TX', '214'],
  ['33101', 'FL', '305'],
  ['32501', 'FL', '850'],
  ['60601', 'IL', '312'],
  ['85001', 'AZ', '602'],
  ['96813', 'HI', '808'],
  ['99501', 'AK', '907'],
  ['46201', 'IN', '317'],
  ['02903', 'RI', '401'],
  ['04101', 'ME', '207'],
  ['19103', 'PA', '215'],
  ['70112', 'LA', '504'],
  ['35203', 'AL', '205'],
  ['84101', 'UT', '801'],
  ['39201', 'MS', '601'],
  ['73102', 'OK', '405'],
  ['21201', 'MD', '410'],
  ['06103', 'CT', '860'],
  ['40202', 'KY', '502'],
  ['98101', 'WA', '206'],
  ['89101', 'NV', '702'],
  ['68102', 'NE', '402'],
  ['87102', 'NM', '505'],
  ['48226', 'MI', '313'],
  ['55401', 'MN', '612'],
  ['02108', 'MA', '617'],
  ['82001', 'WY', '307'],
  ['80202', 'CO', '303'],
  ['30303', 'GA', '404'],
];

const day = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 }],
};
const longDay = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 18, endMinute: 0 }],
};
const featherExample = weekScheduleSchema.parse({ monday: day, tuesday: day });
const weekdays = weekScheduleSchema.parse({
  monday: longDay,
  tuesday: longDay,
  wednesday: longDay,
  thursday: longDay,
  friday: longDay,
});
const sundayAfternoon = weekScheduleSchema.parse({
  ...Object.fromEntries(
    ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((d) => [
      d,
      { enabled: true, timeRanges: [{ startHour: 8, startMinute: 0, endHour: 21, endMinute: 0 }] },
    ])
  ),
  sunday: {
    enabled: true,
    timeRanges: [{ startHour: 13, startMinute: 0, endHour: 21, endMinute: 0 }],
  },
});

/** A deterministic pseudo-random sequence, so every run of the bench decides the same leads. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function leads(count: number): { run: Execution; now: Date }[] {
  const next = random(13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const start = Date.parse('2026-11-02T00:00:00Z');
  return Array.from({ length: count }, (_, index) => {
    const [zipcode, state, localAreaCode] = pick(places);
    const areaCode = next() < 0.2 ? pick(places)[2] : localAreaCode;
    const exchange = String(200 + Math.floor(next() * 700));
    const run = anExecution({
      id: `019ab1f0-0000-7000-8000-${String(index).padStart(12, '0')}`,
      customerLeadId: `lead-${index}`,
      primaryPhone: `+1${areaCode}${exchange}${String(index % 10_000).padStart(4, '0')}`,
      zipcode,
      state,
      stepIndex: next() < 0.5 ? 0 : 1,
      workflowSchedule: next() < 0.5 ? featherExample : weekdays,
      tcpaSchedule: next() < 0.5 ? federalTcpaSchedule : sundayAfternoon,
    });
    return { run, now: new Date(start + Math.floor(next() * 56 * 86_400_000)) };
  });
}

const sample = leads(20_000);
console.log(
  `bench:schedule: ${DECISIONS} decisions over ${sample.length} distinct leads, target ${TARGET_PER_SECOND}/s`
);

/** One decision per lead: what a fresh process pays while its caches fill. */
function firstPass(): number {
  const began = performance.now();
  for (const { run, now } of sample) decideNext(run, now, 60_000);
  return Math.round(sample.length / ((performance.now() - began) / 1000));
}
console.log(`first decision per lead (caches filling): ${firstPass()}/s`);

let deferred = 0;
const began = performance.now();
let lap = began;
for (let i = 0; i < DECISIONS; i++) {
  const { run, now } = sample[i % sample.length] as { run: Execution; now: Date };
  const next = decideNext(run, now, 60_000);
  if (next.schedule?.deferredBy.length) deferred++;
  if ((i + 1) % PROGRESS_EVERY === 0) {
    const at = performance.now();
    console.log(
      `  ${i + 1} decisions, last ${PROGRESS_EVERY}: ${Math.round(PROGRESS_EVERY / ((at - lap) / 1000))}/s`
    );
    lap = at;
  }
}
const seconds = (performance.now() - began) / 1000;
const perSecond = Math.round(DECISIONS / seconds);
console.log(`decisions/s: ${perSecond} (${((seconds * 1e6) / DECISIONS).toFixed(1)} µs each)`);
console.log(`deferred: ${((100 * deferred) / DECISIONS).toFixed(1)} % of decisions`);
console.log(
  `load average: ${loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')} on ${cpus().length} cores`
);
console.log(
  perSecond >= TARGET_PER_SECOND ? 'target met' : `target missed (${TARGET_PER_SECOND}/s)`
);
process.exitCode = perSecond >= TARGET_PER_SECOND ? 0 : 1;
