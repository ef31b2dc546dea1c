import { restrictedDates } from '../../lambdas/domain/holidays.js';
import type { StateRule } from '../../lambdas/domain/state-rules.js';
import { weekdays } from '../../lambdas/schemas/common.js';

/**
 * An independent reading of a rule at an instant, through Intl only (none of the engine's
 * interval or offset code): the local weekday, date and minute in the zone, then the row.
 */
export function localReading(t: Date, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'long',
    })
      .formatToParts(t)
      .map((part) => [part.type, part.value])
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: (parts.weekday as string).toLowerCase() as (typeof weekdays)[number],
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

export function rowAllows(row: StateRule, zone: string, t: Date): boolean {
  const local = localReading(t, zone);
  if (row.effectiveFrom && local.date < row.effectiveFrom) return true;
  const jurisdiction = row.state === 'unknown' ? 'US' : row.state;
  const holiday =
    row.holidayHours &&
    restrictedDates(jurisdiction, Number(local.date.slice(0, 4)), row.observedShift === true).has(
      local.date
    );
  const hours = holiday ? (row.holidayHours ?? []) : (row.days[local.weekday] ?? []);
  return hours.some(([start, end]) => start <= local.minute && local.minute < end);
}

export { weekdays };
