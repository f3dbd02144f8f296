import {
  birthdayIneligibility,
  birthdayIssueDate,
  birthdayProblem,
  birthdaysCelebratedAround,
  birthdaySetTooLate,
  birthdayYearShown,
  celebrationDate,
  celebrationMonthEnd,
  daysFromDate,
  inBirthdayWeek,
  isBirthdayGiftDue,
  isCalendarMonthDay,
  isLeapYear,
} from '@member-center/shared'
import { describe, expect, it } from 'vitest'

/** The birthday's date rules (shared/src/birthday.ts), pure. */
describe('birthday rules', () => {
  it('takes real calendar days only: 02-29 yes, 02-30, 04-31, 13-01 and 2-3 no', () => {
    for (const ok of ['01-01', '02-29', '04-30', '12-31', '07-31']) expect(isCalendarMonthDay(ok), ok).toBe(true)
    for (const bad of ['02-30', '02-31', '04-31', '06-31', '09-31', '11-31', '13-01', '00-10', '05-00', '05-32', '2-3', '02-3', '0203', '', '02-29 ']) {
      expect(isCalendarMonthDay(bad), bad).toBe(false)
    }
  })

  it('checks the year: 1900 to this year, 02-29 only in a leap year, not after today', () => {
    const today = '2026-03-10'
    expect(birthdayProblem('05-20', undefined, today)).toBeNull()
    expect(birthdayProblem('05-20', 1990, today)).toBeNull()
    expect(birthdayProblem('02-29', 2000, today)).toBeNull()
    expect(birthdayProblem('02-29', 2024, today)).toBeNull()
    expect(birthdayProblem('02-29', 1900, today)).toMatch(/^year: 1900 is not a leap year/)
    expect(birthdayProblem('02-29', 2023, today)).toMatch(/^year: 2023 is not a leap year/)
    expect(birthdayProblem('05-20', 1899, today)).toMatch(/^year: must be a year from 1900 to 2026/)
    expect(birthdayProblem('05-20', 2027, today)).toMatch(/^year:/)
    expect(birthdayProblem('03-11', 2026, today)).toMatch(/^birthday: 2026-03-11 is after today/)
    expect(birthdayProblem('03-10', 2026, today)).toBeNull()
    expect(birthdayProblem('02-30', undefined, today)).toMatch(/^birthday: "02-30" is not a day of the calendar/)
  })

  it('celebrates 29 February on 28 February in common years, and on the 29th in leap years', () => {
    expect([2024, 2000].map(isLeapYear)).toEqual([true, true])
    expect([2026, 1900, 2100].map(isLeapYear)).toEqual([false, false, false])
    expect(celebrationDate('02-29', 2028)).toBe('2028-02-29')
    expect(celebrationDate('02-29', 2027)).toBe('2027-02-28')
    expect(celebrationDate('02-29', 2100)).toBe('2100-02-28')
    expect(celebrationDate('02-28', 2028)).toBe('2028-02-28')
    expect(celebrationDate('12-31', 2026)).toBe('2026-12-31')
    expect(celebrationMonthEnd('2027-02-28')).toBe('2027-02-28')
    expect(celebrationMonthEnd('2028-02-29')).toBe('2028-02-29')
    expect(celebrationMonthEnd('2026-04-05')).toBe('2026-04-30')
  })

  it('issues daysBefore days before, across month and year ends, and is due from then through the birthday', () => {
    expect(birthdayIssueDate('2026-03-20', 3)).toBe('2026-03-17')
    expect(birthdayIssueDate('2027-01-01', 3)).toBe('2026-12-29')
    expect(birthdayIssueDate('2028-03-01', 3)).toBe('2028-02-27')
    expect(birthdayIssueDate('2026-05-20', 0)).toBe('2026-05-20')
    expect(isBirthdayGiftDue('2026-03-16', '2026-03-20', 3)).toBe(false)
    expect(isBirthdayGiftDue('2026-03-17', '2026-03-20', 3)).toBe(true)
    expect(isBirthdayGiftDue('2026-03-20', '2026-03-20', 3)).toBe(true)
    expect(isBirthdayGiftDue('2026-03-21', '2026-03-20', 3)).toBe(false)
  })

  it('does not reward a birthday set 30 days or fewer before it falls (or after), and rewards one set 31 days before', () => {
    expect(daysFromDate('2026-05-31', '2026-06-30')).toBe(30)
    expect(birthdaySetTooLate('2026-05-31', '2026-06-30')).toBe(true)
    expect(birthdaySetTooLate('2026-05-30', '2026-06-30')).toBe(false)
    expect(birthdaySetTooLate('2026-06-30', '2026-06-30')).toBe(true)
    expect(birthdaySetTooLate('2026-07-01', '2026-06-30')).toBe(true)
    // across the year end: set on 12 December for 11 January is 30 days
    expect(birthdaySetTooLate('2026-12-12', '2027-01-11')).toBe(true)
    expect(birthdaySetTooLate('2026-12-11', '2027-01-11')).toBe(false)
    // a birthday from before (imported): never too late
    expect(birthdaySetTooLate(null, '2026-06-30')).toBe(false)
  })

  it('says why a gift is not given, the program first, then the late setting, then the tier', () => {
    const facts = { enabled: true, setOn: '2026-01-01', celebratedOn: '2026-06-30', hasGiftForTier: true }
    expect(birthdayIneligibility(facts)).toBeNull()
    expect(birthdayIneligibility({ ...facts, enabled: false, setOn: '2026-06-20', hasGiftForTier: false })).toBe('PROGRAM_OFF')
    expect(birthdayIneligibility({ ...facts, setOn: '2026-06-20', hasGiftForTier: false })).toBe('SET_TOO_LATE')
    expect(birthdayIneligibility({ ...facts, hasGiftForTier: false })).toBe('NO_GIFT_FOR_TIER')
  })

  it('knows the birthday week: from 3 days before to 3 days after', () => {
    expect(inBirthdayWeek('2026-05-17', '2026-05-20')).toBe(true)
    expect(inBirthdayWeek('2026-05-23', '2026-05-20')).toBe(true)
    expect(inBirthdayWeek('2026-05-16', '2026-05-20')).toBe(false)
    expect(inBirthdayWeek('2026-05-24', '2026-05-20')).toBe(false)
    expect(inBirthdayWeek('2026-12-30', '2027-01-01')).toBe(true)
  })

  it("shows this year's birthday through its week and its gift through the month, then next year's", () => {
    const none = () => null
    expect(birthdayYearShown('05-20', '2026-03-10', none)).toBe(2026)
    expect(birthdayYearShown('05-20', '2026-05-23', none)).toBe(2026)
    expect(birthdayYearShown('05-20', '2026-05-24', none)).toBe(2027)
    const issued2026 = (y: number) => (y === 2026 ? '2026-05-31' : null)
    expect(birthdayYearShown('05-20', '2026-05-31', issued2026)).toBe(2026)
    expect(birthdayYearShown('05-20', '2026-06-01', issued2026)).toBe(2027)
    // a 31 December birthday on 2 January: last year's week
    expect(birthdayYearShown('12-31', '2027-01-02', none)).toBe(2026)
    expect(birthdayYearShown('12-31', '2027-01-04', none)).toBe(2027)
    // a 1 January birthday in late December: next year's
    expect(birthdayYearShown('01-01', '2026-12-30', none)).toBe(2027)
  })

  it('lists the birthdays celebrated around a day, 02-29 with 02-28 in common years, across the year end', () => {
    expect(birthdaysCelebratedAround('2027-02-27', 0, 2)).toEqual([
      { monthDay: '02-27', celebratedOn: '2027-02-27' },
      { monthDay: '02-28', celebratedOn: '2027-02-28' },
      { monthDay: '02-29', celebratedOn: '2027-02-28' },
      { monthDay: '03-01', celebratedOn: '2027-03-01' },
    ])
    expect(birthdaysCelebratedAround('2028-02-27', 0, 2).map((b) => b.monthDay)).toEqual(['02-27', '02-28', '02-29'])
    expect(birthdaysCelebratedAround('2026-12-30', 1, 3).map((b) => b.celebratedOn)).toEqual(['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02'])
  })
})
