import { instantOfWall, wallClock } from '../../lambdas/domain/zone-offsets.js';
import { type Weekday, weekdays } from '../../lambdas/schemas/common.js';

/** Wall-clock helpers for tests: calendar dates and wall times in a zone, on the engine's offsets. */

/** A calendar date in some zone, as plain numbers (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

export function localDateOf(instant: Date, zone: string): LocalDate {
  const wall = new Date(wallClock(instant.getTime(), zone));
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
 * midnight). In a fall-back overlap the earlier instant; in a spring-forward gap the instant the
 * clocks jump, so a window never widens.
 */
export function zonedWallTimeToInstant(date: LocalDate, minutes: number, zone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day) + minutes * 60_000;
  return new Date(instantOfWall(wall, zone));
}

export function formatWallTime(instant: Date, zone: string): string {
  const wall = new Date(wallClock(instant.getTime(), zone));
  const hh = String(wall.getUTCHours()).padStart(2, '0');
  const mm = String(wall.getUTCMinutes()).padStart(2, '0');
  return `${weekdayOf(localDateOf(instant, zone))} ${formatLocalDate(localDateOf(instant, zone))} ${hh}:${mm}`;
}
