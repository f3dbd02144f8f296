import { ShopEventDataSchemas, type ShopEvent, type ShopEventResult, type ShopEventType, type MemberRef } from '@member-center/shared'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import { FormatRegistry, type TSchema } from '@sinclair/typebox'
import { ValidationFailed } from '../errors.js'
import type { Models } from '../models/index.js'
import { memberRefKey } from '../repositories/members.js'
import type { OrderService } from './orders.js'
import { ignoreDuplicateKey } from '../models/duplicate-key.js'

// the compiled checks use TypeBox's own format registry (Fastify's ajv has its own)
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !Number.isNaN(Date.parse(v)))
}

const checks = Object.fromEntries(
  Object.entries(ShopEventDataSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema as TSchema)]),
) as Record<ShopEventType, TypeCheck<TSchema>>


/**
 * Shop events in: each is recorded once by eventId (the inbox), its facts merged into the order, and the order
 * settled. A replay of an applied event changes nothing and says so.
 */
export class ShopEventService {
  constructor(
    private readonly models: Models,
    private readonly orders: OrderService,
    private readonly now: () => Date,
  ) {}

  /** Checks an event's data against its type's schema; throws 400 naming the first wrong field. */
  validate(event: ShopEvent): void {
    const check = checks[event.type]
    const error = check.Errors(event.data).First()
    if (error) throw new ValidationFailed(`data${error.path.replace(/\//g, '.')}: ${error.message}`)
  }

  async ingest(event: ShopEvent): Promise<ShopEventResult> {
    this.validate(event)
    if (await this.models.ShopEvent.exists({ _id: event.eventId })) return { eventId: event.eventId, status: 'duplicate' }
    // Facts first, the inbox record last: a crash in between leaves no record, so the shop's retry applies the event
    // again — merging facts and settling are idempotent. Copies racing past the check above all merge the same facts;
    // the order's lease lets one settle; the inbox's primary key lets one say "applied".
    await this.recordFacts(event)
    const settled = await this.orders.settle(event.data.orderId)
    const state = settled === 'parked' ? 'parked' : 'applied'
    try {
      await this.models.ShopEvent.create({
        _id: event.eventId,
        eventId: event.eventId,
        type: event.type,
        occurredAt: new Date(event.occurredAt),
        orderId: event.data.orderId,
        data: event.data,
        state,
        receivedAt: this.now(),
      })
    } catch (error) {
      ignoreDuplicateKey(error)
      return { eventId: event.eventId, status: 'duplicate' }
    }
    return { eventId: event.eventId, status: state }
  }

  /** Merges the event's facts into the order document; every merge is idempotent and independent of arrival order. */
  private async recordFacts(event: ShopEvent): Promise<void> {
    const d = event.data as Record<string, unknown> & { orderId: string; member?: MemberRef }
    const at = (field: unknown) => new Date((field as string | undefined) ?? event.occurredAt)
    const Order = this.models.Order
    const orderId = d.orderId
    const ref = d.member ? { memberRef: memberRefKey(d.member) } : {}
    /**
     * One write per fact: update the order where the fact is still missing, creating the order if there is none.
     * When the order exists and already has the fact, the filter misses, the upsert's insert hits the primary key,
     * and that duplicate means "already recorded".
     */
    const merge = async (missing: Record<string, unknown>, update: Record<string, unknown>) => {
      try {
        await Order.updateOne({ _id: orderId, ...missing }, { ...update, $setOnInsert: { orderId, ...((update.$setOnInsert as object) ?? {}) } }, { upsert: true })
      } catch (error) {
        ignoreDuplicateKey(error)
      }
    }
    switch (event.type) {
      case 'order.paid': {
        const lines = (d.lines as { lineId: string; sku: string; name: string; quantity: number; paidFen: number }[]).map((l) => ({
          lineId: l.lineId,
          sku: l.sku,
          name: l.name,
          quantity: l.quantity,
          paidFen: l.paidFen,
        }))
        // the first payment report wins; a conflicting second one for the same order is ignored
        await merge({ paid: null }, { $set: { paid: { at: at(d.paidAt), channel: d.channel ?? null, store: d.store ?? null, lines }, ...ref } })
        break
      }
      case 'order.shipped':
        await merge({ shipped: null }, { $set: { shipped: { at: at(d.shippedAt), carrier: d.carrier, trackingNo: d.trackingNo } }, $setOnInsert: ref })
        await this.domainEvent(`order:${orderId}:shipped`, 'order.shipped', orderId, { carrier: d.carrier, trackingNo: d.trackingNo })
        break
      case 'order.logistics_update': {
        const entry = { at: at(d.at), status: d.status as string, description: (d.description as string | undefined) ?? null }
        await merge({ 'logistics.at': { $ne: entry.at } }, { $push: { logistics: entry }, $setOnInsert: ref })
        await this.domainEvent(`shop:${event.eventId}`, 'order.logistics_update', orderId, entry)
        break
      }
      case 'order.delivered':
        await merge({ deliveredAt: null }, { $set: { deliveredAt: at(d.deliveredAt) }, $setOnInsert: ref })
        await this.domainEvent(`order:${orderId}:delivered`, 'order.delivered', orderId, {})
        break
      case 'order.refunded': {
        const refund = { refundId: d.refundId as string, at: at(d.refundedAt), lines: d.lines as { lineId: string; refundFen: number }[] }
        await merge({ 'refunds.refundId': { $ne: refund.refundId } }, { $push: { refunds: refund }, $setOnInsert: ref })
        break
      }
      case 'order.cancelled':
        await merge({ cancelledAt: null }, { $set: { cancelledAt: at(d.cancelledAt) }, $setOnInsert: ref })
        break
    }
  }

  private async domainEvent(key: string, type: string, orderId: string, payload: Record<string, unknown>) {
    const order = await this.models.Order.findById(orderId, { memberId: 1 }).lean()
    try {
      await this.models.DomainEvent.create({ _id: key, key, type, memberId: order?.memberId ?? null, payload: { orderId, ...payload }, at: this.now() })
    } catch (error) {
      ignoreDuplicateKey(error)
    }
  }
}
