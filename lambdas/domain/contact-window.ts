import { type Weekday, weekdays } from '../schemas/common.js';
import type { PartialWeekSchedule } from '../schemas/schedule.js';
import type { Hours, WeekHours } from './state-rules.js';
import { instantOfWall, wallClock } from './zone-offsets.js';

/** Half-open [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

/** One timing constraint: weekly hours read in one zone, optionally with restricted dates. */
export interface ScheduleLayer {
  /** The metric dimension: workflowSchedule, tcpaSchedule or stateLaw (holidays count apart). */
  rule: string;
  /** Names the rule in explanations, e.g. "Texas" or "workflowSchedule". */
  label: string;
  zone: string;
  days: WeekHours;
  /** Restricted local dates of a year (date → name), and the hours allowed on them. */
  holidays?: { datesOf: (year: number) => ReadonlyMap<string, string>; hours: Hours };
  /** Local date (YYYY-MM-DD) before which the layer does not apply (every hour is open). */
  effectiveFrom?: string;
  /** Identifies the layer's content, for memoizing the intervals of a set of layers. */
  key: string;
}

export interface WindowDecision {
  /** The first allowed instant at or after `from`, or null when none exists in the horizon. */
  at: Date | null;
  /** When the window that opens at `at` closes (at the latest, the end of the horizon). */
  closesAt: Date | null;
  /** When `at` is later than `from`: one line per layer that kept it closed. */
  deferredBy: string[];
}

const MINUTE = 60_000;
const DAY = 86_400_000;
const WHOLE_DAY: Hours = [[0, 1440]];

/** A workflow-level schedule (Feather's shape) as a layer. */
export function scheduleLayer(
  rule: string,
  schedule: PartialWeekSchedule,
  zone: string
): ScheduleLayer {
  const days: WeekHours = {};
  for (const day of weekdays) {
    const entry = schedule[day];
    if (!entry?.enabled) continue;
    days[day] = entry.timeRanges.map((range) => [
      range.startHour * 60 + range.startMinute,
      range.endHour * 60 + range.endMinute,
    ]);
  }
  return { rule, label: rule, zone, days, key: `${rule}|${zone}|${JSON.stringify(days)}` };
}

const dateStrings = new Map<number, string>();

/** The YYYY-MM-DD of a UTC-encoded wall time, remembered per day. */
export function localDateString(wall: number): string {
  const dayNumber = Math.floor(wall / DAY);
  let date = dateStrings.get(dayNumber);
  if (date === undefined) {
    date = new Date(dayNumber * DAY).toISOString().slice(0, 10);
    if (dateStrings.size > 100_000) dateStrings.clear();
    dateStrings.set(dayNumber, date);
  }
  return date;
}

export function weekdayOfWall(wall: number): Weekday {
  return weekdays[(new Date(wall).getUTCDay() + 6) % 7] as Weekday;
}

/** What the layer allows on the local day starting at `dayWall`, and why it restricts it. */
export function hoursOn(
  layer: ScheduleLayer,
  dayWall: number
): { hours: Hours; holiday?: string; date: string } {
  const date = localDateString(dayWall);
  if (layer.effectiveFrom && date < layer.effectiveFrom) return { hours: WHOLE_DAY, date };
  const holiday = layer.holidays?.datesOf(Number(date.slice(0, 4))).get(date);
  if (holiday !== undefined && layer.holidays)
    return { hours: layer.holidays.hours, holiday, date };
  return { hours: layer.days[weekdayOfWall(dayWall)] ?? [], date };
}

/** The open intervals of one layer that overlap [from, to), merged and sorted. */
export function layerIntervals(layer: ScheduleLayer, from: number, to: number): Interval[] {
  const intervals: Interval[] = [];
  // Start a day early: a range that began yesterday (local) may still be open at `from`.
  const first = Math.floor(wallClock(from, layer.zone) / DAY) * DAY - DAY;
  const last = Math.floor(wallClock(to, layer.zone) / DAY) * DAY + DAY;
  for (let dayWall = first; dayWall <= last; dayWall += DAY) {
    for (const [startMinute, endMinute] of hoursOn(layer, dayWall).hours) {
      const start = Math.max(instantOfWall(dayWall + startMinute * MINUTE, layer.zone), from);
      const end = Math.min(instantOfWall(dayWall + endMinute * MINUTE, layer.zone), to);
      if (start < end) intervals.push({ start, end });
    }
  }
  return mergeIntervals(intervals);
}

export function mergeIntervals(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged;
}

export function intersectIntervals(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as Interval;
    const y = b[j] as Interval;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (start < end) out.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return out;
}

export function isInside(intervals: readonly Interval[], t: number): boolean {
  return intervals.some((interval) => interval.start <= t && t < interval.end);
}
