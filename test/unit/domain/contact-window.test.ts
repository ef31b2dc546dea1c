import { describe, expect, it } from 'vitest';
import { type ScheduleLayer, scheduleLayer } from '../../../lambdas/domain/contact-window.js';
import { nextAllowedInstant } from '../../../lambdas/domain/window-engine.js';
import {
  federalTcpaSchedule,
  type PartialWeekSchedule,
  weekScheduleSchema,
} from '../../../lambdas/schemas/schedule.js';
import { zonedWallTimeToInstant } from '../../helpers/zoned-time.js';

const ninetoFive = {
  enabled: true,
  timeRanges: [{ startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 }],
};
const featherWorkflowSchedule: PartialWeekSchedule = { monday: ninetoFive, tuesday: ninetoFive };

function layers(
  recipientZone: string,
  workflow: PartialWeekSchedule = featherWorkflowSchedule
): ScheduleLayer[] {
  return [
    scheduleLayer('workflowSchedule', workflow, 'America/New_York'),
    scheduleLayer('tcpaSchedule', federalTcpaSchedule, recipientZone),
  ];
}

function everyDay(startHour: number, endHour: number, startMinute = 0): PartialWeekSchedule {
  const day = { enabled: true, timeRanges: [{ startHour, startMinute, endHour, endMinute: 0 }] };
  return {
    monday: day,
    tuesday: day,
    wednesday: day,
    thursday: day,
    friday: day,
    saturday: day,
    sunday: day,
  };
}

describe('nextAllowedInstant', () => {
  it('moves a Wednesday start to Monday 11:00 New York when the recipient is in San Francisco', () => {
    // Prepare: Wed 2026-11-25 10:00 UTC. Mon/Tue 09–17 NY ∩ 08–21 LA = Mon/Tue 11:00–17:00 NY.
    const now = new Date('2026-11-25T10:00:00Z');
    // Act
    const decision = nextAllowedInstant(layers('America/Los_Angeles'), now);
    // Assess
    expect(decision.at?.toISOString()).toBe('2026-11-30T16:00:00.000Z');
    expect(decision.deferredBy).toEqual([
      // The layer that opened last decided it: 08:00 in San Francisco is 11:00 in New York.
      'tcpaSchedule, Monday before 08:00 in America/Los_Angeles',
    ]);
  });

  it('returns the instant itself when every layer is open', () => {
    const now = new Date('2026-11-30T18:30:00Z'); // Mon 13:30 NY, 10:30 LA
    expect(nextAllowedInstant(layers('America/Los_Angeles'), now)).toEqual({
      at: now,
      closesAt: new Date('2026-11-30T22:00:00Z'), // 17:00 in New York
      deferredBy: [],
    });
  });

  it('waits for the recipient when the workflow window is open but the recipient is asleep', () => {
    const now = new Date('2026-11-30T14:30:00Z'); // Mon 09:30 NY, 06:30 LA
    expect(nextAllowedInstant(layers('America/Los_Angeles'), now).at?.toISOString()).toBe(
      '2026-11-30T16:00:00.000Z'
    );
  });

  it('never starts inside the spring-forward gap', () => {
    // 2026-03-08 in New York: 02:00 EST jumps to 03:00 EDT. A range starting 02:30 opens at the jump.
    const start = zonedWallTimeToInstant({ year: 2026, month: 3, day: 8 }, 150, 'America/New_York');
    expect(start.toISOString()).toBe('2026-03-08T07:00:00.000Z');
    const decision = nextAllowedInstant(
      [scheduleLayer('tcpaSchedule', everyDay(2, 4, 30), 'America/New_York')],
      new Date('2026-03-08T05:00:00Z')
    );
    expect(decision.at?.toISOString()).toBe('2026-03-08T07:00:00.000Z');
  });

  it('takes the first occurrence of a wall time repeated by the fall-back overlap', () => {
    // 2026-11-01 in New York: 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST).
    const instant = zonedWallTimeToInstant(
      { year: 2026, month: 11, day: 1 },
      90,
      'America/New_York'
    );
    expect(instant.toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('keeps 08:00–21:00 in Arizona all year (no DST) while Denver shifts', () => {
    const summer = new Date('2026-07-01T12:00:00Z'); // 05:00 Phoenix, 06:00 Denver
    const phoenix = nextAllowedInstant(
      [scheduleLayer('tcpa', federalTcpaSchedule, 'America/Phoenix')],
      summer
    );
    const denver = nextAllowedInstant(
      [scheduleLayer('tcpa', federalTcpaSchedule, 'America/Denver')],
      summer
    );
    expect(phoenix.at?.toISOString()).toBe('2026-07-01T15:00:00.000Z');
    expect(denver.at?.toISOString()).toBe('2026-07-01T14:00:00.000Z');
  });

  it('reads Hawaii windows at UTC-10', () => {
    const at = nextAllowedInstant(
      [scheduleLayer('tcpa', federalTcpaSchedule, 'Pacific/Honolulu')],
      new Date('2026-11-25T10:00:00Z')
    ).at;
    expect(at?.toISOString()).toBe('2026-11-25T18:00:00.000Z');
  });

  it('treats a range ending at 24:00 as open until midnight', () => {
    const layer = scheduleLayer('tcpa', everyDay(22, 24), 'UTC');
    expect(nextAllowedInstant([layer], new Date('2026-11-25T23:59:00Z')).at?.toISOString()).toBe(
      '2026-11-25T23:59:00.000Z'
    );
    expect(nextAllowedInstant([layer], new Date('2026-11-26T00:00:00Z')).at?.toISOString()).toBe(
      '2026-11-26T22:00:00.000Z'
    );
  });

  it('intersects every candidate zone, so an unresolved recipient never widens the window', () => {
    const now = new Date('2026-11-25T13:30:00Z'); // 08:30 NY, 05:30 LA
    const both: ScheduleLayer[] = [
      scheduleLayer('tcpa', federalTcpaSchedule, 'America/New_York'),
      scheduleLayer('tcpa', federalTcpaSchedule, 'America/Los_Angeles'),
    ];
    expect(nextAllowedInstant(both, now).at?.toISOString()).toBe('2026-11-25T16:00:00.000Z');
  });

  it('answers null when the schedules never overlap, instead of looping', () => {
    const decision = nextAllowedInstant(
      [
        scheduleLayer('workflowSchedule', everyDay(6, 7), 'America/New_York'),
        scheduleLayer('tcpaSchedule', federalTcpaSchedule, 'America/New_York'),
      ],
      new Date('2026-11-25T10:00:00Z')
    );
    expect(decision.at).toBeNull();
  });
});

describe('weekScheduleSchema', () => {
  it('accepts a schedule with no enabled day and answers all seven days', () => {
    const result = weekScheduleSchema.parse({ monday: { enabled: false, timeRanges: [] } });
    expect(Object.keys(result)).toEqual([
      'monday',
      'tuesday',
      'wednesday',
      'thursday',
      'friday',
      'saturday',
      'sunday',
    ]);
    expect(result.sunday).toEqual({ enabled: false, timeRanges: [] });
  });

  it('finds no window in a schedule with no enabled day', () => {
    const closed = weekScheduleSchema.parse({});
    const decision = nextAllowedInstant(
      [scheduleLayer('workflowSchedule', closed, 'America/New_York')],
      new Date('2026-11-23T15:00:00Z')
    );
    expect(decision.at).toBeNull();
  });
});
