import type { GiftOrder, ShippingAddress } from '@member-center/shared'
import type { DomainEvent, DomainEvents } from '../../core/events/index.js'
import { keyPart } from '../loyalty/keys.js'
import type { GiftOrderDoc, MallModels } from './models.js'

/** The shop events that move a gift order (written by the shop module as domain events with `payload.orderId`). */
export const GIFT_SHIPPING_EVENTS = ['order.shipped', 'order.delivered']

/**
 * Gift orders: created by gift redemptions (redemptions.ts), shipped by the shop under their id. The shop's
 * order.shipped / order.delivered events for that id move them pending → shipped → delivered (each move one
 * conditional update, so a repeated or late event changes nothing); a gift cancelled before it shipped stays
 * cancelled, and a shipping event after that is kept on it for an operator. Gift orders are not purchases: nothing
 * here touches points, growth or orders.
 */
export class GiftOrders {
  constructor(
    private readonly models: MallModels,
    private readonly events: DomainEvents,
  ) {}

  /** The domain-event consumer: a shipping event whose orderId is a gift order's moves that gift order. */
  async onShopEvent(event: DomainEvent): Promise<void> {
    const orderId = (event.payload as { orderId?: unknown }).orderId
    if (typeof orderId !== 'string') return
    const gift = await this.models.GiftOrder.findById(orderId).lean<GiftOrderDoc>()
    if (!gift) return
    const payload = event.payload as { carrier?: string; trackingNo?: string }
    if (event.type === 'order.shipped') {
      const moved = await this.models.GiftOrder.updateOne(
        { _id: gift._id, state: 'pending' },
        { $set: { state: 'shipped', shippedAt: event.at, carrier: payload.carrier ?? null, trackingNo: payload.trackingNo ?? null } },
      )
      if (moved.modifiedCount === 1) {
        await this.events.write({
          key: `mall:gift:${keyPart(gift._id)}:shipped`,
          type: 'mall.gift-shipped',
          memberId: gift.memberId,
          payload: { giftOrderId: gift._id, redemptionId: gift.redemptionId.toString(), itemName: gift.itemName, carrier: payload.carrier ?? null, trackingNo: payload.trackingNo ?? null },
          at: event.at,
        })
      } else if (gift.state === 'cancelled') await this.noteLate(gift._id, event)
      return
    }
    if (event.type === 'order.delivered') {
      const moved = await this.models.GiftOrder.updateOne({ _id: gift._id, state: { $in: ['pending', 'shipped'] } }, { $set: { state: 'delivered', deliveredAt: event.at } })
      if (moved.modifiedCount === 0 && gift.state === 'cancelled') await this.noteLate(gift._id, event)
    }
  }

  private async noteLate(id: string, event: DomainEvent): Promise<void> {
    await this.models.GiftOrder.updateOne({ _id: id, lateEvent: null }, { $set: { lateEvent: `${event.type} at ${event.at.toISOString()} after the gift was cancelled` } })
  }

  /** Gift orders by state, oldest first (fulfilment: what to ship). */
  async list(filter: { state?: string; limit?: number } = {}): Promise<GiftOrder[]> {
    const query: Record<string, unknown> = {}
    if (filter.state) query.state = filter.state
    const docs = await this.models.GiftOrder.find(query)
      .sort({ createdAt: 1 })
      .limit(filter.limit ?? 50)
      .lean<GiftOrderDoc[]>()
    return docs.map(giftView)
  }
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

export function giftView(g: GiftOrderDoc): GiftOrder {
  return {
    id: g._id,
    redemptionId: g.redemptionId.toString(),
    memberId: g.memberId.toString(),
    itemId: g.itemId.toString(),
    itemName: g.itemName,
    cashFen: g.cashFen ?? null,
    state: g.state as GiftOrder['state'],
    address: g.address as ShippingAddress,
    carrier: g.carrier ?? null,
    trackingNo: g.trackingNo ?? null,
    createdAt: (g.createdAt as Date).toISOString(),
    shippedAt: iso(g.shippedAt),
    deliveredAt: iso(g.deliveredAt),
    cancelledAt: iso(g.cancelledAt),
  }
}
