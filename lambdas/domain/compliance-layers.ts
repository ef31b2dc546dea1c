import type { UsStateCode } from '../schemas/common.js';
import type { PartialWeekSchedule } from '../schemas/schedule.js';
import type { StepType } from '../schemas/workflow.js';
import { type ScheduleLayer, scheduleLayer } from './contact-window.js';
import { restrictedDates } from './holidays.js';
import { type Candidates, candidatesOf } from './recipient-zones.js';
import { type Channel, federalRule, rulesFor, type StateRule, stateRules } from './state-rules.js';

/**
 * Every layer a step must satisfy: the workflow schedule in the workflow's zone, then in each
 * candidate recipient zone the workflow's tcpaSchedule, the federal quiet hours, and every
 * candidate state's rows for the channel (the strict floor when no state is known). Layers
 * intersect, so the stricter always wins.
 */
export interface ComplianceInput {
  workflowSchedule: PartialWeekSchedule;
  /** The workflow schedule's zone. */
  timezone: string;
  tcpaSchedule: PartialWeekSchedule;
  /** False (Feather's flag for a step that is no solicitation): the workflow schedule only. */
  needsTCPACompliance: boolean;
  channel: Channel;
  candidates: Candidates;
  /** False: the workflow's schedules only, no federal or state law (STATE_CALLING_RULES=off). */
  stateLaw: boolean;
  /** The rule table; the shipped one unless a test stages another. */
  rules?: readonly StateRule[];
}

export function channelOf(type: StepType): Channel {
  return type === 'TEXT' ? 'text' : 'call';
}

function ruleLayer(row: StateRule, zone: string): ScheduleLayer {
  const jurisdiction = row.state === 'unknown' ? 'US' : row.state;
  const holidayHours = row.holidayHours;
  return {
    rule: 'stateLaw',
    label: row.label,
    zone,
    days: row.days,
    ...(holidayHours && {
      holidays: {
        datesOf: (year: number) => restrictedDates(jurisdiction, year, row.observedShift === true),
        hours: holidayHours,
      },
    }),
    ...(row.effectiveFrom && { effectiveFrom: row.effectiveFrom }),
    key: `${row.state}|${row.label}|${row.appliesTo.join('+')}|${zone}|${row.effectiveFrom ?? ''}|${JSON.stringify(row.days)}`,
  };
}

function lawLayers(input: ComplianceInput): ScheduleLayer[] {
  const { candidates, channel } = input;
  const rows =
    candidates.states.length === 0
      ? rulesFor('unknown', channel)
      : candidates.states.flatMap((state) =>
          rulesFor(state as UsStateCode, channel, input.rules ?? stateRules)
        );
  return [federalRule, ...rows].flatMap((row) => {
    const zones = row.readIn?.only ? [] : [...candidates.zones];
    if (row.readIn) zones.push(row.readIn.zone);
    return zones.map((zone) => ruleLayer(row, zone));
  });
}

const memo = new Map<string, ScheduleLayer[]>();
const scheduleIds = new Map<string, number>();
const idsByObject = new WeakMap<PartialWeekSchedule, number>();

/**
 * A short id per distinct schedule content, so memo keys stay short to hash; an object seen
 * before (a workflow's runs share one in a preview) skips serializing it.
 */
function idOf(schedule: PartialWeekSchedule): number {
  let id = idsByObject.get(schedule);
  if (id !== undefined) return id;
  const text = JSON.stringify(schedule);
  id = scheduleIds.get(text);
  if (id === undefined) {
    id = scheduleIds.size;
    scheduleIds.set(text, id);
  }
  idsByObject.set(schedule, id);
  return id;
}

/** The layers for an input; the same input gets the same array (the engine keys on it). */
export function complianceLayers(input: ComplianceInput): ScheduleLayer[] {
  const key = [
    input.channel,
    input.needsTCPACompliance,
    input.stateLaw,
    input.timezone,
    idOf(input.workflowSchedule),
    idOf(input.tcpaSchedule),
    input.candidates.zones.join(','),
    input.candidates.states.join(','),
    input.rules ? input.rules.length : '',
  ].join('|');
  const cached = !input.rules && memo.get(key);
  if (cached) return cached;
  const workflow = scheduleLayer('workflowSchedule', input.workflowSchedule, input.timezone);
  const layers = input.needsTCPACompliance
    ? [
        workflow,
        ...input.candidates.zones.map((zone) =>
          scheduleLayer('tcpaSchedule', input.tcpaSchedule, zone)
        ),
        ...(input.stateLaw ? lawLayers(input) : []),
      ]
    : [workflow];
  const unique = [...new Map(layers.map((layer) => [layer.key, layer])).values()];
  if (!input.rules) {
    if (memo.size > 20_000) memo.clear();
    memo.set(key, unique);
  }
  return unique;
}

/** What the schedule check takes besides the run and the clock. */
export interface ScheduleOptions {
  /** The organization's emergency stops (state codes): a run in one of them waits. */
  blockedStates?: readonly string[];
  /** False leaves out federal and state law (STATE_CALLING_RULES=off); true by default. */
  stateLaw?: boolean;
}

/** The line naming the emergency stops that hold the run, or undefined when none does. */
export function emergencyStopOf(
  contact: { primaryPhone: string; zipcode?: string; state?: string },
  blockedStates: readonly string[]
): string | undefined {
  if (blockedStates.length === 0) return undefined;
  const held = candidatesOf(contact).states.filter((state) => blockedStates.includes(state));
  return held.length > 0
    ? `emergencyStop, waiting: emergency stop for ${held.join(', ')}`
    : undefined;
}
