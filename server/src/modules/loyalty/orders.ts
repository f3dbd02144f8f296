import {
  addGrowth,
  cancelPending,
  combine,
  credit,
  debit,
  earnPending,
  growthForLine,
  orderEarning,
  pointsForLine,
  reversedShare,
  addDays,
  allocate,
  channelReturnWindow,
  combinedMultiplier,
  type Balances,
  type Change,
  type LoyaltyPolicy,
} from '@member-center/shared'
import { randomBytes } from 'node:crypto'
import { Types } from 'mongoose'
import type { JobRunner, JobSpec } from '../../core/jobs/runner.js'
import { duplicatesOf } from '../../core/duplicate-key.js'
import type { MemberRepository } from '../members/repository.js'
import type { LoyaltyModels } from './models/index.js'
import type { Order } from './models/order.js'
import { cancelKey, confirmKey, earnKey, refundKey } from './keys.js'
import type { LedgerOp, LedgerService, MemberOps } from './ledger.js'
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
  /** when the line's growth counted (null until it has); refunds take growth back from that month */
  growthAt?: Date | null
  /** the order's cancellation has been applied to the line */
  cancelled?: boolean
  /**
   * earnedPoints/earnedGrowth are the line's share of the order's points and growth (refunds give back that share in
   * proportion to the refunded fen); absent on lines settled before, which earned per line (refunds recompute)
   */
  allocated?: boolean
}

/** A fact reported in an impossible order (after the payment in truth, before it in the shop's report). */
export interface OrderAnomaly {
  kind: 'shipped-before-paid' | 'delivered-before-paid' | 'refunded-before-paid' | 'cancelled-before-paid'
  /** the event that reported the fact, when known */
  eventId: string | null
  /** the time the shop reported */
  at: Date
  /** the time used instead: the payment's */
  usedAt: Date
}

/**
 * A multiplier another program adds to a purchase's points (the member day's, the birthday month's): `kind` names the
 * program, `label` is what the points history shows beside the purchase ("会员日 ×2").
 */
export interface EarningBoost {
  kind: string
  factor: number
  label: string
}

/** The purchases a booster is asked about: one batch of orders being settled for the first time. */
export interface BoostQuery {
  orderId: string
  memberId: Types.ObjectId
  paidAt: Date
}

/** Answers each purchase its boosts (none: an empty list); called once per batch, so one read serves all. */
export type EarningBooster = (purchases: BoostQuery[]) => Promise<EarningBoost[][]>

interface Rates {
  pointsPerYuan: number
  growthPerYuan: number
  tierMultiplier: number
  /** the member day's factor (1 on other days): the product of the `member-day` boosts */
  memberDayMultiplier: number
  /** every boost the purchase had besides the tier's */
  boosts?: EarningBoost[]
  /**
   * the combined multiplier the points were computed with: tier × boosts, capped by the policy's multiplierCap
   * (absent on orders settled before it was recorded: the uncapped product)
   */
  multiplier?: number
}

type OrderDoc = Order & { rates?: Rates | null; lines: LineState[] }

/** What a step holding orders' leases answers for each order, and the fields to save as it gives the lease back. */
interface Locked<T> {
  value: T
  fields?: Record<string, unknown>
}

export type SettleResult = 'settled' | 'parked' | 'waiting' | 'missing'

export interface SettleOutcome {
  result: SettleResult
  /** the member the order belongs to, once known */
  memberId: Types.ObjectId | null
}

export interface OrderServiceDeps {
  models: LoyaltyModels
  members: MemberRepository
  ledger: LedgerService
  policies: PolicyStore
  tiers: TierTable
  jobs: JobRunner
  now: () => Date
}

const LEASE_MS = 30_000

/**
 * Settles orders: derives the ledger changes an order's facts call for — earn (pending), refunds (exactly what each
 * line earned, from pending or available), confirmation when the return window closes — and applies the ones not yet
 * applied. Settlement of one order is serialised by a lease on the order document, so concurrent events for the same
 * order (or the confirmation job) never compute from the same stale line state. Many orders settle together: leases,
 * member reads, ledger changes, jobs and releases are one command each for all of them.
 */
export class OrderService {
  private readonly adoptedListeners: ((orderIds: string[]) => Promise<void>)[] = []
  private readonly boosters = new Map<string, EarningBooster>()

  constructor(private readonly deps: OrderServiceDeps) {}

  /**
   * A program's multiplier for purchases (member day, birthday month): asked once per batch of orders settled for the
   * first time; its boosts are fixed on the order with its rates, so refunds reverse exactly what was earned.
   */
  addBooster(kind: string, booster: EarningBooster): void {
    this.boosters.set(kind, booster)
  }

  /** Each order's boosts from every booster (orders whose rates are fixed already are not asked about). */
  private async boostsFor(purchases: BoostQuery[]): Promise<Map<string, EarningBoost[]>> {
    const boosts = new Map<string, EarningBoost[]>(purchases.map((p) => [p.orderId, []]))
    if (purchases.length === 0) return boosts
    for (const booster of this.boosters.values()) {
      const answers = await booster(purchases)
      purchases.forEach((p, i) => {
        for (const boost of answers[i] ?? []) if (Number.isFinite(boost.factor) && boost.factor > 0 && boost.factor !== 1) boosts.get(p.orderId)!.push(boost)
      })
    }
    return boosts
  }

  /** Called with the orders a member's appearance settled (the shop module marks their parked events applied). */
  onAdopted(listener: (orderIds: string[]) => Promise<void>): void {
    this.adoptedListeners.push(listener)
  }

  /**
   * Merges order facts into their orders, one command for all: each merge updates the order where the fact is still
   * missing, creating the order if there is none (leased to `lease`'s owner, see leaseFields). When the order exists
   * and already has the fact, the filter misses, the upsert's insert hits the primary key, and that duplicate means
   * "already recorded" — unless another writer created the order meanwhile, so a duplicate is tried once more alone.
   */
  async recordFacts(merges: FactMerge[], lease: Record<string, unknown>): Promise<void> {
    const write = (m: FactMerge) => ({
      updateOne: {
        filter: { _id: m.orderId, ...m.missing },
        update: { ...m.update, $setOnInsert: { orderId: m.orderId, ...lease, ...((m.update.$setOnInsert as object) ?? {}) } },
        upsert: true,
      },
    })
    if (merges.length === 0) return
    const again = await duplicatesOf(() => this.deps.models.Order.bulkWrite(merges.map(write) as never[], { ordered: false }))
    for (const i of again) await duplicatesOf(() => this.deps.models.Order.bulkWrite([write(merges[i]!)] as never[]))
  }

  /** Settles what the order's facts call for now. */
  async settle(orderId: string): Promise<SettleResult> {
    return (await this.settleMany([orderId])).get(orderId)!.result
  }

  /**
   * Settles several orders at once (see settle). `owner`: the lease owner the caller created new orders with (see
   * leaseFields), which then needn't be taken again.
   */
  async settleMany(orderIds: string[], owner?: string): Promise<Map<string, SettleOutcome>> {
    const settled = await this.withLeases(orderIds, (orders) => this.settleLocked(orders), owner)
    return new Map([...settled].map(([id, outcome]) => [id, outcome === 'missing' ? { result: 'missing' as const, memberId: null } : outcome]))
  }

  /** The confirmation job: moves pending points to available once the return window has closed. */
  async confirm(orderId: string): Promise<{ rescheduleAt: Date } | void> {
    const outcome = (
      await this.withLeases([orderId], async ([order]) => {
        const locked = new Map<string, Locked<Date | 'done' | 'waiting'>>()
        if (!order!.memberId || !order!.paid) return locked.set(orderId, { value: 'waiting' })
        const memberId = order!.memberId
        const now = this.deps.now()
        const policy = await this.deps.policies.current()
        const confirmAt = this.confirmAt(order!, policy)
        if (confirmAt.getTime() > now.getTime()) return locked.set(orderId, { value: confirmAt })
        // the points are confirmed when the window closed, whenever the job gets to run (a backlog, an imported
        // history): that moment decides the year they expire after and the month their growth counts in
        const at = confirmAt
        const ops: LedgerOp[] = []
        const lines = ((order!.lines ?? []) as LineState[]).map((st) => {
          if (st.confirmed || !st.earnApplied) return st
          const confirmed = confirmLine(orderId, st, at, policy)
          ops.push(confirmed.op)
          return confirmed.state
        })
        await this.deps.ledger.applyMany([{ memberId, ops }])
        return locked.set(orderId, { value: 'done', fields: { lines } })
      })
    ).get(orderId)
    if (outcome instanceof Date) return { rescheduleAt: outcome }
  }

  /** Orders parked for a member who has now appeared (logged in, bound a phone): attach and settle them. */
  async adopt(memberId: Types.ObjectId, refKeys: string[]): Promise<number> {
    const parked = await this.deps.models.Order.find({ memberId: null, memberRef: { $in: refKeys } }, { orderId: 1 }).lean()
    if (parked.length === 0) return 0
    const ids = parked.map((o) => o.orderId as string)
    await this.deps.models.Order.updateMany({ _id: { $in: ids }, memberId: null }, { $set: { memberId } })
    await this.settleMany(ids)
    for (const listener of this.adoptedListeners) await listener(ids)
    return parked.length
  }

  private async settleLocked(orders: OrderDoc[]): Promise<Map<string, Locked<SettleOutcome>>> {
    const locked = new Map<string, Locked<SettleOutcome>>()
    // refunds, shipments and deliveries can arrive before the payment: nothing to settle until it does
    const paid = orders.filter((order) => {
      if (!order.paid) locked.set(order.orderId, { value: { result: 'waiting', memberId: order.memberId ?? null } })
      return Boolean(order.paid)
    })
    const refKey = (order: OrderDoc) => (order.memberId ? `memberId:${order.memberId.toString()}` : (order.memberRef ?? null))
    const members = await this.deps.members.findManyByRefKeys(paid.map(refKey).filter((k): k is string => k !== null))
    const [policy, tiers] = await Promise.all([this.deps.policies.current(), this.deps.tiers.current()])

    const boosts = await this.boostsFor(
      paid.flatMap((order) => {
        const key = refKey(order)
        const member = key ? members.get(key) : undefined
        return !order.rates && member ? [{ orderId: order.orderId, memberId: member._id, paidAt: order.paid!.at as Date }] : []
      }),
    )
    const batches: MemberOps[] = []
    const jobs: JobSpec[] = []
    for (const order of paid) {
      const key = refKey(order)
      const member = key ? members.get(key) : undefined
      const anomalies = anomaliesOf(order)
      if (!member) {
        locked.set(order.orderId, { value: { result: 'parked', memberId: null }, fields: { anomalies } })
        continue
      }
      const tierMultiplier = tiers.find((t) => t.level === member.tierLevel)?.pointsMultiplier ?? 1
      const { ops, lines, rates } = this.plan(order, policy, tierMultiplier, boosts.get(order.orderId) ?? [])
      batches.push({ memberId: member._id, ops })
      const confirmAt = this.confirmAt(order, policy)
      // scheduled before the lease is given back, so no crash in between leaves pending points without a job
      if (lines.some((l) => !l.confirmed)) {
        jobs.push({ key: `${CONFIRM_JOB}:${order.orderId}`, type: CONFIRM_JOB, payload: { orderId: order.orderId }, dueAt: confirmAt, move: true })
      }
      locked.set(order.orderId, { value: { result: 'settled', memberId: member._id }, fields: { lines, memberId: member._id, rates, confirmAt, anomalies } })
    }
    await this.deps.ledger.applyMany(batches, new Map([...members.values()].map((m) => [m._id.toString(), m])))
    await this.deps.jobs.scheduleMany(jobs)
    return locked
  }

  /** The ledger changes an order's facts call for, and each line's state once they are applied. */
  private plan(order: OrderDoc, policy: LoyaltyPolicy, tierMultiplier: number, boosts: EarningBoost[]): { ops: LedgerOp[]; lines: LineState[]; rates: Rates } {
    const paid = order.paid!
    const paidAt = paid.at as Date
    const rates: Rates = order.rates ?? this.rates(policy, tierMultiplier, boosts)
    // the purchase's entries name the boosts it earned with ("会员日 ×2")
    const boostNote = (rates.boosts ?? []).map((b) => b.label).join(' · ') || undefined
    const multiplier = rates.multiplier ?? rates.tierMultiplier * rates.memberDayMultiplier
    // lines settled before the order's earning was allocated: per-line figures, refunds recompute on what is left
    const points = (fen: number) => pointsForLine(fen, rates, multiplier)
    const growth = (fen: number) => growthForLine(fen, rates)
    const states = new Map(((order.lines ?? []) as LineState[]).map((l) => [l.lineId, l]))
    const refunds = canonicalRefunds(order)
    const refundIds = new Set((order.refunds ?? []).map((r) => r.refundId as string))
    const finalAtOnce = channelReturnWindow(policy, paid.channel) === 0
    const ops: LedgerOp[] = []
    const lines: LineState[] = []

    // a line id repeated in one order is refused at the door; an order stored before that counts its first copy
    const paidLines = firstOfEach(paid.lines as { lineId: string; paidFen: number }[], (l) => l.lineId)
    // the order's points and growth, on its paid amount, allocated to its lines exactly
    const share = orderEarning(
      paidLines.map((l) => l.paidFen),
      { ...rates, multiplier },
    )
    // an order carried over from another system: history, standing only for the points still pending for it
    const carried = order.migrated ? carriedLines(order, paidLines) : null
    for (const [index, line] of paidLines.entries()) {
      let st: LineState = states.get(line.lineId) ?? carried?.get(line.lineId) ?? {
        lineId: line.lineId,
        paidFen: line.paidFen,
        earnedPoints: share.points[index]!,
        earnedGrowth: share.growth[index]!,
        pointsLeft: share.points[index]!,
        growthLeft: share.growth[index]!,
        refundedFen: 0,
        appliedRefunds: [],
        earnApplied: false,
        confirmed: false,
        growthCounted: false,
        growthAt: null,
        cancelled: false,
        allocated: true,
      }
      // a cancellation applied before it had its own flag was recorded as the refund id "cancel"
      if (st.appliedRefunds.includes(LEGACY_CANCEL_ID) && !refundIds.has(LEGACY_CANCEL_ID)) {
        st = { ...st, cancelled: true, appliedRefunds: st.appliedRefunds.filter((id) => id !== LEGACY_CANCEL_ID) }
      }
      const source = { orderId: order.orderId, lineId: line.lineId }

      if (!st.earnApplied && carried) {
        // the points the old system held pending for the line: pending here too, nothing earned again
        const s = st
        if (s.pointsLeft > 0) ops.push({ key: earnKey(order.orderId, line.lineId), reason: 'migration', at: paidAt, source, compute: (b) => earnPending(b, s.pointsLeft) })
        st = { ...st, earnApplied: true }
      } else if (!st.earnApplied) {
        const atPayment = policy.growthCountsAt === 'payment'
        const s = st
        ops.push({
          key: earnKey(order.orderId, line.lineId),
          reason: 'purchase',
          at: paidAt,
          source,
          note: boostNote,
          compute: (b) => combine(b, (x) => earnPending(x, s.earnedPoints), ...(atPayment ? [(x: Balances) => addGrowth(x, s.earnedGrowth, paidAt)] : [])),
        })
        st = { ...st, earnApplied: true, growthCounted: atPayment, growthAt: atPayment ? paidAt : null }
      }
      // a sale final at once (its channel's window is 0 days: a counter sale in a store) confirms at payment
      if (finalAtOnce && !carried && !st.confirmed) {
        const confirmed = confirmLine(order.orderId, st, paidAt, policy)
        ops.push(confirmed.op)
        st = confirmed.state
      }

      for (const refund of refunds) {
        const cancel = refund.kind === 'cancel'
        const refundLine = refund.lines.find((l) => l.lineId === line.lineId)
        if (!refundLine || (cancel ? st.cancelled : st.appliedRefunds.includes(refund.refundId))) continue
        const refundedFen = Math.min(st.paidFen, st.refundedFen + refundLine.refundFen)
        const pointsLeft = st.allocated ? st.earnedPoints - reversedShare(st.earnedPoints, st.paidFen, refundedFen) : points(st.paidFen - refundedFen)
        const growthLeft = st.allocated ? st.earnedGrowth - reversedShare(st.earnedGrowth, st.paidFen, refundedFen) : growth(st.paidFen - refundedFen)
        const reversePoints = st.pointsLeft - pointsLeft
        const reverseGrowth = st.growthCounted ? st.growthLeft - growthLeft : 0
        // growth goes back where it was earned: the month it counted in, not the month of the refund
        const growthAt = st.growthAt ?? legacyGrowthAt(order, st)
        const s = st
        ops.push({
          key: cancel ? cancelKey(order.orderId, line.lineId) : refundKey(order.orderId, line.lineId, refund.refundId),
          reason: 'refund',
          at: refund.at,
          growthAt,
          source: cancel ? source : { ...source, refundId: refund.refundId },
          compute: (b): Change =>
            combine(
              b,
              (x) => (s.confirmed ? debit(x, reversePoints, 'reverse', policy) : cancelPending(x, reversePoints)),
              ...(reverseGrowth > 0 ? [(x: Balances) => addGrowth(x, -reverseGrowth, growthAt)] : []),
            ),
        })
        st = {
          ...st,
          refundedFen,
          pointsLeft,
          growthLeft,
          ...(cancel ? { cancelled: true } : { appliedRefunds: [...st.appliedRefunds, refund.refundId] }),
        }
      }
      lines.push(st)
    }
    return { ops, lines, rates }
  }

  /** The rates an order is paid at, fixed at its first settlement. */
  private rates(policy: LoyaltyPolicy, tierMultiplier: number, boosts: EarningBoost[]): Rates {
    const memberDayMultiplier = boosts.filter((b) => b.kind === 'member-day').reduce((a, b) => a * b.factor, 1)
    return {
      pointsPerYuan: policy.pointsPerYuan,
      growthPerYuan: policy.growthPerYuan,
      tierMultiplier,
      memberDayMultiplier,
      boosts,
      // the combined multiplier, capped by the policy: what the order's points are computed with
      multiplier: combinedMultiplier([tierMultiplier, ...boosts.map((b) => b.factor)], policy.multiplierCap),
    }
  }

  /**
   * The return window closes `returnWindowDays` after delivery, or `maxPendingDays` after payment without one; a
   * channel with its own window (`returnWindows`) closes that many days after delivery, or else after payment (0: at
   * payment, see plan). A delivery reported before the payment counts as delivered at the payment (and is an anomaly
   * of the order).
   */
  private confirmAt(order: OrderDoc, policy: LoyaltyPolicy): Date {
    // a migrated order's pending points confirm when the old system said they would
    if (order.migrated?.confirmsAt) return order.migrated.confirmsAt as Date
    const paidAt = order.paid!.at as Date
    const channelDays = channelReturnWindow(policy, order.paid!.channel)
    if (channelDays !== null) return addDays(order.deliveredAt ? notBefore(order.deliveredAt as Date, paidAt) : paidAt, channelDays)
    if (order.deliveredAt) return addDays(notBefore(order.deliveredAt as Date, paidAt), policy.returnWindowDays)
    return addDays(paidAt, policy.maxPendingDays)
  }

  /** An order's facts as recorded (member, placement, payment, shipment, logistics, delivery, refunds, cancellation), or null. */
  async facts(orderId: string) {
    return this.deps.models.Order.findById(orderId, { memberId: 1, created: 1, paid: 1, shipped: 1, logistics: 1, deliveredAt: 1, refunds: 1, cancelledAt: 1 }).lean()
  }

  /** The anomalies recorded on an order (none for an order not known or not settled yet). */
  async anomalies(orderId: string): Promise<OrderAnomaly[]> {
    const order = await this.deps.models.Order.findById(orderId, { anomalies: 1 }).lean()
    return ((order?.anomalies ?? []) as OrderAnomaly[]).map((a) => ({ kind: a.kind, eventId: a.eventId ?? null, at: a.at, usedAt: a.usedAt }))
  }

  /** Every order with anomalies (reconcile lists them), at most `limit`. */
  async withAnomalies(limit = 1000): Promise<{ orderId: string; memberId: Types.ObjectId | null; anomalies: OrderAnomaly[] }[]> {
    const found: { orderId: string; memberId: Types.ObjectId | null; anomalies: OrderAnomaly[] }[] = []
    for await (const order of this.deps.models.Order.find({}, { orderId: 1, memberId: 1, anomalies: 1 }).lean().cursor()) {
      const anomalies = (order.anomalies ?? []) as OrderAnomaly[]
      if (anomalies.length > 0) found.push({ orderId: order.orderId, memberId: (order.memberId as Types.ObjectId | null) ?? null, anomalies })
      if (found.length >= limit) break
    }
    return found
  }

  /**
   * Runs `fn` holding the leases of these orders (30 s, renewed by nobody: settling takes milliseconds), then saves
   * the fields it answers and gives the leases back, one command each. Orders another process holds are waited
   * for (and taken over if their holder died) and go to `fn` in a later round. Answers `missing` for unknown orders.
   */
  private async withLeases<T>(
    orderIds: string[],
    fn: (orders: OrderDoc[]) => Promise<Map<string, Locked<T>>>,
    owner = newLeaseOwner(),
  ): Promise<Map<string, T | 'missing'>> {
    const Order = this.deps.models.Order
    const results = new Map<string, T | 'missing'>()
    const deadline = Date.now() + 60_000
    let waiting = [...new Set(orderIds)]
    if (waiting.length === 0) return results
    for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
      const now = new Date()
      const ids = { _id: { $in: waiting } }
      await Order.updateMany(
        { ...ids, $or: [{ 'lease.until': null }, { 'lease.until': { $lte: now } }] },
        { $set: leaseFields(owner, now) },
      )
      const found = await Order.find(ids).lean<OrderDoc[]>()
      const held = found.filter((o) => o.lease?.owner === owner)
      const present = new Set(found.map((o) => o.orderId))
      for (const id of waiting) if (!present.has(id)) results.set(id, 'missing')
      if (held.length > 0) {
        let locked: Map<string, Locked<T>> | undefined
        try {
          locked = await fn(held)
        } finally {
          // saves each order's state and gives its lease back in one write
          await Order.bulkWrite(
            held.map((o) => ({
              updateOne: { filter: { _id: o.orderId, 'lease.owner': owner }, update: { $set: { ...locked?.get(o.orderId)?.fields, 'lease.owner': null, 'lease.until': null } } },
            })),
            { ordered: false },
          )
        }
        for (const [id, { value }] of locked) results.set(id, value)
      }
      waiting = found.filter((o) => o.lease?.owner !== owner).map((o) => o.orderId)
      if (waiting.length === 0) return results
      if (Date.now() > deadline) throw new Error(`order ${waiting[0]} stayed locked for a minute`)
      await new Promise((r) => setTimeout(r, wait + Math.random() * wait))
    }
  }
}

/** One idempotent merge of an order fact: the update applies where the fact is still `missing`. */
export interface FactMerge {
  orderId: string
  missing: Record<string, unknown>
  update: Record<string, unknown>
}

export function newLeaseOwner(): string {
  return randomBytes(8).toString('hex')
}

/**
 * The fields of a lease held by `owner` from `now`: how withLeases takes a lease, and how an order is created already
 * leased to its creator (which saves taking it in a second write).
 */
export function leaseFields(owner: string, now: Date): Record<string, unknown> {
  return { 'lease.owner': owner, 'lease.until': new Date(now.getTime() + LEASE_MS) }
}

/**
 * Confirms a line's pending points as of `at` (the window closed): they become available, repaying debt first, and
 * its growth counts if it has not yet.
 */
function confirmLine(orderId: string, st: LineState, at: Date, policy: LoyaltyPolicy): { op: LedgerOp; state: LineState } {
  const countGrowth = !st.growthCounted && st.growthLeft > 0
  return {
    op: {
      key: confirmKey(orderId, st.lineId),
      reason: 'confirm',
      at,
      source: { orderId, lineId: st.lineId },
      compute: (b) => combine(b, (x) => credit(x, st.pointsLeft, at, policy, true), ...(countGrowth ? [(x: Balances) => addGrowth(x, st.growthLeft, at)] : [])),
      events: (c) => [{ type: 'points.confirmed', payload: { orderId, lineId: st.lineId, points: st.pointsLeft, debtRepaid: c.debtRepaid } }],
    },
    state: { ...st, confirmed: true, growthCounted: st.growthCounted || countGrowth, growthAt: countGrowth ? at : (st.growthAt ?? null) },
  }
}

/**
 * The line states of an order carried over from another system, before settlement: each line stands for its share
 * of the points still pending for the order (allocated by what the line paid less the refunds made before the
 * migration), no growth (the member's opening growth carries it), with those refunds and any cancellation already
 * applied. A refund after the migration reverses the line's share in proportion, as for any order.
 */
function carriedLines(order: OrderDoc, paidLines: { lineId: string; paidFen: number }[]): Map<string, LineState> {
  const migrated = order.migrated!
  const refundIds = (migrated.refundIds ?? []) as string[]
  const refunded = new Map<string, number>()
  for (const refund of order.refunds ?? []) {
    if (!refundIds.includes(refund.refundId as string)) continue
    for (const l of refund.lines ?? []) refunded.set(l.lineId as string, (refunded.get(l.lineId as string) ?? 0) + (l.refundFen as number))
  }
  const cancelled = Boolean(order.cancelledAt) && (order.cancelledAt as Date).getTime() <= (migrated.at as Date).getTime()
  const net = paidLines.map((l) => (cancelled ? 0 : Math.max(0, l.paidFen - (refunded.get(l.lineId) ?? 0))))
  const shares = allocate(migrated.pendingPoints ?? 0, net)
  const paidAt = order.paid!.at as Date
  return new Map(
    paidLines.map((l, i) => [
      l.lineId,
      {
        lineId: l.lineId,
        paidFen: net[i]!,
        earnedPoints: shares[i]!,
        earnedGrowth: 0,
        pointsLeft: shares[i]!,
        growthLeft: 0,
        refundedFen: 0,
        appliedRefunds: refundIds,
        earnApplied: false,
        confirmed: shares[i] === 0,
        growthCounted: true,
        growthAt: paidAt,
        cancelled,
        allocated: true,
      },
    ]),
  )
}

/** The refund id a cancellation was recorded under in a line's appliedRefunds before it had its own flag. */
const LEGACY_CANCEL_ID = 'cancel'

interface CanonicalRefund {
  kind: 'refund' | 'cancel'
  refundId: string
  at: Date
  lines: { lineId: string; refundFen: number }[]
}

/**
 * Refunds in a fixed order (time, then refunds before the cancellation, then id), with a cancellation as a full
 * refund of every line. A refund or cancellation reported before the payment counts at the payment's time.
 */
function canonicalRefunds(order: OrderDoc): CanonicalRefund[] {
  const paidAt = order.paid!.at as Date
  const refunds: CanonicalRefund[] = (order.refunds ?? []).map((r) => ({
    kind: 'refund' as const,
    refundId: r.refundId as string,
    at: notBefore(r.at as Date, paidAt),
    lines: (r.lines ?? []).map((l) => ({ lineId: l.lineId as string, refundFen: l.refundFen as number })),
  }))
  if (order.cancelledAt) {
    refunds.push({
      kind: 'cancel',
      refundId: '',
      at: notBefore(order.cancelledAt as Date, paidAt),
      lines: (order.paid!.lines ?? []).map((l) => ({ lineId: l.lineId as string, refundFen: l.paidFen as number })),
    })
  }
  const rank = (r: CanonicalRefund) => (r.kind === 'cancel' ? 1 : 0)
  return refunds.sort((a, b) => a.at.getTime() - b.at.getTime() || rank(a) - rank(b) || a.refundId.localeCompare(b.refundId))
}

/** Facts the shop reported before the payment — impossible, so they count at the payment's time; listed here. */
function anomaliesOf(order: OrderDoc): OrderAnomaly[] {
  const paidAt = order.paid!.at as Date
  const found: OrderAnomaly[] = []
  const check = (kind: OrderAnomaly['kind'], at: Date | null | undefined, eventId: string | null | undefined) => {
    if (at && at.getTime() < paidAt.getTime()) found.push({ kind, eventId: eventId ?? null, at, usedAt: paidAt })
  }
  check('shipped-before-paid', order.shipped?.at as Date | undefined, order.shipped?.eventId)
  check('delivered-before-paid', order.deliveredAt as Date | null, order.deliveredEventId)
  for (const refund of order.refunds ?? []) check('refunded-before-paid', refund.at as Date, refund.eventId)
  check('cancelled-before-paid', order.cancelledAt as Date | null, order.cancelledEventId)
  return found
}

/**
 * When a line's growth counted, for a line settled before that was recorded: at payment if it counted before the
 * points confirmed, otherwise when the return window closed.
 */
function legacyGrowthAt(order: OrderDoc, st: LineState): Date {
  const paidAt = order.paid!.at as Date
  return st.confirmed && order.confirmAt ? (order.confirmAt as Date) : paidAt
}

function notBefore(at: Date, earliest: Date): Date {
  return at.getTime() < earliest.getTime() ? earliest : at
}

/** The first item with each key, in the order given. */
function firstOfEach<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>()
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))))
}
