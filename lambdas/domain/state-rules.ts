import type { UsStateCode, Weekday } from '../schemas/common.js';
import { LEGAL_ATTEMPTS_PER_24H } from '../schemas/workflow.js';

/**
 * Calling- and texting-hour law as data: the federal floor, one row per state that is stricter
 * or different, and the strict floor for a recipient whose state cannot be resolved. Hours are
 * recipient-local `[start, end)` minutes; a weekday absent from `days` allows no contact.
 * Facts, not legal advice: each row names its source and a confidence (H = primary text read,
 * M = consistent secondary sources, L = one secondary source). Re-check yearly.
 */

export type Channel = 'call' | 'text';
/** Minute ranges within one local day. */
export type Hours = readonly (readonly [number, number])[];
export type WeekHours = Partial<Record<Weekday, Hours>>;

export interface StateRule {
  /** The jurisdiction: a state code, `US` for the federal floor, `unknown` for the strict floor. */
  state: UsStateCode | 'US' | 'unknown';
  /** Names the rule in explanations, e.g. "Texas". */
  label: string;
  /** Every call is an AI voice call, which counts as an artificial voice (automated) call. */
  appliesTo: readonly Channel[];
  days: WeekHours;
  /** Hours on the jurisdiction's restricted days ([] = no contact); absent = not restricted. */
  holidayHours?: Hours;
  /** Holidays falling on a weekend are also restricted on the weekday they are observed. */
  observedShift?: boolean;
  /** Zones the statute's hours are read in, besides or (`only`) instead of the recipient's. */
  readIn?: { zone: string; only: boolean };
  /** Recipient-local date (YYYY-MM-DD) from which the row applies. */
  effectiveFrom?: string;
  /** Attempts per rolling 24 h, and the least spacing between two attempts. */
  cap?: { perDay?: number; minSpacingHours?: number };
  source: string;
  confidence: 'H' | 'M' | 'L';
}

const hours = (start: number, end: number): Hours => [[start * 60, end * 60]];
const CALL_AND_TEXT: readonly Channel[] = ['call', 'text'];
const CALL: readonly Channel[] = ['call'];
const TEXT: readonly Channel[] = ['text'];

function week(weekday: Hours, saturday = weekday, sunday = saturday): WeekHours {
  return {
    monday: weekday,
    tuesday: weekday,
    wednesday: weekday,
    thursday: weekday,
    friday: weekday,
    saturday,
    sunday,
  };
}
const NONE: Hours = [];

export const federalRule: StateRule = {
  state: 'US',
  label: 'Federal quiet hours',
  appliesTo: CALL_AND_TEXT,
  days: week(hours(8, 21)),
  source: '47 CFR 64.1200(c)(1); 16 CFR 310.4(c)',
  confidence: 'H',
};

/** No resolvable state: the intersection of every row (KY starts 10, ME automated ends 17). */
export const unknownStateRules: readonly StateRule[] = [
  {
    state: 'unknown',
    label: 'Unknown-state floor',
    appliesTo: CALL,
    days: week(hours(10, 17), NONE, NONE),
    holidayHours: NONE,
    observedShift: true,
    source:
      'intersection of the state rows (KRS 367.461, 10 MRSA §1498(3), R.I. Gen. Laws 5-61-3.6)',
    confidence: 'M',
  },
  {
    state: 'unknown',
    label: 'Unknown-state floor',
    appliesTo: TEXT,
    days: week(hours(10, 18), hours(10, 17), NONE),
    holidayHours: NONE,
    observedShift: true,
    source: 'intersection of the state rows (KRS 367.461, R.I. Gen. Laws 5-61-3.6)',
    confidence: 'M',
  },
];

// biome-ignore format: one row per state reads as the table it is
export const stateRules: readonly StateRule[] = [
  { state: 'AL', label: 'Alabama', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20), hours(8, 20), NONE), holidayHours: NONE, observedShift: true, source: 'Ala. Admin. Code r. 770-X-5-.17(1)(b); Ala. Code 1-3-8', confidence: 'H' },
  { state: 'CT', label: 'Connecticut', appliesTo: CALL_AND_TEXT, days: week(hours(9, 20)), effectiveFrom: '2023-10-01', source: 'Conn. Gen. Stat. 42-288a (PA 23-98)', confidence: 'H' },
  { state: 'DC', label: 'District of Columbia', appliesTo: CALL_AND_TEXT, days: week(hours(8, 21)), source: 'DC Code 22-3226.08', confidence: 'H' },
  { state: 'FL', label: 'Florida', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20)), cap: { perDay: 3 }, source: 'Fla. Stat. 501.616(6)(a),(b); 501.059', confidence: 'H' },
  { state: 'IL', label: 'Illinois', appliesTo: CALL, days: week(hours(9, 21)), source: 'autodialer/prerecorded hours per ClickPoint and Drop Cowboy state tables', confidence: 'L' },
  { state: 'KY', label: 'Kentucky', appliesTo: CALL_AND_TEXT, days: week(hours(10, 21)), source: 'KRS 367.461 (automated 8–21); live-call 10–21 per state tables', confidence: 'M' },
  { state: 'LA', label: 'Louisiana', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20), hours(8, 20), NONE), holidayHours: NONE, source: 'La. R.S. 45:844.31; LPSC https://lpsc.louisiana.gov/DNC_Emergency', confidence: 'M' },
  { state: 'ME', label: 'Maine', appliesTo: CALL, days: week(hours(9, 17), NONE, NONE), cap: { minSpacingHours: 8 }, source: '10 MRSA §1498(3)', confidence: 'H' },
  { state: 'MD', label: 'Maryland', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20)), cap: { perDay: 3 }, effectiveFrom: '2024-01-01', source: 'Md. Com. Law 14-4501ff (Stop the Spam Calls Act)', confidence: 'H' },
  { state: 'MA', label: 'Massachusetts', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20)), source: '201 CMR 12.02(2),(4)', confidence: 'H' },
  { state: 'MI', label: 'Michigan', appliesTo: CALL_AND_TEXT, days: week(hours(9, 21)), source: 'Drop Cowboy state table', confidence: 'L' },
  { state: 'MN', label: 'Minnesota', appliesTo: CALL, days: week(hours(9, 21)), source: 'automatic dialing-announcing devices, Drop Cowboy state table', confidence: 'L' },
  { state: 'MS', label: 'Mississippi', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20), hours(8, 20), NONE), readIn: { zone: 'Etc/GMT+6', only: true }, source: 'Miss. Code 77-3-723(1) ("Central Standard Time")', confidence: 'H' },
  { state: 'NE', label: 'Nebraska', appliesTo: CALL, days: week(hours(8, 21), hours(8, 21), hours(13, 21)), holidayHours: hours(13, 21), source: 'prerecorded calls, ClickPoint state calling hours', confidence: 'L' },
  { state: 'NV', label: 'Nevada', appliesTo: CALL, days: week(hours(9, 20)), source: 'NRS 597.814(2)', confidence: 'H' },
  { state: 'NJ', label: 'New Jersey', appliesTo: CALL_AND_TEXT, days: week(hours(8, 21)), source: 'N.J.S.A. 56:8-128(d)', confidence: 'H' },
  { state: 'NM', label: 'New Mexico', appliesTo: CALL_AND_TEXT, days: week(hours(9, 21)), source: 'Drop Cowboy state table', confidence: 'L' },
  { state: 'OK', label: 'Oklahoma', appliesTo: CALL, days: week(hours(9, 20)), cap: { perDay: 3 }, effectiveFrom: '2022-11-01', source: '15 O.S. 775C.1ff (8–20); 755.1(C)(2) (automated 9–21)', confidence: 'H' },
  { state: 'OK', label: 'Oklahoma', appliesTo: TEXT, days: week(hours(8, 20)), cap: { perDay: 3 }, effectiveFrom: '2022-11-01', source: '15 O.S. 775C.1ff', confidence: 'H' },
  { state: 'PA', label: 'Pennsylvania', appliesTo: CALL_AND_TEXT, days: week(hours(8, 21)), holidayHours: NONE, readIn: { zone: 'America/New_York', only: false }, source: '73 P.S. 2245; PA Attorney General telemarketing advisory', confidence: 'M' },
  { state: 'RI', label: 'Rhode Island', appliesTo: CALL_AND_TEXT, days: week(hours(9, 18), hours(10, 17), NONE), holidayHours: NONE, observedShift: true, source: 'R.I. Gen. Laws 5-61-2(2), 5-61-3.6', confidence: 'H' },
  { state: 'TX', label: 'Texas', appliesTo: CALL_AND_TEXT, days: week(hours(9, 21), hours(9, 21), hours(12, 21)), readIn: { zone: 'America/Chicago', only: false }, source: 'Tex. Bus. & Com. Code ch. 301 (texts since SB 140, 2025-09-01)', confidence: 'M' },
  { state: 'UT', label: 'Utah', appliesTo: CALL_AND_TEXT, days: week(hours(8, 21), hours(8, 21), NONE), holidayHours: NONE, source: 'Utah Code 13-25a-103(3)', confidence: 'H' },
  { state: 'WA', label: 'Washington', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20)), source: 'RCW 19.158.040(2)', confidence: 'H' },
  { state: 'WY', label: 'Wyoming', appliesTo: CALL_AND_TEXT, days: week(hours(8, 20)), source: 'Call Desk tool description', confidence: 'L' },
];

/** The rows in force for one jurisdiction and channel (none for a state without own rules). */
export function rulesFor(
  state: UsStateCode | 'unknown',
  channel: Channel,
  table: readonly StateRule[] = stateRules
): StateRule[] {
  const rows = state === 'unknown' ? unknownStateRules : table.filter((row) => row.state === state);
  return rows.filter((row) => row.appliesTo.includes(channel));
}

export interface AttemptCap {
  /** At most this many attempts per phone number per rolling 24 h. */
  perDay: number;
  /** At least this long between two attempts to the number (0 = no spacing rule). */
  minSpacingMs: number;
  /** The rows that set the cap, for the explanation. */
  sources: string[];
}

/** The strictest cap of every candidate state's rows for the channel. */
export function attemptCapFor(states: readonly string[], channel: Channel): AttemptCap {
  // The default, 3 per rolling 24 h, covers FL, OK and MD at once (and is cheap everywhere).
  const cap: AttemptCap = { perDay: LEGAL_ATTEMPTS_PER_24H, minSpacingMs: 0, sources: [] };
  for (const row of stateRules) {
    if (!states.includes(row.state) || !row.appliesTo.includes(channel) || !row.cap) continue;
    if (row.cap.perDay !== undefined) cap.perDay = Math.min(cap.perDay, row.cap.perDay);
    if (row.cap.minSpacingHours !== undefined)
      cap.minSpacingMs = Math.max(cap.minSpacingMs, row.cap.minSpacingHours * 3600_000);
    cap.sources.push(`${row.label}: ${row.source}`);
  }
  return cap;
}
