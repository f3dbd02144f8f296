import { DAY_MS, shanghaiDate, shanghaiDayNumber, startOfShanghaiDayNumber } from '@member-center/shared'

const HOUR_MS = 3_600_000

/** The hour (0–23) in Asia/Shanghai at this instant. */
export function shanghaiHour(at: Date): number {
  return new Date(at.getTime() + 8 * HOUR_MS).getUTCHours()
}

/**
 * Whether `at` falls in the quiet hours from `from` o'clock to `to` o'clock, Asia/Shanghai (21 → 9 spans midnight:
 * 21:00 is quiet, 08:59 is quiet, 09:00 is not).
 */
export function inQuietHours(at: Date, from: number, to: number): boolean {
  if (from === to) return false
  const h = shanghaiHour(at)
  return from > to ? h >= from || h < to : h >= from && h < to
}

/** The end of the quiet hours that contain `at`: the next `to` o'clock, Shanghai. */
export function quietHoursEnd(at: Date, to: number): Date {
  const today = startOfShanghaiDayNumber(shanghaiDayNumber(at))
  const end = new Date(today.getTime() + to * HOUR_MS)
  return end.getTime() > at.getTime() ? end : new Date(end.getTime() + DAY_MS)
}

/** The start of the next Shanghai day (WeChat's daily quotas reset at midnight, Beijing time). */
export function nextShanghaiDay(at: Date): Date {
  return startOfShanghaiDayNumber(shanghaiDayNumber(at) + 1)
}

/** The Monday (YYYY-MM-DD, Shanghai) of the week containing `at`: weeks run Monday to Sunday. */
export function shanghaiWeek(at: Date): string {
  const day = shanghaiDayNumber(at)
  // day 0 (1970-01-01) was a Thursday: Monday-based weekday = (day + 3) mod 7
  const monday = day - ((day + 3) % 7)
  return shanghaiDate(startOfShanghaiDayNumber(monday))
}
