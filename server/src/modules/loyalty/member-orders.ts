import { Types } from 'mongoose'
import type { LoyaltyModels } from './models/index.js'
import { netOfOrder } from './purchase-stats.js'

/** A paid order as the staff counter shows it. */
export interface MemberOrder {
  orderId: string
  paidAt: Date
  /** what the order's lines paid */
  paidFen: number
  /** paid less refunded (0 once cancelled) */
  netFen: number
  channel: string | null
  store: string | null
  lines: { name: string; paidFen: number }[]
}

/** A shipped order not delivered, with what the shop reported of its parcel. */
export interface Shipment {
  orderId: string
  memberId: Types.ObjectId | null
  /** the store of the sale (online orders: the shop's, often `online`) */
  store: string | null
  shippedAt: Date
  carrier: string | null
  trackingNo: string | null
  logistics: { at: Date; status: string; description: string | null }[]
}

interface OrderRead {
  _id: string
  memberId?: Types.ObjectId | null
  paid?: { at?: Date | null; channel?: string | null; store?: string | null; lines?: { lineId?: string | null; name?: string | null; paidFen?: number | null }[] } | null
  refunds?: { lines?: { lineId?: string | null; refundFen?: number | null }[] }[] | null
  cancelledAt?: Date | null
  lines?: { lineId?: string; earnedPoints?: number; earnApplied?: boolean; confirmed?: boolean }[] | null
}

const PAID_FIELDS = { memberId: 1, paid: 1, refunds: 1, cancelledAt: 1 } as const

/** The most lines of one order the counter shows. */
const MAX_LINES_SHOWN = 20

/**
 * Reads of orders for the staff counter: a member's recent orders, the points a sale earned, the members who bought
 * in a store in a period, shipments not yet delivered. Loyalty's orders are the shop's purchases (in-store sales
 * recorded at the counter among them).
 */
export class MemberOrders {
  constructor(private readonly models: LoyaltyModels) {}

  /** The member's paid orders, newest payment first. */
  async recent(memberId: Types.ObjectId | string, limit = 10): Promise<MemberOrder[]> {
    const docs = await this.models.Order.find({ memberId: new Types.ObjectId(memberId), paid: { $ne: null } }, PAID_FIELDS)
      .sort({ 'paid.at': -1 })
      .limit(limit)
      .lean<OrderRead[]>()
    return docs.flatMap((doc) => {
      const net = netOfOrder(doc as Parameters<typeof netOfOrder>[0])
      if (!net) return []
      const lines = uniqueLines(doc)
      return [
        {
          orderId: doc._id,
          paidAt: net.at,
          paidFen: lines.reduce((sum, l) => sum + l.paidFen, 0),
          netFen: net.netFen,
          channel: doc.paid?.channel ?? null,
          store: doc.paid?.store ?? null,
          lines: lines.slice(0, MAX_LINES_SHOWN).map((l) => ({ name: l.name, paidFen: l.paidFen })),
        },
      ]
    })
  }

  /** The points an order's settled lines earned: available once confirmed (at once in a store), pending before. */
  async pointsOf(orderId: string): Promise<{ pending: number; available: number }> {
    const doc = await this.models.Order.findById(orderId, { lines: 1 }).lean<Pick<OrderRead, 'lines'>>()
    const points = { pending: 0, available: 0 }
    for (const line of doc?.lines ?? []) {
      if (!line.earnApplied) continue
      if (line.confirmed) points.available += line.earnedPoints ?? 0
      else points.pending += line.earnedPoints ?? 0
    }
    return points
  }

  /**
   * The members with an in-store sale in `store` paid in [from, to) that still counts (not cancelled, not fully
   * refunded, not zero-value), with their latest such sale there.
   */
  async storeBuyers(store: string, from: Date, to: Date): Promise<Map<string, Date>> {
    const docs = await this.models.Order.find({ 'paid.channel': 'store', 'paid.store': store, 'paid.at': { $gte: from, $lt: to }, memberId: { $ne: null } }, PAID_FIELDS).lean<OrderRead[]>()
    const buyers = new Map<string, Date>()
    for (const doc of docs) {
      const net = netOfOrder(doc as Parameters<typeof netOfOrder>[0])
      if (!net || net.netFen <= 0 || !doc.memberId) continue
      const id = doc.memberId.toString()
      const seen = buyers.get(id)
      if (!seen || seen < net.at) buyers.set(id, net.at)
    }
    return buyers
  }

  /** Orders shipped since `since`, not delivered nor cancelled, with their logistics reports. */
  async undelivered(since: Date): Promise<Shipment[]> {
    const docs = await this.models.Order.find(
      { 'shipped.at': { $gte: since }, deliveredAt: null, cancelledAt: null },
      { memberId: 1, 'paid.store': 1, 'created.store': 1, shipped: 1, logistics: 1 },
    ).lean<(OrderRead & { created?: { store?: string | null } | null; shipped?: { at?: Date; carrier?: string; trackingNo?: string } | null; logistics?: { at?: Date; status?: string; description?: string | null }[] })[]>()
    return docs
      .filter((d) => d.shipped?.at)
      .map((d) => ({
        orderId: d._id,
        memberId: d.memberId ?? null,
        store: d.paid?.store ?? d.created?.store ?? null,
        shippedAt: d.shipped!.at!,
        carrier: d.shipped?.carrier ?? null,
        trackingNo: d.shipped?.trackingNo ?? null,
        logistics: (d.logistics ?? [])
          .filter((l) => l.at && l.status)
          .map((l) => ({ at: l.at!, status: l.status!, description: l.description ?? null }))
          .sort((a, b) => a.at.getTime() - b.at.getTime()),
      }))
  }
}

/** The order's paid lines, each line id once (the first report of it), as settlement counts them. */
function uniqueLines(doc: OrderRead): { name: string; paidFen: number }[] {
  const seen = new Set<string>()
  const lines: { name: string; paidFen: number }[] = []
  for (const l of doc.paid?.lines ?? []) {
    if (l.lineId == null || seen.has(l.lineId)) continue
    seen.add(l.lineId)
    lines.push({ name: l.name ?? '', paidFen: l.paidFen ?? 0 })
  }
  return lines
}
