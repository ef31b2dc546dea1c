import { type Weekday, weekdays } from '../schemas/common.js';

/** A calendar date in some zone, as plain numbers (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const MINUTE = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/**
 * The wall-clock reading of instant `t` in `zone`, encoded as if it were UTC milliseconds.
 * Read from the platform's tz database through Intl: date-fns-tz's getTimezoneOffset was
 * measured wrong within hours of a DST change (it gave EST at 01:30 EDT on 2026-11-01).
 */
function wallClockMs(t: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(t))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0
  );
  return wall + (t % 1000);
}

function offsetAt(t: number, zone: string): number {
  return wallClockMs(t, zone) - t;
}

export function localDateOf(instant: Date, zone: string): LocalDate {
  const wall = new Date(wallClockMs(instant.getTime(), zone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function weekdayOf(date: LocalDate): Weekday {
  const sundayFirst = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return weekdays[(sundayFirst + 6) % 7] as Weekday;
}

export function formatLocalDate(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/**
 * The instant at which `zone`'s clocks read `minutes` past midnight of `date` (1440 = the next
 * midnight). DST makes this partial, and both edge cases resolve so a window never widens:
 * - fall-back overlap (the wall time happens twice): the earlier instant;
 * - spring-forward gap (the wall time never happens): the instant the clocks jump, i.e. the
 *   first instant whose wall time is later than the requested one.
 */
export function zonedWallTimeToInstant(date: LocalDate, minutes: number, zone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minutes * MINUTE;
  // Offsets a day either side cover both sides of any transition near this wall time.
  const offsets = [
    offsetAt(wall - 36 * 60 * MINUTE, zone),
    offsetAt(wall + 36 * 60 * MINUTE, zone),
  ];
  const exact = offsets
    .map((offset) => wall - offset)
    .filter((t) => wallClockMs(t, zone) === wall)
    .sort((a, b) => a - b);
  if (exact[0] !== undefined) return new Date(exact[0]);

  // In a gap: binary-search, to the minute, the first instant whose wall clock passed `wall`.
  let low = wall - Math.max(...offsets);
  let high = wall - Math.min(...offsets);
  if (low > high) [low, high] = [high, low];
  while (high - low > MINUTE) {
    const mid = low + Math.floor((high - low) / MINUTE / 2) * MINUTE;
    if (wallClockMs(mid, zone) >= wall) high = mid;
    else low = mid;
  }
  return new Date(high);
}

export function formatWallTime(instant: Date, zone: string): string {
  const wall = new Date(wallClockMs(instant.getTime(), zone));
  const hh = String(wall.getUTCHours()).padStart(2, '0');
  const mm = String(wall.getUTCMinutes()).padStart(2, '0');
  return `${weekdayOf(localDateOf(instant, zone))} ${formatLocalDate(localDateOf(instant, zone))} ${hh}:${mm}`;
}
