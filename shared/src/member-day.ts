/**
 * Member-day rules (pure, no I/O; the mini-program uses them for its countdown). DESIGN.md §2 "Member day": one to
 * three fixed days each month, by the Asia/Shanghai calendar. Dates are date-only `YYYY-MM-DD` strings (Shanghai's
 * calendar day); instants come from them through `memberDayWindow`.
 */

import { shanghaiDate } from './loyalty/time.js'

const SHANGHAI_OFFSET_MS = 8 * 3_600_000
const DAY_MS = 86_400_000

/** The highest day of the month a member day may fall on: every month has a 28th, not every month a 29th–31st. */
export const MAX_MEMBER_DAY = 28
/** How many member days a month may have. */
export const MAX_MEMBER_DAYS_PER_MONTH = 3

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Whether `text` is a real calendar date YYYY-MM-DD (2026-02-30 is not). */
export function isDateText(text: string): boolean {
  const m = DATE.exec(text)
  if (!m) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (month < 1 || month > 12 || day < 1) return false
  return new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day
}

/** The date `days` days after `date` YYYY-MM-DD (before, for a negative number). */
export function shiftDate(date: string, days: number): string {
  const m = DATE.exec(date)!
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days)).toISOString().slice(0, 10)
}

/** The day of the month of a date YYYY-MM-DD. */
function dayOfMonth(date: string): number {
  return Number(date.slice(8, 10))
}

/** Whether `date` is a member day under the configured days of the month. */
export function isMemberDayDate(date: string, days: readonly number[]): boolean {
  return days.includes(dayOfMonth(date))
}

/**
 * The first member day on or after `from` (`from` itself when it is one), or null when no day is configured. Days
 * above 28 are never configured (see MAX_MEMBER_DAY), so the answer is always within the next month.
 */
export function nextMemberDayDate(from: string, days: readonly number[]): string | null {
  const valid = days.filter((d) => Number.isInteger(d) && d >= 1 && d <= 31)
  if (valid.length === 0) return null
  // at most 62 days ahead even for a day a month may lack
  for (let i = 0; i <= 62; i++) {
    const date = shiftDate(from, i)
    if (valid.includes(dayOfMonth(date))) return date
  }
  return null
}

/** The member days of a month YYYY-MM, in order. */
export function memberDayDatesOfMonth(month: string, days: readonly number[]): string[] {
  const [year, m] = month.split('-').map(Number) as [number, number]
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate()
  return [...new Set(days)]
    .filter((d) => Number.isInteger(d) && d >= 1 && d <= last)
    .sort((a, b) => a - b)
    .map((d) => `${month}-${String(d).padStart(2, '0')}`)
}

/**
 * The instants of a Shanghai day: `startsAt` its 00:00:00 in Shanghai, `endsAt` the next day's 00:00:00 (exclusive:
 * a purchase at 23:59:59.999 is on the day, one at `endsAt` is not).
 */
export function memberDayWindow(date: string): { startsAt: Date; endsAt: Date } {
  const m = DATE.exec(date)!
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - SHANGHAI_OFFSET_MS
  return { startsAt: new Date(start), endsAt: new Date(start + DAY_MS) }
}

/** Whether an instant falls on a member day (its Shanghai date). */
export function isOnMemberDay(at: Date, days: readonly number[]): boolean {
  return isMemberDayDate(shanghaiDate(at), days)
}

/** When the reminder for the member day `date` is due: `hour`:00 Shanghai on the day before. */
export function memberDayReminderAt(date: string, hour: number): Date {
  return new Date(memberDayWindow(date).startsAt.getTime() - DAY_MS + hour * 3_600_000)
}

/**
 * The next moment, after `now`, at which a reminder falls due: `hour`:00 Shanghai on the day before a member day.
 * Null when no day is configured.
 */
export function nextMemberDayReminderAt(now: Date, days: readonly number[], hour: number): Date | null {
  let date = nextMemberDayDate(shanghaiDate(now), days)
  for (let i = 0; date && i < 4; i++) {
    const at = memberDayReminderAt(date, hour)
    if (at.getTime() > now.getTime()) return at
    date = nextMemberDayDate(shiftDate(date, 1), days)
  }
  return null
}
