import { shanghaiDate } from '@member-center/shared'
import type { Types } from 'mongoose'
import type { DomainEvent } from '../../core/events/index.js'
import type { LoyaltyModels } from './models/index.js'

/** The domain events that change a member's purchases. */
export const PURCHASE_EVENT_TYPES = ['order.paid', 'order.refunded', 'order.cancelled']

/** A member's purchase statistics, derived from their orders. */
export interface PurchaseStats {
  /** the first and the last payment of an order that still counts (not cancelled, not fully refunded, not zero) */
  firstAt: Date | null
  lastAt: Date | null
  /** distinct Asia/Shanghai days with such a payment */
  days: number
  /** paid less refunded, over all orders not cancelled */
  totalPaidFen: number
}

/** Where the member's statistics, home store and advisor are kept (the members module's service). */
export interface PurchaseStatsWriter {
  /** `asOf`: the latest change of the orders the figures come from (an older recomputation never wins) */
  setPurchaseStats(memberId: Types.ObjectId, stats: PurchaseStats & { asOf: Date }): Promise<void>
  /** sets the home store and advisor where the member has none yet */
  setHomeStore(memberId: Types.ObjectId, fields: { homeStore?: string | null; advisor?: string | null }): Promise<void>
}

interface OrderFacts {
  memberId?: Types.ObjectId | null
  paid?: { at?: Date | null; channel?: string | null; store?: string | null; advisor?: string | null; lines?: { lineId?: string | null; paidFen?: number | null }[] } | null
  refunds?: { lines?: { lineId?: string | null; refundFen?: number | null }[] }[] | null
  cancelledAt?: Date | null
  updatedAt?: Date | null
}

/** What one paid order counts for: its payment time, and the fen still paid after refunds (0 once cancelled). */
export function netOfOrder(order: OrderFacts): { at: Date; netFen: number } | null {
  const paid = order.paid
  if (!paid?.at) return null
  const lines = new Map<string, number>()
  for (const l of paid.lines ?? []) if (l.lineId != null && !lines.has(l.lineId)) lines.set(l.lineId, l.paidFen ?? 0)
  if (order.cancelledAt) return { at: paid.at, netFen: 0 }
  const refunded = new Map<string, number>()
  for (const refund of order.refunds ?? []) {
    for (const l of refund.lines ?? []) if (l.lineId != null && lines.has(l.lineId)) refunded.set(l.lineId, (refunded.get(l.lineId) ?? 0) + (l.refundFen ?? 0))
  }
  let netFen = 0
  for (const [lineId, fen] of lines) netFen += Math.max(0, fen - (refunded.get(lineId) ?? 0))
  return { at: paid.at, netFen }
}

/** A member's statistics from all their orders (the same answer whatever order the facts arrived in). */
export function statsOf(orders: OrderFacts[]): PurchaseStats {
  let firstAt: Date | null = null
  let lastAt: Date | null = null
  let totalPaidFen = 0
  const days = new Set<string>()
  for (const order of orders) {
    const net = netOfOrder(order)
    if (!net) continue
    totalPaidFen += net.netFen
    if (net.netFen <= 0) continue
    if (!firstAt || net.at < firstAt) firstAt = net.at
    if (!lastAt || net.at > lastAt) lastAt = net.at
    days.add(shanghaiDate(net.at))
  }
  return { firstAt, lastAt, days: days.size, totalPaidFen }
}

/**
 * Keeps each member's purchase statistics and home store up to date: on every payment, refund and cancellation
 * (domain events) the member's statistics are recomputed from their orders, so a replay, a late or a repeated event
 * leaves the same figures. The home store is the store of the member's first in-store payment (channel `store`),
 * set once; the advisor comes with an in-store payment that names one, also set once (staff may change both).
 */
export class PurchaseStatsService {
  constructor(
    private readonly models: LoyaltyModels,
    private readonly members: PurchaseStatsWriter,
  ) {}

  /** The consumer of order.paid, order.refunded and order.cancelled. */
  async onOrderEvent(event: DomainEvent): Promise<void> {
    const orderId = (event.payload as { orderId?: string }).orderId
    const order = orderId ? await this.models.Order.findById(orderId, { memberId: 1 }).lean() : null
    const memberId = event.memberId ?? order?.memberId ?? null
    // an order whose member is not known yet: counted when it is adopted (recomputeOrders)
    if (!memberId) return
    const payload = event.payload as { channel?: string | null; store?: string | null; advisor?: string | null }
    if (event.type === 'order.paid' && payload.channel === 'store' && (payload.store || payload.advisor)) {
      await this.members.setHomeStore(memberId, { homeStore: payload.store ?? null, advisor: payload.advisor ?? null })
    }
    await this.recompute(memberId)
  }

  /** Recomputes the members of these orders (orders adopted by a member who appeared). */
  async recomputeOrders(orderIds: string[]): Promise<void> {
    const orders = await this.models.Order.find({ _id: { $in: orderIds } }, { memberId: 1 }).lean()
    const members = new Map(orders.filter((o) => o.memberId).map((o) => [o.memberId!.toString(), o.memberId!]))
    for (const memberId of members.values()) await this.recompute(memberId)
  }

  /** Recomputes one member's statistics from their orders, and their home store if they have none. */
  async recompute(memberId: Types.ObjectId): Promise<PurchaseStats> {
    const orders = (await this.models.Order.find({ memberId, paid: { $ne: null } }, { memberId: 1, paid: 1, refunds: 1, cancelledAt: 1, updatedAt: 1 }).lean()) as OrderFacts[]
    const stats = statsOf(orders)
    const asOf = new Date(Math.max(0, ...orders.map((o) => o.updatedAt?.getTime() ?? 0)))
    const inStore = orders.filter((o) => o.paid?.channel === 'store' && o.paid.at).sort((a, b) => a.paid!.at!.getTime() - b.paid!.at!.getTime())
    const homeStore = inStore.find((o) => o.paid!.store)?.paid!.store ?? null
    const advisor = inStore.find((o) => o.paid!.advisor)?.paid!.advisor ?? null
    if (homeStore || advisor) await this.members.setHomeStore(memberId, { homeStore, advisor })
    await this.members.setPurchaseStats(memberId, { ...stats, asOf })
    return stats
  }
}
