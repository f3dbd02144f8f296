import { shanghaiMonth } from '@member-center/shared'
import type { CouponModels } from './models.js'

/** Coupons issued and used in a period, in total and by Shanghai month. */
export interface CouponPeriodStats {
  issued: number
  used: number
  /** YYYY-MM (Shanghai) → counts; only the months with one */
  byMonth: Map<string, { issued: number; used: number }>
}

/**
 * Counts for reports (the KPI report, issue 14). Issued: coupons whose issue completed (not pending, not voided
 * before use) with issuedAt in [from, to); used: coupons in state used with usedAt in [from, to) — a coupon handed
 * back by a full refund is usable again and no longer counts as used. Counted in code over two projected, lean
 * cursors (FerretDB 1.24 sums several accumulators unreliably), each served by its index (models.ts).
 */
export class CouponStats {
  constructor(private readonly models: CouponModels) {}

  /** `members`: only these members' coupons (a store's members), or every coupon with null. */
  async between(from: Date, to: Date, members: ReadonlySet<string> | null = null): Promise<CouponPeriodStats> {
    const stats: CouponPeriodStats = { issued: 0, used: 0, byMonth: new Map() }
    const month = (at: Date) => {
      const key = shanghaiMonth(at)
      let m = stats.byMonth.get(key)
      if (!m) stats.byMonth.set(key, (m = { issued: 0, used: 0 }))
      return m
    }
    const issued = this.models.Coupon.find({ issuedAt: { $gte: from, $lt: to }, state: { $nin: ['pending', 'void'] } }, { memberId: 1, issuedAt: 1 })
    for await (const c of issued.lean().cursor({ batchSize: 5_000 })) {
      if (members && !members.has(c.memberId.toString())) continue
      stats.issued++
      month(c.issuedAt).issued++
    }
    const used = this.models.Coupon.find({ usedAt: { $gte: from, $lt: to }, state: 'used' }, { memberId: 1, usedAt: 1 })
    for await (const c of used.lean().cursor({ batchSize: 5_000 })) {
      if (!c.usedAt || (members && !members.has(c.memberId.toString()))) continue
      stats.used++
      month(c.usedAt).used++
    }
    return stats
  }
}
