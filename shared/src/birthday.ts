/**
 * The birthday's rules (DESIGN.md §2 "Birthday"), pure: a birthday is a date-only fact, `MM-DD` (and an optional
 * year), never an instant; every date here is a Shanghai calendar date `YYYY-MM-DD`. The server decides with them;
 * the client may use them to show dates.
 *
 * - 29 February is celebrated on 28 February in common years.
 * - The gift is issued `daysBefore` days before the celebration date (the issue day), once per member per year.
 * - A birthday set or changed on a date from which the celebration is at most LATE_SET_DAYS days away (day 30: not
 *   rewarded that year; day 31: rewarded), or after it, is not rewarded that year.
 * - The birthday week is the celebration date and the BIRTHDAY_WEEK_DAYS days either side.
 */

const DAY_MS = 86_400_000

/** MM-DD as the API takes it (the calendar is checked by isCalendarMonthDay). */
export const MONTH_DAY_PATTERN = '^(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$'
const MONTH_DAY = new RegExp(MONTH_DAY_PATTERN)

/** A birthday set this many days or fewer before it falls is not rewarded that year (31 and more: rewarded). */
export const LATE_SET_DAYS = 30
/** The birthday week: the celebration date and this many days before and after it. */
export const BIRTHDAY_WEEK_DAYS = 3
/** The oldest birth year the API takes. */
export const MIN_BIRTH_YEAR = 1900

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

/** Days in a month (1–12); February has 29 without a year (a birthday may be 02-29), else as the year has it. */
function daysInMonth(month: number, year?: number): number {
  if (month === 2) return year === undefined || isLeapYear(year) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** True for an MM-DD that is a day of the calendar in some year (02-29 is; 02-30 and 04-31 are not). */
export function isCalendarMonthDay(monthDay: string): boolean {
  if (!MONTH_DAY.test(monthDay)) return false
  const [month, day] = monthDay.split('-').map(Number) as [number, number]
  return day <= daysInMonth(month)
}

/**
 * What is wrong with a birthday as entered, in words naming the field (`birthday: …`, `year: …`), or null when it is a
 * real date: a real calendar day, a year from MIN_BIRTH_YEAR to `today`'s, 02-29 only in a leap year, not after
 * `today` (YYYY-MM-DD, Shanghai).
 */
export function birthdayProblem(monthDay: string, year: number | undefined | null, today: string): string | null {
  if (!isCalendarMonthDay(monthDay)) return `birthday: ${JSON.stringify(monthDay)} is not a day of the calendar (MM-DD, e.g. 05-20)`
  if (year === undefined || year === null) return null
  const thisYear = Number(today.slice(0, 4))
  if (!Number.isInteger(year) || year < MIN_BIRTH_YEAR || year > thisYear) return `year: must be a year from ${MIN_BIRTH_YEAR} to ${thisYear}`
  if (monthDay === '02-29' && !isLeapYear(year)) return `year: ${year} is not a leap year, so it has no 29 February`
  if (`${year}-${monthDay}` > today) return `birthday: ${year}-${monthDay} is after today`
  return null
}

/** The date a birthday is celebrated in `year`: MM-DD of that year, 02-29 on 02-28 in common years. */
export function celebrationDate(monthDay: string, year: number): string {
  const md = monthDay === '02-29' && !isLeapYear(year) ? '02-28' : monthDay
  return `${String(year).padStart(4, '0')}-${md}`
}

/** The day number of a YYYY-MM-DD (days since 1970-01-01). */
function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(y, m - 1, d) / DAY_MS
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** Days from the date `from` to the date `to` (negative when `to` is earlier), both YYYY-MM-DD. */
export function daysFromDate(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from)
}

/** The last day of the month a celebration date is in (the gift's coupons are valid through it by default). */
export function celebrationMonthEnd(celebratedOn: string): string {
  const [y, m] = celebratedOn.split('-').map(Number) as [number, number]
  return `${celebratedOn.slice(0, 7)}-${String(daysInMonth(m, y)).padStart(2, '0')}`
}

/** The day the gift for a celebration date is issued: `daysBefore` days before it. */
export function birthdayIssueDate(celebratedOn: string, daysBefore: number): string {
  return dateOf(dayNumber(celebratedOn) - daysBefore)
}

/**
 * True when a birthday set (or changed) on `setOn` is too late for the celebration on `celebratedOn`: the
 * celebration comes LATE_SET_DAYS days or fewer after the setting (day 30: not rewarded; day 31: rewarded), or had
 * already come. Null `setOn` (a birthday imported from before, never set here): never too late.
 */
export function birthdaySetTooLate(setOn: string | null, celebratedOn: string): boolean {
  if (setOn === null) return false
  return daysFromDate(setOn, celebratedOn) <= LATE_SET_DAYS
}

/** True when `today` is in the birthday week of a celebration date (from 3 days before to 3 days after). */
export function inBirthdayWeek(today: string, celebratedOn: string): boolean {
  return Math.abs(daysFromDate(celebratedOn, today)) <= BIRTHDAY_WEEK_DAYS
}

/** True when `today` is a day the gift for `celebratedOn` may be issued: from its issue day through the celebration. */
export function isBirthdayGiftDue(today: string, celebratedOn: string, daysBefore: number): boolean {
  return today >= birthdayIssueDate(celebratedOn, daysBefore) && today <= celebratedOn
}

/**
 * The year whose celebration a member's page is about: the earliest (last year's, this year's, next year's) whose
 * birthday week has not ended by `today`, or whose issued gift is still shown (`shownThrough(year)`: the last date an
 * issued gift of that year is shown, null when none was issued). So the page keeps this year's birthday through its
 * week (and its gift while the coupons last), then turns to next year's.
 */
export function birthdayYearShown(monthDay: string, today: string, shownThrough: (year: number) => string | null): number {
  const year = Number(today.slice(0, 4))
  for (const y of [year - 1, year, year + 1]) {
    if (daysFromDate(today, celebrationDate(monthDay, y)) >= -BIRTHDAY_WEEK_DAYS) return y
    const through = shownThrough(y)
    if (through !== null && today <= through) return y
  }
  return year + 1
}

/**
 * The birthdays (MM-DD) celebrated on each date from `daysBack` days before `today` through `daysAhead` days after,
 * with the date: 02-28 of a common year is also 02-29's. Years roll over (12-30 … 01-02).
 */
export function birthdaysCelebratedAround(today: string, daysBack: number, daysAhead: number): { monthDay: string; celebratedOn: string }[] {
  const out: { monthDay: string; celebratedOn: string }[] = []
  for (let day = dayNumber(today) - daysBack; day <= dayNumber(today) + daysAhead; day++) {
    const date = dateOf(day)
    const monthDay = date.slice(5)
    out.push({ monthDay, celebratedOn: date })
    if (monthDay === '02-28' && !isLeapYear(Number(date.slice(0, 4)))) out.push({ monthDay: '02-29', celebratedOn: date })
  }
  return out
}

/** Why a member gets no gift for a year. */
export type BirthdayIneligibility = 'SET_TOO_LATE' | 'PROGRAM_OFF' | 'NO_GIFT_FOR_TIER'

/** What the member reads for each (the birthday page). */
export const BIRTHDAY_INELIGIBILITY_REASONS: Record<BirthdayIneligibility, string> = {
  SET_TOO_LATE: `生日在设置后 ${LATE_SET_DAYS} 天内到来，今年的生日礼遇无法发放，明年生日前会自动送达。`,
  PROGRAM_OFF: '生日礼遇活动暂未开放，开放后将在生日前自动送达。',
  NO_GIFT_FOR_TIER: '您当前的会员等级暂无生日礼遇，升级后即可享受。',
}

/** What the member reads when the birthday passed before a gift could be issued (joined or set after it): no code. */
export const BIRTHDAY_PASSED_REASON = '今年的生日已经过去，明年生日前会自动送达。'

/**
 * Why the gift for the celebration on `celebratedOn` will not be issued, or null when it will: the program is off;
 * the birthday was set too late (birthdaySetTooLate); the member's tier has no gift configured.
 */
export function birthdayIneligibility(facts: { enabled: boolean; setOn: string | null; celebratedOn: string; hasGiftForTier: boolean }): BirthdayIneligibility | null {
  if (!facts.enabled) return 'PROGRAM_OFF'
  if (birthdaySetTooLate(facts.setOn, facts.celebratedOn)) return 'SET_TOO_LATE'
  if (!facts.hasGiftForTier) return 'NO_GIFT_FOR_TIER'
  return null
}
