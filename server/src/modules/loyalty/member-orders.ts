import { shanghaiDayNumber } from '@member-center/shared'
import { Types } from 'mongoose'
import type { LoyaltyModels } from './models/index.js'
import { netOfOrder, statsOf, type PurchaseStats } from './purchase-stats.js'

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

/** A line the member received (delivered, or handed over in a store) and did not return in full: reviews read these. */
export interface ReceivedLine {
  orderId: string
  lineId: string
  sku: string
  name: string
  category: string | null
  paidFen: number
  paidAt: Date
  /** delivery, or the sale itself in a store */
  receivedAt: Date
  store: string | null
  channel: string | null
}

/** Why an order line cannot be reviewed: not the member's (or unknown), not received yet, cancelled or refunded in full. */
export type UnreviewableReason = 'not-found' | 'not-received' | 'returned'

interface OrderRead {
  _id: string
  memberId?: Types.ObjectId | null
  paid?: {
    at?: Date | null
    channel?: string | null
    store?: string | null
    lines?: { lineId?: string | null; sku?: string | null; name?: string | null; category?: string | null; paidFen?: number | null }[]
  } | null
  deliveredAt?: Date | null
  refunds?: { lines?: { lineId?: string | null; refundFen?: number | null }[] }[] | null
  cancelledAt?: Date | null
  lines?: { lineId?: string; earnedPoints?: number; earnApplied?: boolean; confirmed?: boolean }[] | null
}

const PAID_FIELDS = { memberId: 1, paid: 1, refunds: 1, cancelledAt: 1 } as const
const RECEIVED_FIELDS = { ...PAID_FIELDS, deliveredAt: 1 } as const

/** A payment that still counts as a purchase: when, and the fen still paid after refunds. */
export interface CountingPayment {
  at: Date
  netFen: number
}

function countingPaymentOf(doc: OrderRead): CountingPayment | null {
  const net = netOfOrder(doc as Parameters<typeof netOfOrder>[0])
  return net && net.netFen > 0 ? net : null
}

/** Fen refunded per line of an order. */
function refundedLines(doc: OrderRead): Map<string, number> {
  const refunded = new Map<string, number>()
  for (const refund of doc.refunds ?? []) for (const l of refund.lines ?? []) if (l.lineId) refunded.set(l.lineId, (refunded.get(l.lineId) ?? 0) + (l.refundFen ?? 0))
  return refunded
}

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

  /**
   * The lines of the member's latest received orders (at most `orders` of them), newest first: delivered, or sold in
   * a store (handed over at the sale); cancelled orders and lines refunded in full are left out.
   */
  async receivedLines(memberId: Types.ObjectId | string, orders = 30): Promise<ReceivedLine[]> {
    const docs = await this.models.Order.find(
      { memberId: new Types.ObjectId(memberId), paid: { $ne: null }, cancelledAt: null, $or: [{ deliveredAt: { $ne: null } }, { 'paid.channel': 'store' }] },
      RECEIVED_FIELDS,
    )
      .sort({ 'paid.at': -1 })
      .limit(orders)
      .lean<OrderRead[]>()
    return docs.flatMap((doc) => receivedLinesOf(doc))
  }

  /** A received order's member and lines (none: not found, not received, cancelled, or every line refunded). */
  async receivedOrder(orderId: string): Promise<{ memberId: Types.ObjectId; lines: ReceivedLine[] } | null> {
    const doc = await this.models.Order.findById(orderId, RECEIVED_FIELDS).lean<OrderRead>()
    if (!doc?.memberId || !doc.paid || doc.cancelledAt || (!doc.deliveredAt && doc.paid.channel !== 'store')) return null
    const lines = receivedLinesOf(doc)
    return lines.length > 0 ? { memberId: doc.memberId, lines } : null
  }

  /**
   * Received orders (delivered since `receivedSince`, or sold in a store since then) paid in [from, to), a page at a
   * time in id order after `after`: a new review campaign invites the recent buyers of its window.
   */
  async receivedPaidBetween(
    window: { from: Date; to: Date; receivedSince: Date },
    after: string | null,
    limit: number,
  ): Promise<{ orderId: string; memberId: Types.ObjectId; lines: ReceivedLine[] }[]> {
    const docs = await this.models.Order.find(
      {
        'paid.at': { $gte: window.from, $lt: window.to },
        memberId: { $ne: null },
        cancelledAt: null,
        $or: [{ deliveredAt: { $gte: window.receivedSince } }, { 'paid.channel': 'store', 'paid.at': { $gte: window.receivedSince } }],
        ...(after !== null ? { _id: { $gt: after } } : {}),
      },
      RECEIVED_FIELDS,
    )
      .sort({ _id: 1 })
      .limit(limit)
      .lean<OrderRead[]>()
    return docs.map((doc) => ({ orderId: doc._id, memberId: doc.memberId!, lines: receivedLinesOf(doc) }))
  }

  /** One line of the member's, if they can review it, or why not (another member's order reads as not found). */
  async receivedLine(memberId: Types.ObjectId | string, orderId: string, lineId: string): Promise<ReceivedLine | UnreviewableReason> {
    const doc = await this.models.Order.findById(orderId, RECEIVED_FIELDS).lean<OrderRead>()
    if (!doc || !doc.memberId || !doc.memberId.equals(new Types.ObjectId(memberId)) || !doc.paid) return 'not-found'
    if (!(doc.paid.lines ?? []).some((l) => l.lineId === lineId)) return 'not-found'
    if (doc.cancelledAt) return 'returned'
    if (!doc.deliveredAt && doc.paid.channel !== 'store') return 'not-received'
    return receivedLinesOf(doc).find((l) => l.lineId === lineId) ?? 'returned'
  }

  /**
   * The member's purchase statistics read from their orders now (purchase days, first and last counting payment):
   * the same figures loyalty keeps on the member, without waiting for its event consumer.
   */
  async purchaseStats(memberId: Types.ObjectId | string): Promise<PurchaseStats & { firstStore: string | null; payments: CountingPayment[] }> {
    const docs = await this.models.Order.find({ memberId: new Types.ObjectId(memberId), paid: { $ne: null } }, PAID_FIELDS).lean<OrderRead[]>()
    // the store of the first in-store payment: the home store loyalty sets (its consumer may not have run yet)
    const inStore = docs.filter((d) => d.paid?.channel === 'store' && d.paid.at && d.paid.store).sort((a, b) => a.paid!.at!.getTime() - b.paid!.at!.getTime())
    const payments = docs.map((d) => countingPaymentOf(d)).filter((p): p is CountingPayment => p !== null)
    return { ...statsOf(docs as Parameters<typeof statsOf>[0]), firstStore: inStore[0]?.paid?.store ?? null, payments }
  }

  /**
   * The counting payments (not cancelled, not fully refunded, not zero-value) of these members paid in [from, to),
   * with what each still counts for: an outreach's results read its members' purchases in their attribution windows.
   */
  async countingPaymentsBetween(memberIds: Types.ObjectId[], from: Date, to: Date): Promise<(CountingPayment & { memberId: string })[]> {
    if (memberIds.length === 0) return []
    const docs = await this.models.Order.find({ memberId: { $in: memberIds }, 'paid.at': { $gte: from, $lt: to }, cancelledAt: null }, PAID_FIELDS).lean<OrderRead[]>()
    return docs.flatMap((d) => {
      const payment = countingPaymentOf(d)
      return payment && d.memberId ? [{ ...payment, memberId: d.memberId.toString() }] : []
    })
  }

  /**
   * The members who bought one of these SKUs or categories in an order paid since `since` that still counts, each
   * once (segments: "bought …").
   */
  async buyersOf(products: { skus: string[]; categories: string[] }, since: Date): Promise<Set<string>> {
    const or: Record<string, unknown>[] = []
    if (products.skus.length > 0) or.push({ 'paid.lines.sku': { $in: products.skus } })
    if (products.categories.length > 0) or.push({ 'paid.lines.category': { $in: products.categories } })
    if (or.length === 0) return new Set()
    const docs = await this.models.Order.find({ 'paid.at': { $gte: since }, memberId: { $ne: null }, cancelledAt: null, $or: or }, PAID_FIELDS).lean<OrderRead[]>()
    const buyers = new Set<string>()
    for (const doc of docs) {
      const skus = new Set(products.skus)
      const categories = new Set(products.categories)
      const refunded = refundedLines(doc)
      const bought = (doc.paid?.lines ?? []).some(
        (l) => (skus.has(l.sku ?? '') || categories.has(l.category ?? '')) && (l.paidFen ?? 0) > (refunded.get(l.lineId ?? '') ?? 0),
      )
      if (bought) buyers.add(doc.memberId!.toString())
    }
    return buyers
  }

  /**
   * Every counting payment (not cancelled, not refunded in full, not zero-value) of every member's orders — paid
   * before `before` and in `store` when given — in one streaming pass (lifecycle stages rebuilt and reconciled, the
   * lifecycle report and the KPI report: one read of the orders for all members).
   */
  async eachCountingPayment(handle: (payment: CountingPayment & { memberId: string }) => void, where: { before?: Date; store?: string | null } = {}): Promise<void> {
    const query: Record<string, unknown> = { paid: { $ne: null }, memberId: { $ne: null }, cancelledAt: null }
    if (where.before) query['paid.at'] = { $lt: where.before }
    if (where.store) query['paid.store'] = where.store
    const projection = { memberId: 1, 'paid.at': 1, 'paid.lines.lineId': 1, 'paid.lines.paidFen': 1, 'refunds.lines': 1, cancelledAt: 1 }
    for await (const doc of this.models.Order.find(query, projection).lean<OrderRead>().cursor({ batchSize: 5_000 })) {
      const payment = countingPaymentOf(doc)
      if (payment && doc.memberId) handle({ ...payment, memberId: doc.memberId.toString() })
    }
  }


  /**
   * The members (of `memberIds`, or all) with at least `min` orders refunded in full or cancelled after payment,
   * paid since `since` (outreach leaves serial refunders out).
   */
  async serialRefunders(since: Date, min: number, memberIds?: Types.ObjectId[]): Promise<Set<string>> {
    const docs = await this.models.Order.find(
      { 'paid.at': { $gte: since }, memberId: memberIds ? { $in: memberIds } : { $ne: null }, $or: [{ cancelledAt: { $ne: null } }, { 'refunds.0': { $exists: true } }] },
      PAID_FIELDS,
    ).lean<OrderRead[]>()
    const counts = new Map<string, number>()
    for (const doc of docs) {
      const net = netOfOrder(doc as Parameters<typeof netOfOrder>[0])
      if (!net || net.netFen > 0 || !doc.memberId) continue
      const id = doc.memberId.toString()
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    return new Set([...counts].filter(([, n]) => n >= min).map(([id]) => id))
  }

  /** The members of these orders (those known), each once. */
  async membersOf(orderIds: string[]): Promise<Types.ObjectId[]> {
    const docs = await this.models.Order.find({ _id: { $in: orderIds }, memberId: { $ne: null } }, { memberId: 1 }).lean<OrderRead[]>()
    const members = new Map(docs.map((d) => [d.memberId!.toString(), d.memberId!]))
    return [...members.values()]
  }

  /**
   * Every member's purchase days paid before `before` (optionally only the orders paid in `store`): per member, the
   * ascending distinct Shanghai day numbers (shanghaiDayNumber) of their payments that still count — not cancelled,
   * not fully refunded, not zero-value (netOfOrder, as purchaseStats counts them); orders paid the same Shanghai day
   * are one day. Points-mall gift orders are never here (the mall keeps them; they carry no payment). ONE streaming
   * pass over the orders, projected and lean (the KPI report, issue 14): memory is a small int array per buyer.
   */
  async purchaseDaysBefore(before: Date, store: string | null = null): Promise<Map<string, number[]>> {
    const byMember = new Map<string, number[]>()
    await this.eachCountingPayment(
      (p) => {
        const day = shanghaiDayNumber(p.at)
        const days = byMember.get(p.memberId)
        if (!days) byMember.set(p.memberId, [day])
        else if (!days.includes(day)) days.push(day)
      },
      { before, store },
    )
    for (const days of byMember.values()) if (days.length > 1) days.sort((a, b) => a - b)
    return byMember
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

/** An order's received lines (each line id once), less those refunded in full. */
function receivedLinesOf(doc: OrderRead): ReceivedLine[] {
  const paid = doc.paid
  if (!paid?.at) return []
  const refunded = new Map<string, number>()
  for (const refund of doc.refunds ?? []) {
    for (const l of refund.lines ?? []) if (l.lineId) refunded.set(l.lineId, (refunded.get(l.lineId) ?? 0) + (l.refundFen ?? 0))
  }
  const seen = new Set<string>()
  const lines: ReceivedLine[] = []
  for (const l of paid.lines ?? []) {
    if (l.lineId == null || seen.has(l.lineId)) continue
    seen.add(l.lineId)
    const paidFen = l.paidFen ?? 0
    if (paidFen > 0 && (refunded.get(l.lineId) ?? 0) >= paidFen) continue
    lines.push({
      orderId: doc._id,
      lineId: l.lineId,
      sku: l.sku ?? '',
      name: l.name ?? '',
      category: l.category ?? null,
      paidFen,
      paidAt: paid.at,
      receivedAt: doc.deliveredAt ?? paid.at,
      store: paid.store ?? null,
      channel: paid.channel ?? null,
    })
  }
  return lines
}
