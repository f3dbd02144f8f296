import { randomBytes } from 'node:crypto'

let counter = 0
const id = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${(counter++).toString(36)}_${randomBytes(2).toString('hex')}`

export type MemberRef = { memberId?: string; openid?: string; unionid?: string; phone?: string }

/** Builders for shop events as the shop sends them. */
export const shop = {
  orderId: () => id('SO'),
  /** an order placed, not paid yet */
  created: (orderId: string, member: MemberRef, lines: { lineId: string; paidFen: number; category?: string }[], createdAt: string, eventId = id('evt')) => ({
    eventId,
    type: 'order.created',
    occurredAt: createdAt,
    data: {
      orderId,
      member,
      createdAt,
      channel: 'mall',
      store: 'online',
      lines: lines.map((l) => ({ sku: `SKU-${l.lineId}`, name: `商品 ${l.lineId}`, quantity: 1, ...l })),
    },
  }),
  paid: (orderId: string, member: MemberRef, lines: { lineId: string; paidFen: number; category?: string }[], paidAt: string, eventId = id('evt')) => ({
    eventId,
    type: 'order.paid',
    occurredAt: paidAt,
    data: {
      orderId,
      member,
      paidAt,
      channel: 'mall',
      store: 'online',
      lines: lines.map((l) => ({ sku: `SKU-${l.lineId}`, name: `商品 ${l.lineId}`, quantity: 1, ...l })),
    },
  }),
  shipped: (orderId: string, at: string, eventId = id('evt')) => ({
    eventId,
    type: 'order.shipped',
    occurredAt: at,
    data: { orderId, carrier: 'SF', trackingNo: `SF${Math.floor(Math.random() * 1e10)}`, shippedAt: at },
  }),
  delivered: (orderId: string, at: string, eventId = id('evt')) => ({ eventId, type: 'order.delivered', occurredAt: at, data: { orderId, deliveredAt: at } }),
  refunded: (orderId: string, refundId: string, lines: { lineId: string; refundFen: number }[], at: string, eventId = id('evt')) => ({
    eventId,
    type: 'order.refunded',
    occurredAt: at,
    data: { orderId, refundId, lines, refundedAt: at },
  }),
  cancelled: (orderId: string, at: string, eventId = id('evt')) => ({ eventId, type: 'order.cancelled', occurredAt: at, data: { orderId, cancelledAt: at } }),
}
