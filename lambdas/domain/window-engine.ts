import {
  type Interval,
  intersectIntervals,
  isInside,
  layerIntervals,
  type ScheduleLayer,
  type WindowDecision,
} from './contact-window.js';
import { describeClosed, ruleOfDeferral } from './window-explanations.js';

/**
 * The fast schedule check. The allowed intervals of a set of layers are computed once per
 * week-long chunk of time and kept, so a decision for a recipient profile seen before (the same
 * zones, states, channel and schedules) is a lookup in a few sorted intervals: no Intl, no
 * per-day expansion. Offsets come from the zone's transitions (zone-offsets.ts), so DST is
 * handled where it changes, not by probing every wall time.
 */

const DAY = 86_400_000;
const CHUNK = 7 * DAY;
/** Profiles kept at once; the cache restarts past this so memory stays bounded. */
const MAX_PROFILES = 20_000;
const MAX_CHUNKS_PER_PROFILE = 16;

interface Chunk {
  allowed: Interval[];
  perLayer: Interval[][];
}

interface Profile {
  layers: ScheduleLayer[];
  chunks: Map<number, Chunk>;
  /** Whether any layer restricts dates (else no holiday can be named). */
  hasHolidays: boolean;
  /** The deciding lines per window opening: the same opening always has the same reasons. */
  reasons: Map<number, string[]>;
}

const profiles = new Map<string, Profile>();
/** The same layer array (complianceLayers memoizes them) finds its profile without a key. */
const byArray = new WeakMap<ScheduleLayer[], Profile>();

function profileOf(layers: ScheduleLayer[]): Profile {
  const known = byArray.get(layers);
  if (known) return known;
  const key = layers.map((layer) => layer.key).join('\n');
  let profile = profiles.get(key);
  if (!profile) {
    if (profiles.size >= MAX_PROFILES) profiles.clear();
    profile = {
      layers,
      chunks: new Map(),
      hasHolidays: layers.some((layer) => layer.holidays !== undefined),
      reasons: new Map(),
    };
    profiles.set(key, profile);
  }
  byArray.set(layers, profile);
  return profile;
}

function chunkOf(profile: Profile, index: number): Chunk {
  let chunk = profile.chunks.get(index);
  if (chunk) return chunk;
  const from = index * CHUNK;
  const to = from + CHUNK;
  const perLayer = profile.layers.map((layer) => layerIntervals(layer, from, to));
  let allowed: Interval[] = [{ start: from, end: to }];
  for (const intervals of perLayer) allowed = intersectIntervals(allowed, intervals);
  chunk = { allowed, perLayer };
  if (profile.chunks.size >= MAX_CHUNKS_PER_PROFILE) profile.chunks.clear();
  profile.chunks.set(index, chunk);
  return chunk;
}

function layerOpenAt(profile: Profile, layerIndex: number, t: number): boolean {
  const intervals = chunkOf(profile, Math.floor(t / CHUNK)).perLayer[layerIndex] ?? [];
  return isInside(intervals, t);
}

/** Why the window opens only at `opening`: the layers still closed the instant before it. */
function decidingReasons(profile: Profile, opening: number): string[] {
  let reasons = profile.reasons.get(opening);
  if (!reasons) {
    const before = opening - 1;
    reasons = profile.layers
      .filter((_, index) => !layerOpenAt(profile, index, before))
      .map((layer) => describeClosed(layer, before));
    if (profile.reasons.size > 256) profile.reasons.clear();
    profile.reasons.set(opening, reasons);
  }
  return reasons;
}

/** The first allowed interval ending after `from`, its end joined across chunk borders. */
function firstOpening(profile: Profile, from: number, to: number): Interval | undefined {
  let found: Interval | undefined;
  for (let index = Math.floor(from / CHUNK); index * CHUNK < to; index++) {
    for (const interval of chunkOf(profile, index).allowed) {
      if (interval.end <= from) continue;
      if (!found) found = { start: Math.max(interval.start, from), end: interval.end };
      else if (interval.start === found.end) found.end = interval.end;
      else return found;
    }
  }
  return found;
}

/**
 * The first instant at or after `from` that every layer allows, searching `horizonDays` ahead.
 * Layers intersect: adding a layer (another candidate zone, a stricter rule) can only narrow
 * the window, never widen it. A deferral names the layers that open exactly at the answer (the
 * ones that decided it), after any holiday that held the run when it was due.
 */
export function nextAllowedInstant(
  layers: ScheduleLayer[],
  from: Date,
  horizonDays = 14
): WindowDecision {
  const profile = profileOf(layers);
  const start = from.getTime();
  const to = start + horizonDays * DAY;
  const opening = firstOpening(profile, start, to);
  if (!opening || opening.start >= to) {
    const closed = layers.filter((_, index) => !layerOpenAt(profile, index, start));
    const deferredBy =
      closed.length > 0
        ? closed.map((layer) => describeClosed(layer, start))
        : [
            `${layers.map((layer) => `${layer.label} (${layer.zone})`).join(', ')} are never open at once`,
          ];
    return { at: null, closesAt: null, deferredBy };
  }
  const closesAt = new Date(Math.min(opening.end, to));
  if (opening.start === start) return { at: from, closesAt, deferredBy: [] };
  // A restricted day that held the run at `from` is named too, though it ended before `at`.
  const holidays = profile.hasHolidays
    ? layers
        .filter((_, index) => !layerOpenAt(profile, index, start))
        .map((layer) => describeClosed(layer, start))
        .filter((line) => ruleOfDeferral(line) === 'holiday')
    : [];
  const deciding = decidingReasons(profile, opening.start);
  return {
    at: new Date(opening.start),
    closesAt,
    deferredBy: [...new Set([...holidays, ...deciding])],
  };
}
