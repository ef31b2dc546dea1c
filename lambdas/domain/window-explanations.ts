import { hoursOn, type ScheduleLayer, weekdayOfWall } from './contact-window.js';
import { wallClock } from './zone-offsets.js';

/**
 * Deferral lines, e.g. "Texas, Sunday before 12:00 in America/Denver": the layer's label, then
 * why it is closed at that local time. They are stored on the run (`deferredBy`), shown on its
 * timeline, and counted by rule (`ruleOfDeferral`).
 */

const DAY = 86_400_000;
const MINUTE = 60_000;

/** Rules a line may name directly; any other label is a jurisdiction's law. */
const namedRules = new Set(['workflowSchedule', 'tcpaSchedule', 'emergencyStop', 'attemptCap']);
const HOLIDAY_SUFFIX = ' holiday';

function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function capitalized(word: string): string {
  return `${word.charAt(0).toUpperCase()}${word.slice(1)}`;
}

export function describeClosed(layer: ScheduleLayer, t: number): string {
  const wall = wallClock(t, layer.zone);
  const dayWall = Math.floor(wall / DAY) * DAY;
  const minute = Math.floor((wall - dayWall) / MINUTE);
  const day = hoursOn(layer, dayWall);
  const weekday = capitalized(weekdayOfWall(dayWall));
  if (day.holiday !== undefined)
    return `${layer.label}${HOLIDAY_SUFFIX}, ${day.holiday} (${day.date}) in ${layer.zone}`;
  if (day.hours.length === 0) return `${layer.label}, no contact on ${weekday} in ${layer.zone}`;
  const next = day.hours.find(([start]) => start > minute);
  if (next) return `${layer.label}, ${weekday} before ${clock(next[0])} in ${layer.zone}`;
  const lastEnd = Math.max(...day.hours.map(([, end]) => end));
  return `${layer.label}, ${weekday} after ${clock(lastEnd)} in ${layer.zone}`;
}

/**
 * The rule a `deferredBy` line names, as the small set the deferral metric is keyed by:
 * workflowSchedule, tcpaSchedule, emergencyStop, attemptCap, holiday, or stateLaw.
 */
export function ruleOfDeferral(line: string): string {
  const label = line.split(',', 1)[0] ?? line;
  if (namedRules.has(label)) return label;
  return label.endsWith(HOLIDAY_SUFFIX) ? 'holiday' : 'stateLaw';
}
