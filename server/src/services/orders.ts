import {
  addGrowth,
  cancelPending,
  combine,
  credit,
  debit,
  earnPending,
  growthForLine,
  pointsForLine,
  addDays,
  type Balances,
  type Change,
  type LoyaltyPolicy,
} from '@member-center/shared'
import { randomBytes } from 'node:crypto'
import { Types } from 'mongoose'
import type { JobRunner } from '../jobs/runner.js'
import type { Models } from '../models/index.js'
import type { Order } from '../models/shop.js'
import type { MemberRepository } from '../repositories/members.js'
import type { LedgerService } from './ledger.js'
import type { PolicyStore } from './policy-store.js'
import type { TierTable } from './tier-table.js'

export const CONFIRM_JOB = 'order.confirm-points'

interface LineState {
  lineId: string
  paidFen: number
  earnedPoints: number
  earnedGrowth: number
  pointsLeft: number
  growthLeft: number
  refundedFen: number
  appliedRefunds: string[]
  earnApplied: boolean
  confirmed: boolean
  growthCounted: boolean
}

interface Rates {
  pointsPerYuan: number
  growthPerYuan: number
  tierMultiplier: number
  memberDayMultiplier: number
}

type OrderDoc = Order & { rates?: Rates | null; lines: LineState[] }

type Release = (fields?: Record<string, unknown>) => Promise<void>

export type SettleResult = 'settled' | 'parked' | 'waiting' | 'missing'

export interface OrderServiceDeps {
  models: Models
  members: MemberRepository
  ledger: LedgerService
  policies: PolicyStore
  tiers: TierTable
  jobs: JobRunner
  now: () => Date
  /** the member-day multiplier for a payment time (1 until member days exist) */
  memberDayMultiplier?: (paidAt: Date) => number
}

/**
 * Settles orders: derives the ledger changes an order's facts call for — earn (pending), refunds (exactly what each
 * line earned, from pending or available), confirmation when the return window closes — and applies the ones not yet
 * applied. Settlement of one order is serialised by a lease on the order document, so concurrent events for the same
 * order (or the confirmation job) never compute from the same stale line state.
 */
export class OrderService {
  constructor(private readonly deps: OrderServiceDeps) {}

  /** Settles what the order's facts call for now. */
  async settle(orderId: string): Promise<SettleResult> {
    return this.withLease(orderId, (order, release) => this.settleLocked(order, release))
  }

  /** The confirmation job: moves pending points to available once the return window has closed. */
  async confirm(orderId: string): Promise<{ rescheduleAt: Date } | void> {
    const outcome = await this.withLease(orderId, async (order, release) => {
      if (!order.memberId || !order.paid) return 'waiting' as const
      const now = this.deps.now()
      const policy = await this.deps.policies.current()
      const confirmAt = this.confirmAt(order, policy)
      if (confirmAt.getTime() > now.getTime()) return confirmAt
      const lines = [...((order.lines ?? []) as LineState[])]
      for (let i = 0; i < lines.length; i++) {
        const st = lines[i]!
        if (st.confirmed || !st.earnApplied) continue
        const countGrowth = !st.growthCounted && st.growthLeft > 0
        await this.deps.ledger.apply(order.memberId, {
          key: `order:${order.orderId}:line:${st.lineId}:confirm`,
          reason: 'confirm',
          at: now,
          source: { orderId: order.orderId, lineId: st.lineId },
          compute: (b) =>
            combine(b, (x) => credit(x, st.pointsLeft, now, policy, true), ...(countGrowth ? [(x: Balances) => addGrowth(x, st.growthLeft, now)] : [])),
          events: (c) => [{ type: 'points.confirmed', payload: { orderId: order.orderId, lineId: st.lineId, points: st.pointsLeft, debtRepaid: c.debtRepaid } }],
        })
        lines[i] = { ...st, confirmed: true, growthCounted: st.growthCounted || countGrowth }
      }
      await release({ lines })
      return 'done' as const
    })
    if (outcome instanceof Date) return { rescheduleAt: outcome }
  }

  /** Orders parked for a member who has now appeared (logged in, bound a phone): attach and settle them. */
  async adopt(memberId: Types.ObjectId, refKeys: string[]): Promise<number> {
    const parked = await this.deps.models.Order.find({ memberId: null, memberRef: { $in: refKeys } }, { orderId: 1 }).lean()
    for (const { orderId } of parked) {
      await this.deps.models.Order.updateOne({ _id: orderId, memberId: null }, { $set: { memberId } })
      await this.settle(orderId)
      await this.deps.models.ShopEvent.updateMany({ orderId, state: 'parked' }, { $set: { state: 'applied' } })
    }
    return parked.length
  }

  private async settleLocked(order: OrderDoc, release: Release): Promise<SettleResult> {
    // refunds, shipments and deliveries can arrive before the payment: nothing to settle until it does
    if (!order.paid) return 'waiting'
    let memberId = order.memberId
    if (!memberId && order.memberRef) memberId = (await this.deps.members.findByRefKey(order.memberRef))?._id ?? null
    if (!memberId) return 'parked'
    const member = await this.deps.members.findById(memberId.toString())
    if (!member) return 'parked'

    const policy = await this.deps.policies.current()
    const rates: Rates = order.rates ?? {
      pointsPerYuan: policy.pointsPerYuan,
      growthPerYuan: policy.growthPerYuan,
      tierMultiplier: (await this.deps.tiers.current()).find((t) => t.level === member.tierLevel)?.pointsMultiplier ?? 1,
      memberDayMultiplier: this.deps.memberDayMultiplier?.(order.paid.at as Date) ?? 1,
    }
    const states = new Map(((order.lines ?? []) as LineState[]).map((l) => [l.lineId, l]))
    const refunds = canonicalRefunds(order)
    const paidAt = order.paid.at as Date
    const lines: LineState[] = []

    for (const line of order.paid.lines as { lineId: string; paidFen: number }[]) {
      const points = (fen: number) => pointsForLine(fen, rates, rates.tierMultiplier, rates.memberDayMultiplier)
      const growth = (fen: number) => growthForLine(fen, rates)
      let st: LineState = states.get(line.lineId) ?? {
        lineId: line.lineId,
        paidFen: line.paidFen,
        earnedPoints: points(line.paidFen),
        earnedGrowth: growth(line.paidFen),
        pointsLeft: points(line.paidFen),
        growthLeft: growth(line.paidFen),
        refundedFen: 0,
        appliedRefunds: [],
        earnApplied: false,
        confirmed: false,
        growthCounted: false,
      }
      const source = { orderId: order.orderId, lineId: line.lineId }

      if (!st.earnApplied) {
        const atPayment = policy.growthCountsAt === 'payment'
        const s = st
        await this.deps.ledger.apply(memberId, {
          key: `order:${order.orderId}:line:${line.lineId}:earn`,
          reason: 'purchase',
          at: paidAt,
          source,
          compute: (b) => combine(b, (x) => earnPending(x, s.earnedPoints), ...(atPayment ? [(x: Balances) => addGrowth(x, s.earnedGrowth, paidAt)] : [])),
        })
        st = { ...st, earnApplied: true, growthCounted: atPayment }
      }

      for (const refund of refunds) {
        const refundLine = refund.lines.find((l) => l.lineId === line.lineId)
        if (!refundLine || st.appliedRefunds.includes(refund.refundId)) continue
        const refundedFen = Math.min(st.paidFen, st.refundedFen + refundLine.refundFen)
        const pointsLeft = points(st.paidFen - refundedFen)
        const growthLeft = growth(st.paidFen - refundedFen)
        const reversePoints = st.pointsLeft - pointsLeft
        const reverseGrowth = st.growthCounted ? st.growthLeft - growthLeft : 0
        const s = st
        await this.deps.ledger.apply(memberId, {
          key: `order:${order.orderId}:line:${line.lineId}:refund:${refund.refundId}`,
          reason: 'refund',
          at: refund.at,
          source: { ...source, refundId: refund.refundId },
          compute: (b): Change =>
            combine(
              b,
              (x) => (s.confirmed ? debit(x, reversePoints, 'reverse', policy) : cancelPending(x, reversePoints)),
              ...(reverseGrowth > 0 ? [(x: Balances) => addGrowth(x, -reverseGrowth, refund.at)] : []),
            ),
        })
        st = { ...st, refundedFen, pointsLeft, growthLeft, appliedRefunds: [...st.appliedRefunds, refund.refundId] }
      }
      lines.push(st)
    }

    const confirmAt = this.confirmAt(order, policy)
    await release({ lines, memberId, rates, confirmAt })
    if (lines.some((l) => !l.confirmed)) {
      await this.deps.jobs.schedule(`${CONFIRM_JOB}:${order.orderId}`, CONFIRM_JOB, { orderId: order.orderId }, confirmAt, { move: true })
    }
    return 'settled'
  }

  /** The return window closes `returnWindowDays` after delivery, or `maxPendingDays` after payment without one. */
  private confirmAt(order: OrderDoc, policy: LoyaltyPolicy): Date {
    if (order.deliveredAt) return addDays(order.deliveredAt as Date, policy.returnWindowDays)
    return addDays(order.paid!.at as Date, policy.maxPendingDays)
  }

  /**
   * Runs `fn` holding the order's lease (30 s, renewed by nobody: settling an order takes milliseconds). Waits while
   * another process holds it; takes it over if its holder died.
   */
  private async withLease<T>(orderId: string, fn: (order: OrderDoc, release: Release) => Promise<T>): Promise<T | 'missing'> {
    const owner = randomBytes(8).toString('hex')
    const deadline = Date.now() + 60_000
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const now = new Date()
      const order = await this.deps.models.Order.findOneAndUpdate(
        { _id: orderId, $or: [{ 'lease.until': null }, { 'lease.until': { $lte: now } }] },
        { $set: { 'lease.owner': owner, 'lease.until': new Date(now.getTime() + 30_000) } },
        { returnDocument: 'after' },
      ).lean<OrderDoc>()
      if (order) {
        let released = false
        // saves the settlement state and gives the lease back in one write
        const release: Release = async (fields = {}) => {
          released = true
          await this.deps.models.Order.updateOne({ _id: orderId, 'lease.owner': owner }, { $set: { ...fields, 'lease.owner': null, 'lease.until': null } })
        }
        try {
          return await fn(order, release)
        } finally {
          if (!released) await release()
        }
      }
      if (!(await this.deps.models.Order.exists({ _id: orderId }))) return 'missing'
      if (Date.now() > deadline) throw new Error(`order ${orderId} stayed locked for a minute`)
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait))
    }
  }
}

/** Refunds in a fixed order (time, then id), with a cancellation as a full refund of every line. */
function canonicalRefunds(order: OrderDoc): { refundId: string; at: Date; lines: { lineId: string; refundFen: number }[] }[] {
  const refunds = (order.refunds ?? []).map((r) => ({
    refundId: r.refundId as string,
    at: r.at as Date,
    lines: (r.lines ?? []).map((l) => ({ lineId: l.lineId as string, refundFen: l.refundFen as number })),
  }))
  if (order.cancelledAt && order.paid) {
    refunds.push({
      refundId: 'cancel',
      at: order.cancelledAt as Date,
      lines: (order.paid.lines ?? []).map((l) => ({ lineId: l.lineId as string, refundFen: l.paidFen as number })),
    })
  }
  return refunds.sort((a, b) => a.at.getTime() - b.at.getTime() || a.refundId.localeCompare(b.refundId))
}
