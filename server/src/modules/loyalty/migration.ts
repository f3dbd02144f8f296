import {
  MigrationMemberSchema,
  MigrationOrderSchema,
  ROLLING_WINDOW_DAYS,
  addDays,
  dayNumberOf,
  growthForLine,
  openBalances,
  shanghaiDate,
  shanghaiDayNumber,
  type MigrationMember,
  type MigrationOrder,
} from '@member-center/shared'
import { Types } from 'mongoose'
import { duplicatesOf, ignoreDuplicateKey } from '../../core/duplicate-key.js'
import { ValidationFailed } from '../../core/errors.js'
import { fingerprint } from '../../core/fingerprint.js'
import { exactInstant, reportedTime } from '../../core/times.js'
import { compileCheck, describeFirstError } from '../../core/strict-input.js'
import { checkMemberRef, memberRefKey, type MemberRepository } from '../members/repository.js'
import { openingKey } from './keys.js'
import type { LedgerService } from './ledger.js'
import type { LoyaltyModels } from './models/index.js'
import type { OrderService } from './orders.js'
import type { PolicyStore } from './policy-store.js'
import type { PurchaseStatsService } from './purchase-stats.js'
import type { TierTable } from './tier-table.js'

/**
 * What became of one imported record: `applied` — written (the member is known); `parked` — kept until the member
 * appears (logs in, binds their phone), then applied; `unchanged` — the same record was imported before;
 * `rejected` — nothing was written, `message` says why.
 */
export type ImportResult = { status: 'applied' | 'parked' | 'unchanged' } | { status: 'rejected'; message: string }

export interface MigrationDeps {
  models: LoyaltyModels
  members: MemberRepository
  ledger: LedgerService
  orders: OrderService
  policies: PolicyStore
  tiers: TierTable
  purchaseStats: PurchaseStatsService
  now: () => Date
}

/** How far after the migration an order's pending points may be due to confirm (the longest return window plus). */
const MAX_CONFIRM_AHEAD_DAYS = 366

const checkOrder = compileCheck(MigrationOrderSchema)
const checkMember = compileCheck(MigrationMemberSchema)

/**
 * A migration from another CRM (npm run import), honest to the member: each member's balances are carried over as
 * they were — available points with their own expiry dates, growth, tier and tier date — in one opening entry of the
 * ledger (`opening:{memberId}`), and their orders are loaded as history: purchase statistics, growth windows and
 * later refunds see them, but they earn nothing again. Only points the old system still held pending for an order
 * stay pending here, for that order, and confirm when it said they would. Re-running an import changes nothing; a
 * record that differs from the one imported before is refused.
 */
export class MigrationService {
  constructor(private readonly deps: MigrationDeps) {}

  /**
   * Imports orders as history, all of a batch together. Orders go before members' balances in a file's import, so
   * the members' growth windows can be worked out from them.
   */
  async importOrders(records: unknown[]): Promise<ImportResult[]> {
    const now = this.deps.now()
    const results: ImportResult[] = records.map(() => ({ status: 'rejected', message: '' }))
    const docs: { index: number; doc: Record<string, unknown> }[] = []
    records.forEach((record, index) => {
      try {
        docs.push({ index, doc: this.orderDocument(record, now) })
      } catch (error) {
        results[index] = { status: 'rejected', message: (error as Error).message }
      }
    })
    if (docs.length === 0) return results
    const Order = this.deps.models.Order
    const existing = await duplicatesOf(() => Order.collection.insertMany(docs.map((d) => ({ ...d.doc })) as never[], { ordered: false }))
    const inserted = docs.filter((_, i) => !existing.has(i))
    if (existing.size > 0) {
      const ids = [...existing].map((i) => docs[i]!.doc._id as string)
      const found = new Map((await Order.find({ _id: { $in: ids } }, { migrated: 1 }).lean()).map((o) => [o._id, o.migrated?.hash ?? null]))
      for (const i of existing) {
        const { index, doc } = docs[i]!
        const hash = found.get(doc._id as string)
        results[index] =
          hash === (doc.migrated as { hash: string }).hash
            ? { status: 'unchanged' }
            : {
                status: 'rejected',
                message:
                  hash === null
                    ? `order ${doc._id as string} is already known from the shop's events; it was not imported`
                    : `order ${doc._id as string} was imported before with other content; an import is not an edit (correct balances by an adjustment)`,
              }
      }
    }
    if (inserted.length === 0) return results
    const settled = await this.deps.orders.settleMany(inserted.map((d) => d.doc._id as string))
    for (const { index, doc } of inserted) results[index] = { status: settled.get(doc._id as string)?.result === 'settled' ? 'applied' : 'parked' }
    const members = new Map([...settled.values()].filter((s) => s.memberId).map((s) => [s.memberId!.toString(), s.memberId!]))
    for (const memberId of members.values()) await this.deps.purchaseStats.recompute(memberId)
    return results
  }

  /** Imports members' balances: opened at once for members known here, kept for the others until they appear. */
  async importMembers(records: unknown[]): Promise<ImportResult[]> {
    const now = this.deps.now()
    const results: ImportResult[] = []
    for (const record of records) {
      try {
        results.push(await this.importMember(await this.openingDocument(record, now)))
      } catch (error) {
        if (!(error instanceof ValidationFailed)) throw error
        results.push({ status: 'rejected', message: error.message })
      }
    }
    return results
  }

  /** Opens the balances kept for a member who has just appeared (first login, phone bound). */
  async adopt(memberId: Types.ObjectId, refKeys: string[]): Promise<number> {
    const waiting = await this.deps.models.OpeningBalance.find({ _id: { $in: refKeys }, openedAt: null, problem: null }).lean()
    for (const opening of waiting) await this.open(memberId, opening as OpeningDoc)
    return waiting.length
  }

  /** Openings still waiting for their member, and openings that could not be written (reconcile reports them). */
  async status(): Promise<{ waiting: number; problems: { ref: string; problem: string }[] }> {
    const OpeningBalance = this.deps.models.OpeningBalance
    const [waiting, problems] = await Promise.all([
      OpeningBalance.countDocuments({ openedAt: null, problem: null }),
      OpeningBalance.find({ problem: { $ne: null } }, { problem: 1 }).limit(100).lean(),
    ])
    return { waiting, problems: problems.map((p) => ({ ref: p._id, problem: p.problem! })) }
  }

  private async importMember(doc: OpeningDoc): Promise<ImportResult> {
    const OpeningBalance = this.deps.models.OpeningBalance
    const recorded = await OpeningBalance.collection.insertOne({ ...doc } as never).then(() => false, (error: unknown) => (ignoreDuplicateKey(error), true))
    if (recorded) {
      const before = await OpeningBalance.findById(doc._id, { hash: 1, openedAt: 1 }).lean()
      if (before?.hash !== doc.hash) {
        return { status: 'rejected', message: `${doc._id} was imported before with other balances; an import is not an edit (correct balances by an adjustment)` }
      }
      if (before.openedAt) return { status: 'unchanged' }
    }
    const member = await this.deps.members.findByRefKey(doc._id)
    if (!member) return { status: 'parked' }
    const problem = await this.open(member._id, doc)
    return problem ? { status: 'rejected', message: problem } : { status: 'applied' }
  }

  /**
   * Writes a member's opening entry (once: its key is the member's) and marks the opening done; answers the problem
   * when the member's balances were already opened by another record with other figures.
   */
  private async open(memberId: Types.ObjectId, doc: OpeningDoc): Promise<string | null> {
    const [policy, tiers] = await Promise.all([this.deps.policies.current(), this.deps.tiers.current()])
    const now = this.deps.now()
    const growthByDay = doc.growthByDay ?? (await this.growthFromHistory(memberId, doc.growth, policy.growthPerYuan, now))
    const tier = doc.tier ? tiers.find((t) => t.code === doc.tier!.code) : undefined
    const reviewAt = doc.tier ? (doc.tier.reviewAt ?? nextAnniversary(doc.tier.since, now)) : null
    const key = openingKey(memberId.toString())
    const result = await this.deps.ledger.apply(memberId, {
      key,
      reason: 'migration',
      at: now,
      requestHash: doc.hash,
      note: `carried over from ${doc._id}`,
      // balances the member already had, not news: no tier.changed (no "upgraded" message) whatever the tier becomes
      quiet: true,
      compute: (b) => openBalances(b, { lots: doc.lots.map((l) => ({ points: l.points, expiresAt: l.expiresAt?.getTime() ?? null })), growth: doc.growth, growthByDay }, now),
      ...(tier && doc.tier ? { carriedTier: { level: tier.level, since: doc.tier.since, reviewAt, heldUntil: reviewAt } } : {}),
    })
    let problem: string | null = null
    if (result.status === 'duplicate') {
      const entry = await this.deps.ledger.entry(key)
      if (entry && entry.requestHash !== doc.hash) problem = `${doc._id}: this member's balances were already carried over from another record; nothing was added`
    }
    await this.deps.models.OpeningBalance.updateOne({ _id: doc._id }, { $set: { memberId, openedAt: now, problem } })
    return problem
  }

  /**
   * The days of the rolling window the member's migrated orders fill (paid less refunded, at the current growth
   * rate, on the Shanghai day of payment), newest first until `total` is placed: growth the old system gave can
   * never count for more here than it was.
   */
  private async growthFromHistory(memberId: Types.ObjectId, total: number, growthPerYuan: number, now: Date): Promise<{ day: string; value: number }[]> {
    const orders = await this.deps.models.Order.find({ memberId, migrated: { $ne: null } }, { paid: 1, refunds: 1, cancelledAt: 1 }).lean()
    const firstDay = shanghaiDayNumber(now) - ROLLING_WINDOW_DAYS
    const byDay = new Map<string, number>()
    for (const order of orders) {
      if (!order.paid?.at || order.cancelledAt) continue
      const day = shanghaiDate(order.paid.at)
      if (dayNumberOf(day) < firstDay) continue
      const paid = (order.paid.lines ?? []).reduce((sum, l) => sum + (l.paidFen ?? 0), 0)
      const refunded = (order.refunds ?? []).flatMap((r) => r.lines ?? []).reduce((sum, l) => sum + (l.refundFen ?? 0), 0)
      const growth = growthForLine(Math.max(0, paid - refunded), { growthPerYuan })
      if (growth > 0) byDay.set(day, (byDay.get(day) ?? 0) + growth)
    }
    let left = total
    const placed: { day: string; value: number }[] = []
    for (const [day, value] of [...byDay].sort(([a], [b]) => b.localeCompare(a))) {
      if (left <= 0) break
      placed.push({ day, value: Math.min(value, left) })
      left -= Math.min(value, left)
    }
    return placed.reverse()
  }

  /** The order document of a migrated order, or a ValidationFailed naming what is wrong with the record. */
  private orderDocument(record: unknown, now: Date): Record<string, unknown> {
    if (!checkOrder.Check(record)) throw new ValidationFailed(describeFirstError(checkOrder.Errors(record), '', 'record'))
    const r = record as MigrationOrder
    checkMemberRef(r.member, 'member')
    const paidAt = reportedTime('paidAt', r.paidAt, now, { ahead: false })
    const after = (path: string, value: string) => {
      const at = reportedTime(path, value, now, { ahead: false })
      if (at < paidAt) throw new ValidationFailed(`${path}: ${value} is before the payment (${r.paidAt})`)
      return at
    }
    const lines = new Map<string, number>()
    for (const l of r.lines) {
      if (lines.has(l.lineId)) throw new ValidationFailed(`lines: line id ${JSON.stringify(l.lineId)} repeats; each line of an order needs its own lineId`)
      lines.set(l.lineId, l.paidFen)
    }
    const refundIds = new Set<string>()
    const refunded = new Map<string, number>()
    const refunds = (r.refunds ?? []).map((refund, i) => {
      if (refundIds.has(refund.refundId)) throw new ValidationFailed(`refunds.${i}.refundId: ${JSON.stringify(refund.refundId)} repeats`)
      refundIds.add(refund.refundId)
      const seen = new Set<string>()
      for (const l of refund.lines) {
        if (!lines.has(l.lineId)) throw new ValidationFailed(`refunds.${i}.lines: the order has no line ${JSON.stringify(l.lineId)}`)
        if (seen.has(l.lineId)) throw new ValidationFailed(`refunds.${i}.lines: line ${JSON.stringify(l.lineId)} repeats`)
        seen.add(l.lineId)
        refunded.set(l.lineId, (refunded.get(l.lineId) ?? 0) + l.refundFen)
        if (refunded.get(l.lineId)! > lines.get(l.lineId)!) throw new ValidationFailed(`refunds: line ${JSON.stringify(l.lineId)} is refunded more than it paid`)
      }
      return { refundId: refund.refundId, at: after(`refunds.${i}.refundedAt`, refund.refundedAt), eventId: null, lines: refund.lines }
    })
    const cancelledAt = r.cancelledAt ? after('cancelledAt', r.cancelledAt) : null
    const deliveredAt = r.deliveredAt ? after('deliveredAt', r.deliveredAt) : null
    let confirmsAt: Date | null = null
    if (r.pendingPoints !== undefined) {
      if (!r.confirmsAt) throw new ValidationFailed('confirmsAt: pending points need the time they confirm')
      const net = [...lines].reduce((sum, [lineId, fen]) => sum + fen - (refunded.get(lineId) ?? 0), 0)
      if (cancelledAt || net === 0) throw new ValidationFailed('pendingPoints: the order is cancelled or refunded in full; no points can be pending for it')
      const at = exactInstant(r.confirmsAt)
      if (at === null) throw new ValidationFailed(`confirmsAt: ${JSON.stringify(r.confirmsAt)} is not a real date and time`)
      if (at < paidAt.getTime() || at > addDays(now, MAX_CONFIRM_AHEAD_DAYS).getTime()) {
        throw new ValidationFailed(`confirmsAt: ${r.confirmsAt} is before the payment or more than ${MAX_CONFIRM_AHEAD_DAYS} days ahead`)
      }
      confirmsAt = new Date(at)
    } else if (r.confirmsAt) {
      throw new ValidationFailed('confirmsAt: only for an order with pendingPoints')
    }
    const line = (l: MigrationOrder['lines'][number]) => ({ lineId: l.lineId, sku: l.sku, name: l.name, quantity: l.quantity, paidFen: l.paidFen, category: l.category ?? null, listPriceFen: l.listPriceFen ?? null })
    return {
      _id: r.orderId,
      orderId: r.orderId,
      memberId: null,
      memberRef: memberRefKey(r.member),
      paid: { at: paidAt, channel: r.channel ?? null, store: r.store ?? null, advisor: r.advisor ?? null, lines: r.lines.map(line), eventId: null },
      created: null,
      shipped: null,
      logistics: [],
      deliveredAt,
      deliveredEventId: null,
      cancelledAt,
      cancelledEventId: null,
      refunds,
      anomalies: [],
      rates: null,
      lines: [],
      confirmAt: null,
      migrated: { at: now, pendingPoints: r.pendingPoints ?? 0, confirmsAt, refundIds: [...refundIds], hash: fingerprint(record) },
      lease: { owner: null, until: null },
      createdAt: now,
      updatedAt: now,
    }
  }

  /** The opening kept for a member record, or a ValidationFailed naming what is wrong with it. */
  private async openingDocument(record: unknown, now: Date): Promise<OpeningDoc> {
    if (!checkMember.Check(record)) throw new ValidationFailed(describeFirstError(checkMember.Errors(record), '', 'record'))
    const r = record as MigrationMember
    checkMemberRef(r.member, 'member')
    const lots = (r.points?.lots ?? []).map((lot, i) => {
      if (lot.expiresAt === null) return { points: lot.points, expiresAt: null }
      const at = exactInstant(lot.expiresAt)
      if (at === null) throw new ValidationFailed(`points.lots.${i}.expiresAt: ${JSON.stringify(lot.expiresAt)} is not a real date and time`)
      if (at <= now.getTime()) throw new ValidationFailed(`points.lots.${i}.expiresAt: ${lot.expiresAt} has passed; expired points are not carried over`)
      return { points: lot.points, expiresAt: new Date(at) }
    })
    const growth = r.growth ?? 0
    const today = shanghaiDayNumber(now)
    const days = new Set<string>()
    const growthByDay = r.growthByDay?.map((d, i) => {
      if (exactInstant(`${d.day}T12:00:00+08:00`) === null) throw new ValidationFailed(`growthByDay.${i}.day: ${d.day} is not a real date`)
      if (dayNumberOf(d.day) > today) throw new ValidationFailed(`growthByDay.${i}.day: ${d.day} is after today`)
      if (days.has(d.day)) throw new ValidationFailed(`growthByDay.${i}.day: ${d.day} repeats`)
      days.add(d.day)
      return { day: d.day, value: d.value }
    })
    const placed = (growthByDay ?? []).reduce((sum, d) => sum + d.value, 0)
    if (placed > growth) throw new ValidationFailed(`growthByDay: adds up to ${placed}, more than the member's growth (${growth})`)
    let tier: OpeningDoc['tier'] = null
    if (r.tier) {
      const tiers = await this.deps.tiers.current()
      if (!tiers.some((t) => t.code === r.tier!.code)) throw new ValidationFailed(`tier.code: ${JSON.stringify(r.tier.code)} is not a tier of this program (${tiers.map((t) => t.code).join(', ')})`)
      const since = reportedTime('tier.since', r.tier.since, now, { ahead: false })
      let reviewAt: Date | null = null
      if (r.tier.reviewAt) {
        const at = exactInstant(r.tier.reviewAt)
        if (at === null || at <= now.getTime() || at > addDays(now, 366).getTime()) {
          throw new ValidationFailed(`tier.reviewAt: ${r.tier.reviewAt} must be a real time within the coming year`)
        }
        reviewAt = new Date(at)
      }
      tier = { code: r.tier.code, since, reviewAt }
    }
    return { _id: memberRefKey(r.member), memberId: null, hash: fingerprint(record), lots, growth, growthByDay: growthByDay ?? null, tier, importedAt: now, openedAt: null, problem: null }
  }
}

interface OpeningDoc {
  _id: string
  memberId: Types.ObjectId | null
  hash: string
  lots: { points: number; expiresAt: Date | null }[]
  growth: number
  growthByDay: { day: string; value: number }[] | null
  tier: { code: string; since: Date; reviewAt: Date | null } | null
  importedAt: Date
  openedAt: Date | null
  problem: string | null
}

/** The first anniversary of `since` after `now` (a year is 365 days, as the rolling window's). */
function nextAnniversary(since: Date, now: Date): Date {
  const years = Math.max(1, Math.floor((now.getTime() - since.getTime()) / (365 * 86_400_000)) + 1)
  return addDays(since, 365 * years)
}
