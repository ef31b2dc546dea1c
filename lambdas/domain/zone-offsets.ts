/**
 * UTC offsets of IANA zones without Intl in the hot path. Intl is asked once per zone and year
 * (a sample a day, then a binary search to the minute where the offset changed); every later
 * conversion is arithmetic over that year's transitions. Reads the platform's tz database, so
 * Arizona, Navajo Nation, Indiana and the territories behave as the zone says.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;

interface Transition {
  /** First instant (epoch ms) at which `offset` holds. */
  at: number;
  offset: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Per zone, per UTC year: the transitions (plain maps, no string keys in the hot path). */
const zones = new Map<string, Map<number, Transition[]>>();

function intlOffset(t: number, zone: string): number {
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
    });
    formatters.set(zone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(t)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0
  );
  return wall - (t - (t % MINUTE));
}

/** The offsets in force during one UTC year: the one at its start, then each change. */
function transitionsOf(zone: string, year: number): Transition[] {
  let years = zones.get(zone);
  if (!years) {
    years = new Map();
    zones.set(zone, years);
  }
  const cached = years.get(year);
  if (cached) return cached;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  const found: Transition[] = [{ at: start, offset: intlOffset(start, zone) }];
  for (let day = start + DAY; day <= end; day += DAY) {
    const before = (found.at(-1) as Transition).offset;
    const offset = intlOffset(Math.min(day, end - 1), zone);
    if (offset === before) continue;
    let low = day - DAY;
    let high = Math.min(day, end - 1);
    while (high - low > MINUTE) {
      const mid = low + Math.floor((high - low) / MINUTE / 2) * MINUTE;
      if (intlOffset(mid, zone) === before) low = mid;
      else high = mid;
    }
    found.push({ at: high, offset });
  }
  years.set(year, found);
  return found;
}

/** The UTC year of `t`, remembered per day (Date objects cost more than the lookup). */
const dayYears = new Map<number, number>();
function yearOf(t: number): number {
  const dayNumber = Math.floor(t / DAY);
  let year = dayYears.get(dayNumber);
  if (year === undefined) {
    year = new Date(dayNumber * DAY).getUTCFullYear();
    if (dayYears.size > 100_000) dayYears.clear();
    dayYears.set(dayNumber, year);
  }
  return year;
}

/** Milliseconds to add to instant `t` to read `zone`'s wall clock (as if it were UTC). */
export function offsetAt(t: number, zone: string): number {
  const list = transitionsOf(zone, yearOf(t));
  let offset = (list[0] as Transition).offset;
  for (const transition of list) {
    if (transition.at > t) break;
    offset = transition.offset;
  }
  return offset;
}

/** The wall-clock reading of `t` in `zone`, encoded as UTC epoch milliseconds. */
export function wallClock(t: number, zone: string): number {
  return t + offsetAt(t, zone);
}

/**
 * The instant at which `zone`'s clocks read `wall` (UTC-encoded wall time). Resolved so a window
 * never widens: in a fall-back overlap, the earlier instant; in a spring-forward gap, the
 * instant the clocks jump (the first instant whose wall time is later than the requested one).
 */
export function instantOfWall(wall: number, zone: string): number {
  const early = offsetAt(wall - 36 * 3600_000, zone);
  const late = offsetAt(wall + 36 * 3600_000, zone);
  const exact = [wall - Math.max(early, late), wall - Math.min(early, late)].filter(
    (t) => wallClock(t, zone) === wall
  );
  if (exact[0] !== undefined) return exact[0];
  // In the gap: the transition lies between the two readings; find it to the minute.
  let low = wall - Math.max(early, late);
  let high = wall - Math.min(early, late);
  while (high - low > MINUTE) {
    const mid = low + Math.floor((high - low) / MINUTE / 2) * MINUTE;
    if (wallClock(mid, zone) >= wall) high = mid;
    else low = mid;
  }
  return high;
}
