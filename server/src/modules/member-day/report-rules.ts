import { orderEarning, reversedShare, shanghaiDate } from '@member-center/shared'
import type { PaidOrder } from '../loyalty/sales.js'

/**
 * The points the member-day boost granted an order that still stand: what its lines earned (less what refunds took
 * back) minus what they would have earned, and kept after the same refunds, without the member-day boost — the
 * multiplier recomputed from the order's fixed rates. The combined multiplier was capped by the policy: without the
 * boost it is the product of the other multipliers, under the same cap (which the recorded multiplier reveals when it
 * bit). 0 for an order without the boost, not settled yet, or carried over from another system.
 */
export function multiplierPointsOf(order: PaidOrder): number {
  const rates = order.rates
  if (!rates || order.migrated || order.lines.length === 0) return 0
  const memberDay = rates.boosts.filter((b) => b.kind === 'member-day').reduce((a, b) => a * b.factor, 1)
  if (memberDay === 1) return 0
  // the other multipliers' product; under the cap, which is the recorded multiplier when it bit (and above both when not)
  const others = rates.boosts.filter((b) => b.kind !== 'member-day').reduce((a, b) => a * b.factor, rates.tierMultiplier)
  const without = Math.min(others, rates.multiplier)
  const shares = orderEarning(
    order.lines.map((l) => l.paidFen),
    { pointsPerYuan: rates.pointsPerYuan, growthPerYuan: 0, multiplier: without },
  ).points
  const keptWithout = order.lines.reduce((sum, l, i) => sum + shares[i]! - reversedShare(shares[i]!, l.paidFen, l.refundedFen), 0)
  return Math.max(0, order.pointsLeft - keptWithout)
}

/** The day's purchases: orders of a known member whose net (paid less refunded) is above 0. */
export function purchasesOf(orders: PaidOrder[]): PaidOrder[] {
  return orders.filter((o) => o.memberId !== null && o.netFen > 0)
}

/** Sales and distinct buyers of some purchases. */
export function salesOf(purchases: PaidOrder[]): { salesFen: number; buyers: number; orders: number } {
  return {
    salesFen: purchases.reduce((a, o) => a + o.netFen, 0),
    buyers: new Set(purchases.map((o) => o.memberId!.toString())).size,
    orders: purchases.length,
  }
}

/**
 * An ordinary day: the mean sales (rounded to the fen) and mean distinct buyers (two decimals) per day over
 * `ordinaryDates` (the 28 days before the member day, member days excluded), from the purchases paid in that span.
 * No ordinary day in the span: zeros.
 */
export function ordinaryDayOf(purchases: PaidOrder[], ordinaryDates: string[]): { salesFen: number; buyers: number; meanFen: number } {
  if (ordinaryDates.length === 0) return { salesFen: 0, buyers: 0, meanFen: 0 }
  const dates = new Set(ordinaryDates)
  let salesFen = 0
  const buyersByDate = new Map<string, Set<string>>()
  for (const o of purchases) {
    const date = shanghaiDate(o.paidAt)
    if (!dates.has(date)) continue
    salesFen += o.netFen
    buyersByDate.set(date, (buyersByDate.get(date) ?? new Set()).add(o.memberId!.toString()))
  }
  const buyerDays = [...buyersByDate.values()].reduce((a, s) => a + s.size, 0)
  const meanFen = salesFen / ordinaryDates.length
  return { salesFen: Math.round(meanFen), buyers: Math.round((buyerDays / ordinaryDates.length) * 100) / 100, meanFen }
}

/** The member day's sales against an ordinary day's (two decimals), or null when ordinary days sold nothing. */
export function salesRatio(salesFen: number, ordinaryMeanFen: number): number | null {
  return ordinaryMeanFen > 0 ? Math.round((salesFen / ordinaryMeanFen) * 100) / 100 : null
}
