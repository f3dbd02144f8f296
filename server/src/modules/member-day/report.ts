import { isMemberDayDate, memberDayWindow, shanghaiDate, shiftDate, type MemberDayReport } from '@member-center/shared'
import { Conflict, NotFound } from '../../core/errors.js'
import type { CouponsService } from '../coupons/index.js'
import type { SalesReader } from '../loyalty/sales.js'
import type { MemberDays } from './days.js'
import { calendarDate, daysInWords } from './plans.js'
import { multiplierPointsOf, ordinaryDayOf, purchasesOf, salesOf, salesRatio } from './report-rules.js'
import type { MemberDaySettingsStore } from './settings.js'

/** The days an ordinary day is averaged over: the 28 before the member day (four whole weeks), member days excluded. */
export const ORDINARY_SPAN_DAYS = 28

export interface MemberDayReportsDeps {
  settings: MemberDaySettingsStore
  days: MemberDays
  sales: SalesReader
  coupons: CouponsService
  now: () => Date
}

/**
 * A member day's results (admin): members who opened the mini-program that day, who bought and what they paid (less
 * refunds) against an ordinary day, the program's coupons issued and used, and the points its multiplier granted.
 * Sales come from loyalty's orders (its sales service): purchases of known members, not zero, not fully refunded —
 * gift orders of the points mall are not among them.
 */
export class MemberDayReports {
  constructor(private readonly deps: MemberDayReportsDeps) {}

  async report(date: string): Promise<MemberDayReport> {
    calendarDate(date)
    const settings = await this.deps.settings.current()
    if (!(await this.deps.days.isMemberDay(date, settings))) {
      throw new NotFound(`${date} is not a member day: member days are ${daysInWords(settings.days)}, and none was held that day`)
    }
    const today = shanghaiDate(this.deps.now())
    if (date > today) throw new Conflict(`the member day ${date} has not come yet (today is ${today} in Shanghai): its report starts on the day`)

    const { startsAt, endsAt } = memberDayWindow(date)
    const spanStart = shiftDate(date, -ORDINARY_SPAN_DAYS)
    const [dayOrders, spanOrders, members] = await Promise.all([
      this.deps.sales.paidBetween(startsAt, endsAt),
      this.deps.sales.paidBetween(memberDayWindow(spanStart).startsAt, startsAt),
      this.deps.days.members(date),
    ])
    const day = salesOf(purchasesOf(dayOrders))
    const spanDates = Array.from({ length: ORDINARY_SPAN_DAYS }, (_, i) => shiftDate(spanStart, i))
    const held = await this.deps.days.heldAmong(spanDates)
    const ordinaryDates = spanDates.filter((d) => !held.has(d) && !isMemberDayDate(d, settings.days))
    const ordinary = ordinaryDayOf(purchasesOf(spanOrders), ordinaryDates)

    return {
      date,
      opened: members.filter((m) => m.visitedAt).length,
      buyers: day.buyers,
      orders: day.orders,
      salesFen: day.salesFen,
      ordinaryDay: { salesFen: ordinary.salesFen, buyers: ordinary.buyers },
      salesRatio: salesRatio(day.salesFen, ordinary.meanFen),
      coupons: await this.coupons(members),
      multiplierPoints: dayOrders.reduce((a, o) => a + multiplierPointsOf(o), 0),
    }
  }

  /**
   * The day's coupons: those issued (noted on each member's entry of the day) and, of them, those used — read from
   * each such member's used coupons through the coupons service (its newest 100: a member-day coupon is among them
   * unless the member used a hundred others since).
   */
  private async coupons(members: Awaited<ReturnType<MemberDays['members']>>): Promise<{ issued: number; used: number }> {
    const holders = members.filter((m) => (m.couponIds ?? []).length > 0)
    const issued = holders.reduce((a, m) => a + m.couponIds.length, 0)
    let used = 0
    for (let i = 0; i < holders.length; i += 20) {
      const slice = holders.slice(i, i + 20)
      const lists = await Promise.all(slice.map((m) => this.deps.coupons.usage.wallet(m.memberId.toString(), 'used', 100)))
      slice.forEach((m, k) => {
        const ids = new Set(m.couponIds.map(String))
        used += lists[k]!.filter((c) => ids.has(c.id)).length
      })
    }
    return { issued, used }
  }
}
