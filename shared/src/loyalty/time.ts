/**
 * Business time is Asia/Shanghai (UTC+8, no daylight saving): "end of year", "the 18th" and "midnight" are
 * Shanghai's, whatever the server's time zone.
 */
const SHANGHAI_OFFSET_MS = 8 * 3600_000
export const DAY_MS = 86_400_000

/** The calendar year in Shanghai at this instant. */
export function shanghaiYear(at: Date): number {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCFullYear()
}

/** YYYY-MM in Shanghai at this instant. */
export function shanghaiMonth(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7)
}

/** YYYY-MM-DD in Shanghai at this instant. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10)
}

/** The first instant of 1 January of `year` in Shanghai. */
export function startOfShanghaiYear(year: number): Date {
  return new Date(Date.UTC(year, 0, 1) - SHANGHAI_OFFSET_MS)
}

/** The first instant of the Shanghai day after the one containing `at`. */
export function startOfNextShanghaiDay(at: Date): Date {
  const local = at.getTime() + SHANGHAI_OFFSET_MS
  return new Date(Math.floor(local / DAY_MS) * DAY_MS + DAY_MS - SHANGHAI_OFFSET_MS)
}

export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS)
}

/** The Shanghai calendar day of this instant as a day number (days since 1970-01-01 in Shanghai). */
export function shanghaiDayNumber(at: Date): number {
  return Math.floor((at.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS)
}

/** The day number of a date-only YYYY-MM-DD (see shanghaiDayNumber). */
export function dayNumberOf(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(year, month - 1, day) / DAY_MS
}

/** The day number of the last day of a month YYYY-MM. */
export function lastDayNumberOfMonth(month: string): number {
  const [year, m] = month.split('-').map(Number) as [number, number]
  // day 0 of the next month is the last day of this one
  return Date.UTC(year, m, 0) / DAY_MS
}

/** The first instant (Shanghai midnight) of a day number. */
export function startOfShanghaiDayNumber(day: number): Date {
  return new Date(day * DAY_MS - SHANGHAI_OFFSET_MS)
}
