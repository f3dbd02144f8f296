import { describe, expect, it } from 'vitest'
import {
  isDateText,
  isMemberDayDate,
  isOnMemberDay,
  memberDayDatesOfMonth,
  memberDayReminderAt,
  memberDayWindow,
  nextMemberDayDate,
  nextMemberDayReminderAt,
  shiftDate,
} from '../../../shared/src/member-day.js'
import type { PaidOrder } from '../../../server/src/modules/loyalty/sales.js'
import { multiplierPointsOf, ordinaryDayOf, purchasesOf, salesOf, salesRatio } from '../../../server/src/modules/member-day/report-rules.js'
import { dayOfMonthProblem } from '../../../server/src/modules/member-day/settings.js'
import { Types } from 'mongoose'

/** The member day's pure rules (shared/src/member-day.ts, used by the mini-program too) and the report's arithmetic. */
describe('member-day rules', () => {
  it('finds the next member day from a date: the date itself when it is one, else later this month or next', () => {
    expect(nextMemberDayDate('2026-03-10', [18])).toBe('2026-03-18')
    expect(nextMemberDayDate('2026-03-18', [18])).toBe('2026-03-18')
    expect(nextMemberDayDate('2026-03-19', [18])).toBe('2026-04-18')
    expect(nextMemberDayDate('2026-12-19', [18])).toBe('2027-01-18')
    expect(nextMemberDayDate('2026-03-19', [28, 8, 18])).toBe('2026-03-28')
    expect(nextMemberDayDate('2026-03-29', [28, 8, 18])).toBe('2026-04-08')
    // February has a 28th every year
    expect(nextMemberDayDate('2027-02-01', [28])).toBe('2027-02-28')
    expect(nextMemberDayDate('2026-03-10', [])).toBeNull()
  })

  it('tells whether a date or an instant is on a member day, by the Shanghai calendar', () => {
    expect(isMemberDayDate('2026-03-18', [8, 18])).toBe(true)
    expect(isMemberDayDate('2026-03-17', [8, 18])).toBe(false)
    // 2026-03-17T16:00:00Z is 00:00 on the 18th in Shanghai; a second before is the 17th
    expect(isOnMemberDay(new Date('2026-03-17T16:00:00Z'), [18])).toBe(true)
    expect(isOnMemberDay(new Date('2026-03-17T15:59:59Z'), [18])).toBe(false)
    expect(isOnMemberDay(new Date('2026-03-18T15:59:59.999Z'), [18])).toBe(true)
    expect(isOnMemberDay(new Date('2026-03-18T16:00:00Z'), [18])).toBe(false)
  })

  it('gives a day’s instants: 00:00 Shanghai and the next 00:00 (exclusive)', () => {
    expect(memberDayWindow('2026-03-18')).toEqual({ startsAt: new Date('2026-03-17T16:00:00Z'), endsAt: new Date('2026-03-18T16:00:00Z') })
    expect(memberDayWindow('2026-12-31')).toEqual({ startsAt: new Date('2026-12-30T16:00:00Z'), endsAt: new Date('2026-12-31T16:00:00Z') })
  })

  it('lists a month’s member days in order', () => {
    expect(memberDayDatesOfMonth('2026-02', [28, 8, 18])).toEqual(['2026-02-08', '2026-02-18', '2026-02-28'])
    expect(memberDayDatesOfMonth('2026-04', [18])).toEqual(['2026-04-18'])
  })

  it('times the reminder at the hour on the day before, and finds the next one after a moment', () => {
    expect(memberDayReminderAt('2026-03-18', 10)).toEqual(new Date('2026-03-17T02:00:00Z'))
    expect(memberDayReminderAt('2026-03-01', 20)).toEqual(new Date('2026-02-28T12:00:00Z'))
    expect(nextMemberDayReminderAt(new Date('2026-03-10T02:00:00Z'), [18], 10)).toEqual(new Date('2026-03-17T02:00:00Z'))
    // at the reminder moment itself: the next one
    expect(nextMemberDayReminderAt(new Date('2026-03-17T02:00:00Z'), [18], 10)).toEqual(new Date('2026-04-17T02:00:00Z'))
    // on the member day: the next member day's
    expect(nextMemberDayReminderAt(new Date('2026-03-18T02:00:00Z'), [8, 18], 10)).toEqual(new Date('2026-04-07T02:00:00Z'))
    // the member day is the 1st: the reminder is on the last day of the month before
    expect(nextMemberDayReminderAt(new Date('2026-02-20T00:00:00Z'), [1], 9)).toEqual(new Date('2026-02-28T01:00:00Z'))
  })

  it('checks and shifts dates', () => {
    expect(['2026-02-28', '2028-02-29', '2026-12-31'].map(isDateText)).toEqual([true, true, true])
    expect(['2026-02-29', '2026-13-01', '2026-00-10', '2026-3-1', '2026-03-1x', ''].map(isDateText)).toEqual([false, false, false, false, false, false])
    expect(shiftDate('2026-03-01', -1)).toBe('2026-02-28')
    expect(shiftDate('2026-12-31', 1)).toBe('2027-01-01')
  })

  it('refuses days 29–31 with the reason, and leaves other bounds to the schema', () => {
    expect(dayOfMonthProblem([8, 30])).toMatch(/^days\.1: 30 is refused because not every month has a 30th/)
    expect(dayOfMonthProblem([18])).toBeNull()
    expect(dayOfMonthProblem([0, 32])).toBeNull()
    expect(dayOfMonthProblem('18')).toBeNull()
  })
})

describe('member-day report arithmetic', () => {
  const member = new Types.ObjectId()
  const order = (over: Partial<PaidOrder>): PaidOrder => ({
    orderId: 'O',
    memberId: member,
    paidAt: new Date('2026-03-18T02:00:00Z'),
    channel: 'mall',
    paidFen: 0,
    netFen: 0,
    rates: null,
    lines: [],
    earnedPoints: 0,
    pointsLeft: 0,
    migrated: false,
    ...over,
  })
  const md = (factor: number) => ({ kind: 'member-day', factor, label: `会员日 ×${factor}` })

  it('counts the points the member-day boost granted, after refunds, under the cap', () => {
    // 400 yuan × 2 = 800 [600, 200]; line 2 refunded: 600 stand, 300 would without the boost
    const refunded = order({
      rates: { pointsPerYuan: 1, tierMultiplier: 1, multiplier: 2, boosts: [md(2)] },
      lines: [
        { lineId: '1', paidFen: 30_000, refundedFen: 0, earnedPoints: 600, pointsLeft: 600 },
        { lineId: '2', paidFen: 10_000, refundedFen: 10_000, earnedPoints: 200, pointsLeft: 0 },
      ],
      pointsLeft: 600,
    })
    expect(multiplierPointsOf(refunded)).toBe(300)
    // crown 2.5 × 2 = 5, capped at 3: without the boost 2.5 → 250 of 300
    const capped = order({ rates: { pointsPerYuan: 1, tierMultiplier: 2.5, multiplier: 3, boosts: [md(2)] }, lines: [{ lineId: '1', paidFen: 10_000, refundedFen: 0, earnedPoints: 300, pointsLeft: 300 }], pointsLeft: 300 })
    expect(multiplierPointsOf(capped)).toBe(50)
    // another program's boost stays in the "without": birthday 1.5 × member day 2 on 100 yuan = 300; without 150
    const both = order({
      rates: { pointsPerYuan: 1, tierMultiplier: 1, multiplier: 3, boosts: [md(2), { kind: 'birthday', factor: 1.5, label: '生日 ×1.5' }] },
      lines: [{ lineId: '1', paidFen: 10_000, refundedFen: 0, earnedPoints: 300, pointsLeft: 300 }],
      pointsLeft: 300,
    })
    expect(multiplierPointsOf(both)).toBe(150)
    // no boost, not settled, carried over: nothing
    expect(multiplierPointsOf(order({ rates: { pointsPerYuan: 1, tierMultiplier: 1.2, multiplier: 1.2, boosts: [] }, lines: [{ lineId: '1', paidFen: 10_000, refundedFen: 0, earnedPoints: 120, pointsLeft: 120 }], pointsLeft: 120 }))).toBe(0)
    expect(multiplierPointsOf(order({}))).toBe(0)
    expect(multiplierPointsOf({ ...refunded, migrated: true })).toBe(0)
  })

  it('averages an ordinary day over the days given, and compares', () => {
    const other = new Types.ObjectId()
    const purchases = purchasesOf([
      order({ netFen: 27_000, paidAt: new Date('2026-03-01T04:00:00Z') }),
      order({ netFen: 13_500, paidAt: new Date('2026-03-01T05:00:00Z'), memberId: other }),
      order({ netFen: 13_500, paidAt: new Date('2026-03-10T04:00:00Z') }),
      order({ netFen: 0, paidAt: new Date('2026-03-12T04:00:00Z'), memberId: other }),
      order({ netFen: 9_999, paidAt: new Date('2026-03-12T04:00:00Z'), memberId: null }),
    ])
    expect(purchases).toHaveLength(3)
    expect(salesOf(purchases)).toEqual({ salesFen: 54_000, buyers: 2, orders: 3 })
    const dates = Array.from({ length: 27 }, (_, i) => shiftDate('2026-02-19', i))
    const ordinary = ordinaryDayOf(purchases, dates)
    expect(ordinary).toEqual({ salesFen: 2_000, buyers: 0.11, meanFen: 2_000 })
    expect(salesRatio(60_000, ordinary.meanFen)).toBe(30)
    expect(salesRatio(60_000, 0)).toBeNull()
    expect(ordinaryDayOf(purchases, [])).toEqual({ salesFen: 0, buyers: 0, meanFen: 0 })
  })
})
