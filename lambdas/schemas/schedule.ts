import { z } from 'zod';
import { customIssue, weekdays } from './common.js';

/**
 * A time range inside one local day. 24:00 is allowed as an end (end of day); a range never
 * crosses midnight: split it into two days instead (Retell and TCPA tooling do the same).
 */
export const timeRangeSchema = z
  .strictObject({
    startHour: z.int().min(0).max(23),
    startMinute: z.int().min(0).max(59).default(0),
    endHour: z.int().min(0).max(24),
    endMinute: z.int().min(0).max(59).default(0),
  })
  .superRefine((range, ctx) => {
    if (range.endHour === 24 && range.endMinute !== 0) {
      customIssue(ctx, ['endMinute'], 'must be 0 when endHour is 24');
      return;
    }
    const start = range.startHour * 60 + range.startMinute;
    const end = range.endHour * 60 + range.endMinute;
    if (start >= end) {
      customIssue(
        ctx,
        ['endHour'],
        'range must end after it starts (ranges cannot cross midnight)'
      );
    }
  });
export type TimeRange = z.infer<typeof timeRangeSchema>;

export const dayScheduleSchema = z
  .strictObject({
    enabled: z.boolean(),
    timeRanges: z.array(timeRangeSchema).max(24).default([]),
  })
  .superRefine((day, ctx) => {
    if (day.enabled && day.timeRanges.length === 0) {
      customIssue(ctx, ['timeRanges'], 'an enabled day needs at least one time range');
    }
  });
export type DaySchedule = z.infer<typeof dayScheduleSchema>;

const dayShape = Object.fromEntries(weekdays.map((day) => [day, dayScheduleSchema.optional()])) as {
  [K in (typeof weekdays)[number]]: z.ZodOptional<typeof dayScheduleSchema>;
};

/**
 * Days keyed monday…sunday; an omitted day is disabled, and every day is stored and answered
 * (Feather's shape: a disabled day is `{enabled:false, timeRanges:[]}`). A schedule with no day
 * enabled is valid (Feather clients send one as a template default); a run that could never be
 * contacted under it is refused when it is created (409, with the reason).
 */
export const weekScheduleSchema = z
  .strictObject(dayShape)
  .transform(
    (week) =>
      Object.fromEntries(
        weekdays.map((day) => [day, week[day] ?? { enabled: false, timeRanges: [] }])
      ) as { [K in (typeof weekdays)[number]]: DaySchedule }
  );
export type WeekSchedule = z.infer<typeof weekScheduleSchema>;
/** What schedule reading needs: a missing day is a disabled one. */
export type PartialWeekSchedule = Partial<WeekSchedule>;

function everyDay(startHour: number, endHour: number): WeekSchedule {
  return Object.fromEntries(
    weekdays.map((day) => [
      day,
      { enabled: true, timeRanges: [{ startHour, startMinute: 0, endHour, endMinute: 0 }] },
    ])
  ) as WeekSchedule;
}

/** Federal TCPA quiet hours (47 CFR 64.1200(c)(1)): 08:00–21:00 recipient-local, every day. */
export const federalTcpaSchedule: WeekSchedule = everyDay(8, 21);

/** No business-hours limit of its own: only the TCPA schedule applies. */
export const alwaysOpenSchedule: WeekSchedule = everyDay(0, 24);
