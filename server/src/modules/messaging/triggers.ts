import { shanghaiDate, type MessageData } from '@member-center/shared'
import type { FastifyInstance } from 'fastify'
import { Types } from 'mongoose'
import type { DomainEvent } from '../../core/events/index.js'
import { keyPart } from '../loyalty/keys.js'
import type { Dispatcher } from './dispatcher.js'
import type { MessageDraft, Outbox } from './outbox.js'

export const PAYMENT_REMINDER_JOB = 'messaging.payment-reminder'
export const LOGISTICS_CHECK_JOB = 'messaging.logistics-check'
export const CARE_TIPS_SETTING = 'care-tips'

/** Logistics statuses that are an exception the member hears about. */
const EXCEPTION_STATUSES = new Set(['exception', 'returned', 'failed_delivery', 'rejected', 'lost', 'damaged'])

type OrderFacts = NonNullable<Awaited<ReturnType<FastifyInstance['orders']['facts']>>>

/**
 * What sends messages now: shop events (shipped, logistics exceptions — reported, or silence after shipping found by
 * a job —, delivered with the care tips of the piece's category, a payment reminder for an order placed and still
 * unpaid, refund progress) and loyalty's domain events (points confirmed, tier up and down, the keep reminder before
 * a review, points and coupons about to expire). Each message's dedupe key is the fact it tells, so a replayed or
 * re-sent event is one message.
 */
export class MessageTriggers {
  constructor(
    private readonly app: FastifyInstance,
    private readonly outbox: Outbox,
    private readonly dispatcher: Dispatcher,
  ) {}

  register(): void {
    const { app } = this
    app.events.consume('messaging.shipping-care', ['order.created', 'order.shipped', 'order.logistics_update', 'order.delivered', 'order.refunded'], (e) => this.onOrderEvent(e))
    app.events.consume('messaging.loyalty-care', ['points.confirmed', 'tier.changed', 'tier.review_upcoming', 'points.expiring', 'coupon.expiring'], (e) => this.onLoyaltyEvent(e))
    // a points-mall gift ships through the shop's events too, under its gift order's id (the mall names the member)
    app.events.consume('messaging.gift-care', ['mall.gift-shipped'], (e) => this.onGiftShipped(e))
    app.jobs.register(PAYMENT_REMINDER_JOB, async (payload) => this.paymentReminder(payload.orderId as string, payload.memberId as string))
    app.jobs.register(LOGISTICS_CHECK_JOB, async (payload) => this.logisticsCheck(payload.orderId as string, payload.memberId as string))
  }

  private async onOrderEvent(event: DomainEvent): Promise<void> {
    const p = event.payload as Record<string, unknown> & { orderId: string }
    const memberId = event.memberId
    if (!memberId) return
    const orderId = p.orderId
    const facts = await this.app.orders.facts(orderId)
    const item = itemName(facts)
    const policy = await this.dispatcher.policy()
    if (this.stale(factTime(event), policy.staleAfterHours)) return
    const o = keyPart(orderId)
    switch (event.type) {
      case 'order.created': {
        const createdAt = new Date((p.createdAt as string | undefined) ?? event.at)
        const due = new Date(createdAt.getTime() + policy.paymentReminderMinutes * 60_000)
        await this.app.jobs.schedule(`${PAYMENT_REMINDER_JOB}:${orderId}`, PAYMENT_REMINDER_JOB, { orderId, memberId: memberId.toString() }, due)
        return
      }
      case 'order.shipped': {
        await this.send({ dedupeKey: `shipped:${o}`, kind: 'shipped', memberId, data: { orderId, carrier: p.carrier as string, trackingNo: p.trackingNo as string, item } })
        const shippedAt = facts?.shipped?.at ?? event.at
        await this.app.jobs.schedule(`${LOGISTICS_CHECK_JOB}:${orderId}`, LOGISTICS_CHECK_JOB, { orderId, memberId: memberId.toString() }, new Date(new Date(shippedAt).getTime() + policy.logisticsSilenceHours * 3_600_000))
        return
      }
      case 'order.logistics_update': {
        const status = String(p.status ?? '')
        if (!EXCEPTION_STATUSES.has(status)) return
        await this.send({ dedupeKey: `logistics_exception:${o}:${keyPart(status)}`, kind: 'logistics_exception', memberId, data: { orderId, status, description: (p.description as string | null) ?? statusWords(status) } })
        return
      }
      case 'order.delivered':
        await this.send({ dedupeKey: `delivered:${o}`, kind: 'delivered', memberId, data: { orderId, item, tips: await this.careTips(facts) } })
        return
      case 'order.refunded': {
        const refundId = String(p.refundId ?? '')
        const totals = await this.app.pointsHistory.orderTotals(memberId, orderId, refundId)
        await this.send({
          dedupeKey: `refund_progress:${o}:${keyPart(refundId)}`,
          kind: 'refund_progress',
          memberId,
          data: { orderId, amountFen: (p.refundFen as number | undefined) ?? 0, pointsTaken: totals.reversed, status: '已退款' },
        })
      }
    }
  }

  private async onLoyaltyEvent(event: DomainEvent): Promise<void> {
    const memberId = event.memberId
    if (!memberId) return
    const p = event.payload as Record<string, unknown>
    if (this.stale(event.at, (await this.dispatcher.policy()).staleAfterHours)) return
    const key = keyPart(event.key)
    switch (event.type) {
      case 'points.confirmed': {
        // one message per order, however many lines confirmed: the order's total, after every line's entry
        const orderId = String(p.orderId)
        const [totals, member] = await Promise.all([this.app.pointsHistory.orderTotals(memberId, orderId), this.app.members.repo.findById(memberId)])
        await this.send({
          dedupeKey: `points_confirmed:${keyPart(orderId)}`,
          kind: 'points_confirmed',
          memberId,
          data: { orderId, points: totals.confirmed, balance: (member as { points?: { available?: number } } | null)?.points?.available ?? 0 },
          notBefore: new Date(event.at.getTime() + 60_000),
        })
        return
      }
      case 'tier.changed': {
        const tiers = await this.app.tierTable.current()
        const to = tiers.find((t) => t.level === p.toLevel)
        const name = to?.name ?? `L${String(p.toLevel)}`
        if ((p.toLevel as number) > (p.fromLevel as number)) {
          const benefits = ((p.benefitsAdded as { title: string }[] | undefined) ?? []).map((b) => b.title).join('、')
          await this.send({ dedupeKey: `tier_upgrade:${key}`, kind: 'tier_upgrade', memberId, data: { tierName: name, benefits } })
        } else {
          await this.send({ dedupeKey: `tier_downgrade:${key}`, kind: 'tier_downgrade', memberId, data: { tierName: name, reason: p.reason === 'review' ? '年度复核后调整' : '成长值变化后调整' } })
        }
        return
      }
      case 'tier.review_upcoming':
        await this.send({
          dedupeKey: `tier_keep_reminder:${key}`,
          kind: 'tier_keep_reminder',
          memberId,
          data: { tierName: p.tierName as string, reviewDate: shanghaiDate(new Date(p.reviewAt as string)), growthNeeded: p.toKeep as number },
        })
        return
      case 'points.expiring':
        await this.send({ dedupeKey: `points_expiring:${key}`, kind: 'points_expiring', memberId, data: { points: p.points as number, expiresOn: shanghaiDate(new Date(new Date(p.expiresAt as string).getTime() - 1)) } })
        return
      case 'coupon.expiring':
        await this.send({ dedupeKey: `coupon_expiring:${key}`, kind: 'coupon_expiring', memberId, data: { couponName: p.name as string, expiresOn: shanghaiDate(new Date(p.validUntil as string)) } })
    }
  }

  private async onGiftShipped(event: DomainEvent): Promise<void> {
    const p = event.payload as { giftOrderId: string; itemName?: string; carrier?: string | null; trackingNo?: string | null }
    if (!event.memberId || this.stale(event.at, (await this.dispatcher.policy()).staleAfterHours)) return
    await this.send({
      dedupeKey: `shipped:${keyPart(p.giftOrderId)}`,
      kind: 'shipped',
      memberId: event.memberId,
      data: { orderId: p.giftOrderId, carrier: p.carrier ?? '', trackingNo: p.trackingNo ?? '', item: p.itemName ?? '积分兑换礼品' },
    })
  }

  /** The payment reminder's job: once per order, only while it is neither paid nor cancelled. */
  private async paymentReminder(orderId: string, memberId: string): Promise<void> {
    const facts = await this.app.orders.facts(orderId)
    if (!facts || facts.paid || facts.cancelledAt) return
    const amountFen = (facts.created?.lines ?? []).reduce((sum, l) => sum + (l.paidFen ?? 0), 0)
    await this.send({ dedupeKey: `payment_reminder:${keyPart(orderId)}`, kind: 'payment_reminder', memberId: new Types.ObjectId(memberId), data: { orderId, amountFen, item: itemName(facts) } })
  }

  /**
   * The logistics check: no logistics update for the policy's hours since the last sign of the parcel (shipping, or
   * the latest update), and not delivered — the member hears of it once; otherwise the check moves on.
   */
  private async logisticsCheck(orderId: string, memberId: string): Promise<void | { rescheduleAt: Date }> {
    const facts = await this.app.orders.facts(orderId)
    if (!facts?.shipped || facts.deliveredAt || facts.cancelledAt) return
    const policy = await this.dispatcher.policy()
    const last = Math.max(new Date(facts.shipped.at as Date).getTime(), ...(facts.logistics ?? []).map((l) => new Date(l.at as Date).getTime()))
    const due = last + policy.logisticsSilenceHours * 3_600_000
    if (due > this.app.now().getTime()) return { rescheduleAt: new Date(due) }
    await this.send({
      dedupeKey: `logistics_exception:${keyPart(orderId)}:silence`,
      kind: 'logistics_exception',
      memberId: new Types.ObjectId(memberId),
      data: { orderId, status: 'no_update', description: `物流已超过 ${policy.logisticsSilenceHours} 小时没有更新` },
    })
  }

  /** The care tips an operator keeps for the categories of the order's pieces (the first category with tips). */
  private async careTips(facts: OrderFacts | null): Promise<string> {
    const tips = (await this.app.settings.get<Record<string, string>>(CARE_TIPS_SETTING)) ?? {}
    for (const line of facts?.paid?.lines ?? []) {
      const tip = line.category ? tips[line.category] : undefined
      if (tip) return tip
    }
    return tips.default ?? '佩戴时避免与香水、化妆品直接接触，存放于首饰盒中。'
  }

  /** A fact too old to tell the member about now (a backfill, an imported history): the right message at the wrong time is wrong. */
  private stale(at: Date, hours: number): boolean {
    return at.getTime() < this.app.now().getTime() - hours * 3_600_000
  }

  private async send(draft: MessageDraft & { data: MessageData }): Promise<void> {
    await this.outbox.enqueue([draft])
  }
}

/** When the fact an order event reports happened: its own time field, else when the event was written. */
function factTime(event: DomainEvent): Date {
  const p = event.payload as Record<string, unknown>
  const at = p.createdAt ?? p.paidAt ?? p.at ?? null
  const parsed = typeof at === 'string' || at instanceof Date ? new Date(at) : null
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : event.at
}

/** The first piece's name, and how many more. */
function itemName(facts: OrderFacts | null): string {
  const lines = facts?.paid?.lines ?? facts?.created?.lines ?? []
  const first = lines[0]?.name ?? '您的订单'
  return lines.length > 1 ? `${first} 等 ${lines.length} 件` : first
}

function statusWords(status: string): string {
  return ({ exception: '物流异常', returned: '包裹退回', failed_delivery: '派送失败', rejected: '包裹被拒收', lost: '包裹丢失', damaged: '包裹破损' } as Record<string, string>)[status] ?? status
}
