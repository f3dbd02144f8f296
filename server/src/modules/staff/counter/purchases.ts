import type { PurchaseRecorded, RecordPurchase } from '@member-center/shared'
import type { FastifyInstance } from 'fastify'
import { Types } from 'mongoose'
import { isDuplicateKey } from '../../../core/duplicate-key.js'
import { Conflict, CouponNotUsable, NotFound, ValidationFailed } from '../../../core/errors.js'
import { fingerprint } from '../../../core/fingerprint.js'
import { exactInstant } from '../../../core/times.js'
import { normalizeCode } from '../../coupons/rules.js'
import { auditCounter, storeFor, type Acting } from './acting.js'
import type { Advisors, StaffRecordReader } from './advisors.js'
import type { CounterModels, CounterPurchaseDoc } from './models.js'

/** A sale recorded at the counter may be this old at most. */
export const PURCHASE_MAX_AGE_DAYS = 30
/** A sale's time may be this far ahead of the server's clock (the till's clock a little fast). */
const CLOCK_SKEW_MS = 60_000
/** How long the answer waits for the sale to be applied (points, tier) before answering `queued`. */
const APPLY_WAIT_MS = 5_000
/** The job that makes sure a claimed receipt's shop event was accepted, should the request have died in between. */
export const PURCHASE_ACCEPT_JOB = 'staff-counter.purchase-accept'
const ACCEPT_CHECK_DELAY_MS = 2 * 60_000

/**
 * The order id of a store's receipt: `STORE_{store}_{receiptNo}`. A receipt number has no `_` (^[A-Za-z0-9-]{1,32}$),
 * so the last `_` always separates it from the store, whatever the store's code: no two stores' receipts meet. `_`
 * needs no encoding in ledger keys (keys.ts encodes `:` and `%`), task ids, URLs or stored keys.
 */
export function storeOrderId(store: string, receiptNo: string): string {
  return `STORE_${store}_${receiptNo}`
}

/** The shop event id of a counter sale: one per order, so a re-sent sale is a duplicate the shop module recognises. */
export const counterEventId = (orderId: string) => `counter:${orderId}`

/**
 * In-store sales recorded at the counter. Each goes through the shop's event path as an `order.paid` of channel
 * `store` (final at once: its return window is 0), exactly like the shop's webhook — so points and growth with the
 * tier's and the member day's multipliers, the coupons it names, purchase statistics, the home store and advisor, and
 * messages all follow. A receipt counts once per store: the first request claims its order id (the claim's primary
 * key), a retry with the same content answers the same, other content is a 409.
 */
export class CounterPurchases {
  constructor(
    private readonly app: FastifyInstance,
    private readonly models: CounterModels,
    private readonly advisors: Advisors,
    private readonly staffRecord: () => StaffRecordReader,
  ) {}

  async record(input: RecordPurchase, acting: Acting): Promise<PurchaseRecorded> {
    const store = storeFor(acting, input.store, 'body.store')
    const orderId = storeOrderId(store, input.receiptNo)
    const givenAt = input.paidAt === undefined ? null : exactInstant(input.paidAt)
    if (input.paidAt !== undefined && givenAt === null) throw new ValidationFailed(`body.paidAt: ${JSON.stringify(input.paidAt)} is not a real date and time`)
    const content = fingerprint({
      ...input,
      store,
      paidAt: givenAt === null ? undefined : new Date(givenAt).toISOString(),
      couponCodes: input.couponCodes === undefined ? undefined : [...new Set(input.couponCodes.map(normalizeCode))].sort(),
    })
    const existing = await this.models.CounterPurchase.findById(orderId).lean<CounterPurchaseDoc>()
    if (existing) return this.again(existing, content)

    const now = this.app.now()
    const paidAt = givenAt === null ? now : new Date(givenAt)
    if (paidAt.getTime() > now.getTime() + CLOCK_SKEW_MS) throw new ValidationFailed('body.paidAt: is in the future')
    if (paidAt.getTime() < now.getTime() - PURCHASE_MAX_AGE_DAYS * 86_400_000) throw new ValidationFailed(`body.paidAt: is more than ${PURCHASE_MAX_AGE_DAYS} days ago`)
    if (!(await this.app.members.repo.exists(input.memberId))) throw new NotFound(`member ${input.memberId} not found`)
    const codes = await this.checkCoupons(input.memberId, input.couponCodes ?? [])
    const advisor = await this.advisorOf(input.advisorId, acting, store)

    const event = this.app.shopEvents.validate({
      eventId: counterEventId(orderId),
      type: 'order.paid',
      occurredAt: paidAt.toISOString(),
      data: {
        orderId,
        member: { memberId: input.memberId },
        paidAt: paidAt.toISOString(),
        channel: 'store',
        store,
        ...(advisor ? { advisor: advisor.key } : {}),
        lines: input.lines.map((l, i) => ({ lineId: String(i + 1), sku: l.sku, name: l.name, quantity: l.quantity, paidFen: l.paidFen, ...(l.category ? { category: l.category } : {}) })),
        ...(codes.length > 0 ? { couponCodes: codes } : {}),
      },
    })

    // should this request die between its claim and the shop's acceptance, the job sends the claimed event
    await this.app.jobs.schedule(`${PURCHASE_ACCEPT_JOB}:${orderId}`, PURCHASE_ACCEPT_JOB, { orderId }, new Date(now.getTime() + ACCEPT_CHECK_DELAY_MS))
    const claim = {
      _id: orderId,
      store,
      receiptNo: input.receiptNo,
      memberId: new Types.ObjectId(input.memberId),
      fingerprint: content,
      eventId: event.eventId,
      event,
      recordedBy: acting.actor,
      at: now,
    }
    try {
      await this.models.CounterPurchase.collection.insertOne(claim as never)
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
      // another request claimed this receipt a moment ago
      return this.again((await this.models.CounterPurchase.findById(orderId).lean<CounterPurchaseDoc>())!, content)
    }
    await this.app.shopEvents.accept(event)
    if (advisor) await this.advisors.remember(advisor.key, { staffId: advisor.staffId, name: advisor.name, store: advisor.store })
    const answer = await this.answer(orderId, event.eventId, true)
    await auditCounter(
      this.app.audit,
      acting,
      'staff.purchase',
      input.memberId,
      {
        orderId,
        receiptNo: input.receiptNo,
        store,
        paidFen: input.lines.reduce((sum, l) => sum + l.paidFen, 0),
        lines: input.lines.length,
        couponCodes: codes,
        advisor: advisor?.key ?? null,
        points: answer.points,
      },
      now,
    )
    return answer
  }

  /** The recovery job: the claimed receipt's event, accepted if the shop module has never seen it (reads only, else). */
  async ensureAccepted(orderId: string): Promise<void> {
    const claim = await this.models.CounterPurchase.findById(orderId).lean<CounterPurchaseDoc>()
    if (claim && !(await this.app.shopEvents.status(claim.eventId))) await this.app.shopEvents.accept(claim.event)
  }

  /** A receipt claimed before: the same content answers as the first time (re-sending its event); other content is a 409. */
  private async again(claim: CounterPurchaseDoc, content: string): Promise<PurchaseRecorded> {
    if (claim.fingerprint !== content) {
      throw new Conflict(`receipt ${claim.receiptNo} of store ${claim.store} was recorded before with other content (order ${claim._id}); check the receipt number`)
    }
    await this.app.shopEvents.accept(claim.event)
    return this.answer(claim._id, claim.eventId, false)
  }

  /** Waits (a few seconds at most) for the sale to be applied, then answers where it stands and the points it earned. */
  private async answer(orderId: string, eventId: string, created: boolean): Promise<PurchaseRecorded> {
    const deadline = Date.now() + APPLY_WAIT_MS
    let status: PurchaseRecorded['status'] = 'queued'
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      status = (await this.app.shopEvents.status(eventId))?.status ?? 'queued'
      if (status !== 'queued' || Date.now() >= deadline) break
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
    return { orderId, eventId, status, points: await this.app.memberOrders.pointsOf(orderId), created }
  }

  /**
   * The coupon codes, normalised and each once, if every one is the member's and usable now: an unknown code is a 404,
   * another member's or an unusable one a 409 COUPON_NOT_USABLE — checked before the sale is recorded, so the counter
   * learns at once (the shop path then marks them used by the order).
   */
  private async checkCoupons(memberId: string, raw: string[]): Promise<string[]> {
    const codes = [...new Set(raw.map(normalizeCode))].filter((c) => c.length > 0)
    for (const code of codes) {
      const found = await this.app.coupons.usage.byCode(code)
      if (found.memberId !== memberId) throw new CouponNotUsable(`coupon ${code} belongs to another member`)
      if (!found.usable) throw new CouponNotUsable(`coupon ${code} cannot be used: ${found.reason ?? 'not usable'}`)
    }
    return codes
  }

  /**
   * Who served the member: the advisor named (a staff record, checked with the staff module: 404 unknown, 409
   * deactivated), else the staff member recording the sale — not an operator (admins are no advisors). The key is
   * what the member's advisor field will hold; a key longer than the shop event takes is left out.
   */
  private async advisorOf(advisorId: string | undefined, acting: Acting, store: string): Promise<{ key: string; staffId: string | null; name: string; store: string | null } | null> {
    const { staff } = acting
    if (advisorId === undefined || advisorId === acting.actor) {
      if (staff.role === 'admin' || acting.actor.length > 64) return null
      return { key: acting.actor, staffId: staff.id, name: staff.name, store: staff.store ?? store }
    }
    const read = this.staffRecord()
    const record = read ? await read(advisorId) : null
    if (record?.status === 'deactivated') throw new Conflict(`staff member ${record.name} is deactivated`)
    const name = record?.name ?? (await this.advisors.show(advisorId))?.name ?? advisorId
    return { key: advisorId, staffId: advisorId, name, store: record?.store ?? store }
  }
}
