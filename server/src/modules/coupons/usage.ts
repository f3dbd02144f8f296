import { addDays, type Coupon, type CouponUseResult } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { CouponNotUsable, NotFound } from '../../core/errors.js'
import type { DomainEvents } from '../../core/events/index.js'
import type { CouponDoc, CouponModels } from './models.js'
import { couponView } from './issuing.js'
import { normalizeCode, unusableReason } from './rules.js'

/** A coupon.expiring event goes out this many days before a usable coupon expires. */
export const EXPIRING_NOTICE_DAYS = 3

const REASON_WORDS: Record<string, string> = {
  'already-used': 'it has been used',
  expired: 'it has expired',
  void: 'it was withdrawn',
  'not-yet-valid': 'it is not valid yet',
  pending: 'it is still being issued',
}

/**
 * A coupon's life after issue: the wallet, use online (the shop's order.paid names the codes) and in store (staff),
 * the return of a coupon on a full refund, and the daily expiry with its notice.
 */
export class CouponUsage {
  constructor(
    private readonly models: CouponModels,
    private readonly events: DomainEvents,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /** The member's coupons in one state (usable: soonest to expire first; used and expired: newest first). */
  async wallet(memberId: string, state: 'usable' | 'used' | 'expired' = 'usable', limit = 100): Promise<Coupon[]> {
    const now = this.now()
    const member = new Types.ObjectId(memberId)
    const filter: Record<string, unknown> =
      state === 'usable'
        ? { memberId: member, state: 'usable', validUntil: { $gte: now } }
        : state === 'used'
          ? { memberId: member, state: 'used' }
          : { memberId: member, $or: [{ state: 'expired' }, { state: 'usable', validUntil: { $lt: now } }] }
    const sort: Record<string, 1 | -1> = state === 'usable' ? { validUntil: 1 } : state === 'used' ? { usedAt: -1 } : { validUntil: -1 }
    const docs = await this.models.Coupon.find(filter).sort(sort).limit(limit).lean<CouponDoc[]>()
    return docs.map((c) => couponView(c, now))
  }

  /** A coupon by its code, for staff at the counter (404 for a code that names none). */
  async byCode(code: string): Promise<{ coupon: Coupon; memberId: string; usable: boolean; reason: string | null }> {
    const c = await this.models.Coupon.findOne({ code: normalizeCode(code) }).lean<CouponDoc>()
    if (!c || c.state === 'pending') throw new NotFound('no coupon has this code')
    const reason = unusableReason(c, this.now())
    return { coupon: couponView(c, this.now()), memberId: c.memberId.toString(), usable: reason === null, reason }
  }

  /**
   * Staff use a member's coupon at the counter: once (a conditional update from usable), audited. The member must be
   * the coupon's owner; a coupon that cannot be used is a 409 COUPON_NOT_USABLE saying why.
   */
  async useInStore(code: string, input: { memberId: string; store?: string; orderRef?: string }, staff: { actor: string; role: string }): Promise<Coupon> {
    const at = this.now()
    const c = await this.models.Coupon.findOne({ code: normalizeCode(code) }).lean<CouponDoc>()
    if (!c || c.state === 'pending') throw new NotFound('no coupon has this code')
    if (c.memberId.toString() !== input.memberId) throw new CouponNotUsable('this coupon belongs to another member')
    const usedBy = { store: input.store ?? null, staff: staff.actor, orderRef: input.orderRef ?? null }
    const done = await this.models.Coupon.updateOne(
      { _id: c._id, state: 'usable', validFrom: { $lte: at }, validUntil: { $gte: at } },
      { $set: { state: 'used', usedAt: at, usedBy } },
    )
    if (done.modifiedCount === 0) {
      const now = (await this.models.Coupon.findById(c._id).lean<CouponDoc>())!
      throw new CouponNotUsable(`this coupon cannot be used: ${REASON_WORDS[unusableReason(now, at) ?? 'already-used']}`)
    }
    await this.audit.record({ ...staff, action: 'coupon.use-in-store', memberId: c.memberId, details: { code: c.code, couponId: c._id.toString(), ...usedBy }, at })
    return couponView((await this.models.Coupon.findById(c._id).lean<CouponDoc>())!, at)
  }

  /**
   * The coupon codes an order.paid carried: each valid coupon of the order's member is marked used by the order,
   * once (a replay finds it used by the same order and says `used` again); anything else is recorded as a problem
   * — unknown code, another member's, used, expired, not yet valid, withdrawn, or the order's member not known yet —
   * never silently accepted.
   */
  async useForOrder(orderId: string, memberId: Types.ObjectId | null, codes: string[], at: Date): Promise<CouponUseResult[]> {
    const results: CouponUseResult[] = []
    for (const raw of [...new Set(codes.map(normalizeCode))]) {
      const result = await this.useOne(orderId, memberId, raw, at)
      results.push(result)
      await this.models.CouponUse.updateOne(
        { _id: JSON.stringify([orderId, raw]) },
        { $setOnInsert: { orderId, code: raw, memberId, status: result.status, reason: result.reason ?? null, at } },
        { upsert: true },
      )
    }
    return results
  }

  private async useOne(orderId: string, memberId: Types.ObjectId | null, code: string, at: Date): Promise<CouponUseResult> {
    const c = await this.models.Coupon.findOne({ code }).lean<CouponDoc>()
    if (!c || c.state === 'pending') return { code, status: 'problem', reason: 'unknown' }
    if (!memberId) return { code, status: 'problem', reason: 'member-unknown' }
    if (!c.memberId.equals(memberId)) return { code, status: 'problem', reason: 'not-this-members' }
    const usedByThis = (x: CouponDoc) => x.state === 'used' && (x.usedBy as { orderId?: string } | null)?.orderId === orderId
    if (usedByThis(c)) return { code, status: 'used' }
    const done = await this.models.Coupon.updateOne(
      { _id: c._id, state: 'usable', validFrom: { $lte: at }, validUntil: { $gte: at } },
      { $set: { state: 'used', usedAt: at, usedBy: { orderId } } },
    )
    if (done.modifiedCount === 1) return { code, status: 'used' }
    const now = (await this.models.Coupon.findById(c._id).lean<CouponDoc>())!
    if (usedByThis(now)) return { code, status: 'used' }
    return { code, status: 'problem', reason: unusableReason(now, at) ?? 'already-used' }
  }

  /** What became of the coupon codes an order named (the shop event's status reports them). */
  async usesOf(orderId: string): Promise<CouponUseResult[]> {
    const uses = await this.models.CouponUse.find({ orderId }).lean()
    return uses.map((u) => ({ code: u.code, status: u.status as 'used' | 'problem', ...(u.reason ? { reason: u.reason } : {}) }))
  }

  /**
   * A full refund or a cancellation of an order returns the coupons it used, if their template says so and they
   * are still valid; answers how many came back.
   */
  async returnForOrder(orderId: string): Promise<number> {
    const now = this.now()
    const done = await this.models.Coupon.updateMany(
      { 'usedBy.orderId': orderId, state: 'used', returnOnRefund: true, validUntil: { $gt: now } },
      { $set: { state: 'usable', usedAt: null, usedBy: null } },
    )
    return done.modifiedCount
  }

  /**
   * The daily sweep: usable coupons past their validity become expired; those expiring within EXPIRING_NOTICE_DAYS
   * get one coupon.expiring event each (messaging tells the member).
   */
  async sweep(): Promise<{ expired: number; notices: number }> {
    const now = this.now()
    const expired = await this.models.Coupon.updateMany({ state: 'usable', validUntil: { $lt: now } }, { $set: { state: 'expired' } })
    const soon = await this.models.Coupon.find({ state: 'usable', expiringNotified: false, validUntil: { $gte: now, $lte: addDays(now, EXPIRING_NOTICE_DAYS) } }).lean<CouponDoc[]>()
    if (soon.length > 0) {
      await this.events.writeMany(
        soon.map((c) => ({
          key: `coupon:${c._id.toString()}:expiring`,
          type: 'coupon.expiring',
          memberId: c.memberId,
          payload: { couponId: c._id.toString(), name: c.name, validUntil: c.validUntil.toISOString() },
          at: now,
        })),
        { checkFirst: true },
      )
      await this.models.Coupon.updateMany({ _id: { $in: soon.map((c) => c._id) } }, { $set: { expiringNotified: true } })
    }
    return { expired: expired.modifiedCount, notices: soon.length }
  }

  /**
   * Counters against the coupons (npm run reconcile): each template's issued count and stockLeft, each member's
   * claim count. A difference means a unit was lost to a crash between two steps (under-sold, never over-sold) or
   * something worse.
   */
  async reconcile(): Promise<string[]> {
    const problems: string[] = []
    const live = { state: { $in: ['usable', 'used', 'expired'] as ('usable' | 'used' | 'expired')[] } }
    const counts = new Map<string, number>()
    const claims = new Map<string, number>()
    for await (const c of this.models.Coupon.find(live, { templateId: 1, memberId: 1 }).lean().cursor()) {
      counts.set(String(c.templateId), (counts.get(String(c.templateId)) ?? 0) + 1)
      const key = `${String(c.templateId)}:${String(c.memberId)}`
      claims.set(key, (claims.get(key) ?? 0) + 1)
    }
    // issues in progress are neither counted nor differences
    const pending = await this.models.Coupon.countDocuments({ state: 'pending' })
    if (pending > 0) return problems
    for await (const t of this.models.CouponTemplate.find({}).lean().cursor()) {
      const id = String(t._id)
      const issued = counts.get(id) ?? 0
      if (t.issued !== issued) problems.push(`coupon template ${id} (${t.name}): issued is ${t.issued}, ${issued} coupons exist`)
      if (t.stock !== null && t.stock !== undefined && t.stockLeft !== t.stock - issued) {
        problems.push(`coupon template ${id} (${t.name}): stockLeft is ${t.stockLeft}, stock ${t.stock} less ${issued} issued is ${t.stock - issued}`)
      }
      if (t.perMemberLimit) {
        for await (const claim of this.models.CouponClaim.find({ templateId: t._id }).lean().cursor()) {
          const held = claims.get(`${id}:${String(claim.memberId)}`) ?? 0
          if (claim.count !== held) problems.push(`coupon template ${id}: member ${String(claim.memberId)}'s claim count is ${claim.count}, ${held} coupons exist`)
        }
      }
    }
    return problems
  }
}
