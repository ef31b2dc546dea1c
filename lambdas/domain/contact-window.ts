import type { PartialWeekSchedule } from '../schemas/schedule.js';
import {
  addDays,
  formatWallTime,
  localDateOf,
  weekdayOf,
  zonedWallTimeToInstant,
} from './zoned-time.js';

/** Half-open [start, end) in epoch milliseconds. */
export interface Interval {
  start: number;
  end: number;
}

/** One timing constraint: a weekly schedule read in one zone. */
export interface ScheduleLayer {
  /** Names the rule in explanations, e.g. `workflowSchedule` or `tcpaSchedule`. */
  rule: string;
  schedule: PartialWeekSchedule;
  zone: string;
}

export interface WindowDecision {
  /** The first allowed instant at or after `from`, or null when none exists in the horizon. */
  at: Date | null;
  /** When the window that opens at `at` closes (at the latest, the end of the horizon). */
  closesAt: Date | null;
  /** When `at` is later than `from`: one line per layer that was closed at `from`. */
  deferredBy: string[];
}

const DAY = 24 * 3600_000;

/** The open intervals of one layer that overlap [from, to), merged and sorted. */
export function layerIntervals(layer: ScheduleLayer, from: Date, to: Date): Interval[] {
  const intervals: Interval[] = [];
  // Start a day early: a range that began yesterday (local) may still be open at `from`.
  let date = addDays(localDateOf(from, layer.zone), -1);
  const lastDate = addDays(localDateOf(to, layer.zone), 1);
  while (
    Date.UTC(date.year, date.month - 1, date.day) <=
    Date.UTC(lastDate.year, lastDate.month - 1, lastDate.day)
  ) {
    const day = layer.schedule[weekdayOf(date)];
    if (day?.enabled) {
      for (const range of day.timeRanges) {
        const start = zonedWallTimeToInstant(
          date,
          range.startHour * 60 + range.startMinute,
          layer.zone
        );
        const end = zonedWallTimeToInstant(date, range.endHour * 60 + range.endMinute, layer.zone);
        const clipped = {
          start: Math.max(start.getTime(), from.getTime()),
          end: Math.min(end.getTime(), to.getTime()),
        };
        if (clipped.start < clipped.end) intervals.push(clipped);
      }
    }
    date = addDays(date, 1);
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

/**
 * The first instant at or after `from` that every layer allows, searching `horizonDays` ahead.
 * Layers intersect: adding a layer (another candidate zone, a stricter rule) can only narrow
 * the window, never widen it.
 */
export function nextAllowedInstant(
  layers: ScheduleLayer[],
  from: Date,
  horizonDays = 14
): WindowDecision {
  const to = new Date(from.getTime() + horizonDays * DAY);
  let allowed: Interval[] = [{ start: from.getTime(), end: to.getTime() }];
  for (const layer of layers)
    allowed = intersectIntervals(allowed, layerIntervals(layer, from, to));
  const first = allowed[0];
  if (!first) {
    const closed = layers.filter((layer) => !isOpenAt(layer, from));
    const deferredBy =
      closed.length > 0
        ? closed.map((layer) => describeClosed(layer, from))
        : [
            `${layers.map((layer) => `${layer.rule} (${layer.zone})`).join(', ')} are never open at once`,
          ];
    return { at: null, closesAt: null, deferredBy };
  }
  const at = new Date(first.start);
  const deferredBy =
    at.getTime() > from.getTime()
      ? layers.filter((layer) => !isOpenAt(layer, from)).map((layer) => describeClosed(layer, from))
      : [];
  return { at, closesAt: new Date(first.end), deferredBy };
}

export function isOpenAt(layer: ScheduleLayer, instant: Date): boolean {
  const probe = layerIntervals(layer, instant, new Date(instant.getTime() + 1));
  return probe.length > 0;
}

function describeClosed(layer: ScheduleLayer, instant: Date): string {
  return `${layer.rule} closed in ${layer.zone} at ${formatWallTime(instant, layer.zone)}`;
}

/** The rule a `deferredBy` line names: its first word, as describeClosed writes it. */
export function ruleOfDeferral(line: string): string {
  return line.split(' ', 1)[0] ?? line;
}
