import Holidays from 'date-holidays';

/**
 * Restricted days per jurisdiction, as recipient-local dates (YYYY-MM-DD → name). From
 * date-holidays (public holidays only: its observances such as Valentine's Day are no legal
 * holidays), plus a reviewed overlay of legal holidays the package lacks. Compare them with the
 * recipient-local date, never with the package's own zone for the state (one per state).
 */

interface OverlayDay {
  state: string;
  date: string;
  name: string;
  source: string;
}

/**
 * Days the package lacks, reviewed against their sources; refresh yearly (see the README).
 * Pennsylvania's do-not-call holidays include Good Friday and Election Day.
 */
export const holidayOverlay: readonly OverlayDay[] = [
  ...[
    ['2026-04-03', '2026-11-03'],
    ['2027-03-26', '2027-11-02'],
  ].flatMap(([goodFriday, electionDay]) => [
    {
      state: 'PA',
      date: goodFriday as string,
      name: 'Good Friday',
      source:
        'https://www.attorneygeneral.gov/protect-yourself/consumer-advisories/telemarketing-information-you-need-to-know/',
    },
    {
      state: 'PA',
      date: electionDay as string,
      name: 'Election Day',
      source:
        'https://www.attorneygeneral.gov/protect-yourself/consumer-advisories/telemarketing-information-you-need-to-know/',
    },
  ]),
];

const cache = new Map<string, ReadonlyMap<string, string>>();

/**
 * The restricted dates of `state` (or `US` for federal holidays only) in `year`. With
 * `observedShift`, a weekend holiday's observed weekday (Saturday → Friday, Sunday → Monday) is
 * restricted too; without it only the day itself is.
 */
export function restrictedDates(
  state: string,
  year: number,
  observedShift: boolean
): ReadonlyMap<string, string> {
  const key = `${state}|${year}|${observedShift}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const calendar = state === 'US' ? new Holidays('US') : new Holidays('US', state);
  const dates = new Map<string, string>();
  for (const holiday of calendar.getHolidays(year)) {
    if (holiday.type !== 'public' || (holiday.substitute && !observedShift)) continue;
    dates.set(holiday.date.slice(0, 10), holiday.name);
  }
  for (const day of holidayOverlay)
    if (day.state === state && day.date.startsWith(`${year}-`)) dates.set(day.date, day.name);
  cache.set(key, dates);
  return dates;
}
