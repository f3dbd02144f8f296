import type { Types } from 'mongoose'
import type { LoyaltyModels } from './models/index.js'
import type { EarningBoost } from './orders.js'
import { netOfOrder } from './purchase-stats.js'

/** One order line as settled: what it paid, what its refunds took, and the points it earned and still stands for. */
export interface PaidLine {
  lineId: string
  paidFen: number
  /** refunded so far, as settlement applied it */
  refundedFen: number
  earnedPoints: number
  pointsLeft: number
}

/** The earning rates fixed on an order at its first settlement (null until it is settled: member not known yet). */
export interface PaidRates {
  pointsPerYuan: number
  tierMultiplier: number
  /** tier × boosts, capped by the policy: what the points were computed with */
  multiplier: number
  boosts: EarningBoost[]
}

/** A paid order, as sales reports read it. */
export interface PaidOrder {
  orderId: string
  memberId: Types.ObjectId | null
  paidAt: Date
  channel: string | null
  /** the order's paid lines added up */
  paidFen: number
  /** paid less refunded (0 once cancelled): the order is a purchase when this is above 0 */
  netFen: number
  rates: PaidRates | null
  /** the settled lines (empty until the order is settled) */
  lines: PaidLine[]
  /** Σ lines' earnedPoints and pointsLeft */
  earnedPoints: number
  pointsLeft: number
  /** carried over from another system (npm run import) */
  migrated: boolean
}

interface OrderRead {
  _id: string
  memberId?: Types.ObjectId | null
  paid?: { at?: Date | null; channel?: string | null; lines?: { lineId?: string | null; paidFen?: number | null }[] } | null
  refunds?: { lines?: { lineId?: string | null; refundFen?: number | null }[] }[] | null
  cancelledAt?: Date | null
  migrated?: unknown
  rates?: { pointsPerYuan?: number; tierMultiplier?: number; memberDayMultiplier?: number; multiplier?: number; boosts?: EarningBoost[] } | null
  lines?: { lineId?: string; paidFen?: number; refundedFen?: number; earnedPoints?: number; pointsLeft?: number }[] | null
}

/**
 * Reads of paid orders for reports (the member day's results, sales against an ordinary day): loyalty's orders are
 * the shop's purchases (gift orders of the points mall are not among them). A purchase is an order whose net (paid
 * less refunded) is above 0 — zero-value, fully refunded and cancelled orders are read with netFen 0.
 */
export class SalesReader {
  constructor(private readonly models: LoyaltyModels) {}

  /** The orders paid in [from, to), oldest payment first. */
  async paidBetween(from: Date, to: Date): Promise<PaidOrder[]> {
    const docs = await this.models.Order.find(
      { 'paid.at': { $gte: from, $lt: to } },
      { memberId: 1, paid: 1, refunds: 1, cancelledAt: 1, migrated: 1, rates: 1, lines: 1 },
    ).lean<OrderRead[]>()
    return docs.map(paidOrder).sort((a, b) => a.paidAt.getTime() - b.paidAt.getTime() || a.orderId.localeCompare(b.orderId))
  }
}

function paidOrder(doc: OrderRead): PaidOrder {
  const net = netOfOrder(doc as Parameters<typeof netOfOrder>[0])!
  const seen = new Set<string>()
  let paidFen = 0
  for (const l of doc.paid?.lines ?? []) {
    if (l.lineId == null || seen.has(l.lineId)) continue
    seen.add(l.lineId)
    paidFen += l.paidFen ?? 0
  }
  const lines: PaidLine[] = (doc.lines ?? []).map((l) => ({
    lineId: l.lineId ?? '',
    paidFen: l.paidFen ?? 0,
    refundedFen: l.refundedFen ?? 0,
    earnedPoints: l.earnedPoints ?? 0,
    pointsLeft: l.pointsLeft ?? 0,
  }))
  const r = doc.rates
  const rates: PaidRates | null = r
    ? {
        pointsPerYuan: r.pointsPerYuan ?? 1,
        tierMultiplier: r.tierMultiplier ?? 1,
        // orders settled before the combined multiplier was recorded: the uncapped product (as settlement reads it)
        multiplier: r.multiplier ?? (r.tierMultiplier ?? 1) * (r.memberDayMultiplier ?? 1),
        boosts: (r.boosts ?? []).map((b) => ({ kind: b.kind, factor: b.factor, label: b.label })),
      }
    : null
  return {
    orderId: doc._id,
    memberId: doc.memberId ?? null,
    paidAt: net.at,
    channel: doc.paid?.channel ?? null,
    paidFen,
    netFen: net.netFen,
    rates,
    lines,
    earnedPoints: lines.reduce((a, l) => a + l.earnedPoints, 0),
    pointsLeft: lines.reduce((a, l) => a + l.pointsLeft, 0),
    migrated: Boolean(doc.migrated),
  }
}
