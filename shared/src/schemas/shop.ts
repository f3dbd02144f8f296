import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { MAX_FEN } from './common.js'
import { CouponUseResultSchema } from './coupons.js'

/** The fields that name a member; a reference needs at least one of them (other fields are ignored). */
export const MEMBER_REF_FIELDS = ['memberId', 'openid', 'unionid', 'phone'] as const

/** How the shop names the member: at least one of these. */
export const MemberRefSchema = Type.Object(
  {
    memberId: Type.Optional(Type.String({ pattern: '^[0-9a-f]{24}$', maxLength: 24 })),
    openid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    unionid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    phone: Type.Optional(
      Type.String({
        pattern: '^\\+?[0-9 ().-]{6,24}$',
        maxLength: 24,
        description:
          'mainland numbers in any spelling (13800138000, +86 138 0013 8000, 8613800138000) name the same member; others with their country code (+852…)',
      }),
    ),
  },
  { minProperties: 1, description: 'member id, openid, unionid or phone (at least one of these; other fields are ignored)' },
)
export type MemberRef = Static<typeof MemberRefSchema>

const Fen = Type.Integer({ minimum: 0, maximum: MAX_FEN, description: 'an amount in fen (1/100 yuan)' })
const Id = Type.String({ minLength: 1, maxLength: 128 })
/**
 * An instant with its offset (RFC 3339). Besides the format, the service refuses impossible dates (2026-02-31) and
 * times before 2000-01-01 or more than a day ahead of the server's clock.
 */
const Time = Type.String({ format: 'date-time', maxLength: 64 })

export const OrderLineSchema = Type.Object({
  lineId: Type.String({ minLength: 1, maxLength: 128, description: 'unique within the order' }),
  sku: Type.String({ maxLength: 128 }),
  name: Type.String({ maxLength: 256 }),
  quantity: Type.Integer({ minimum: 1, maximum: 100_000 }),
  paidFen: Fen,
  category: Type.Optional(Type.String({ maxLength: 64, description: 'the product category (coupon scopes, review campaigns and segments select by it)' })),
  listPriceFen: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_FEN, description: 'the list price of the line in fen, before discounts' })),
})

const OrderLines = Type.Array(OrderLineSchema, { minItems: 1, maxItems: 500 })

export const ShopEventDataSchemas = {
  /** an order placed, not paid yet (payment reminders); settlement waits for order.paid */
  'order.created': Type.Object({
    orderId: Id,
    member: MemberRefSchema,
    lines: OrderLines,
    createdAt: Type.Optional(Time),
    channel: Type.Optional(Type.String({ maxLength: 64 })),
    store: Type.Optional(Type.String({ maxLength: 128 })),
  }),
  'order.paid': Type.Object({
    orderId: Id,
    member: MemberRefSchema,
    lines: OrderLines,
    paidAt: Type.Optional(Time),
    channel: Type.Optional(Type.String({ maxLength: 64, description: "store: a sale at a counter (the member's first one sets their home store)" })),
    store: Type.Optional(Type.String({ maxLength: 128 })),
    advisor: Type.Optional(Type.String({ maxLength: 64, description: "the sales advisor of an in-store sale: the first one named becomes the member's dedicated advisor" })),
    couponCodes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
        maxItems: 20,
        description: "the member's coupons the shopper used on the order: each valid one is marked used by it once; any other is reported in the event's status",
      }),
    ),
  }),
  'order.shipped': Type.Object({
    orderId: Id,
    member: Type.Optional(MemberRefSchema),
    carrier: Type.String({ minLength: 1, maxLength: 64 }),
    trackingNo: Type.String({ minLength: 1, maxLength: 64 }),
    shippedAt: Type.Optional(Time),
  }),
  'order.logistics_update': Type.Object({
    orderId: Id,
    member: Type.Optional(MemberRefSchema),
    status: Type.String({ minLength: 1, maxLength: 64, description: 'e.g. in_transit, exception, returned, failed_delivery' }),
    at: Type.Optional(Time),
    description: Type.Optional(Type.String({ maxLength: 512 })),
  }),
  'order.delivered': Type.Object({ orderId: Id, member: Type.Optional(MemberRefSchema), deliveredAt: Type.Optional(Time) }),
  'order.refunded': Type.Object({
    orderId: Id,
    member: Type.Optional(MemberRefSchema),
    refundId: Id,
    lines: Type.Array(Type.Object({ lineId: Id, refundFen: Type.Integer({ minimum: 1, maximum: MAX_FEN }) }), {
      minItems: 1,
      maxItems: 500,
      description: 'each line of the order at most once',
    }),
    refundedAt: Type.Optional(Time),
  }),
  'order.cancelled': Type.Object({ orderId: Id, member: Type.Optional(MemberRefSchema), cancelledAt: Type.Optional(Time) }),
} satisfies Record<string, TSchema>

export type ShopEventType = keyof typeof ShopEventDataSchemas
export const SHOP_EVENT_TYPES = Object.keys(ShopEventDataSchemas) as ShopEventType[]
export type ShopEventData<T extends ShopEventType> = Static<(typeof ShopEventDataSchemas)[T]>

const examples: Record<ShopEventType, unknown> = {
  'order.created': {
    eventId: 'evt_20261123_0000',
    type: 'order.created',
    occurredAt: '2026-11-23T10:05:00+08:00',
    data: {
      orderId: 'SO20261123001',
      member: { openid: 'oAbc123…' },
      createdAt: '2026-11-23T10:05:00+08:00',
      channel: 'mall',
      store: 'online',
      lines: [{ lineId: '1', sku: 'RING-18K-001', name: '18K 金戒指', quantity: 1, paidFen: 329900, category: 'ring', listPriceFen: 359900 }],
    },
  },
  'order.paid': {
    eventId: 'evt_20261123_0001',
    type: 'order.paid',
    occurredAt: '2026-11-23T10:15:00+08:00',
    data: {
      orderId: 'SO20261123001',
      member: { openid: 'oAbc123…' },
      paidAt: '2026-11-23T10:15:00+08:00',
      channel: 'mall',
      store: 'online',
      lines: [{ lineId: '1', sku: 'RING-18K-001', name: '18K 金戒指', quantity: 1, paidFen: 329900, category: 'ring', listPriceFen: 359900 }],
    },
  },
  'order.shipped': { eventId: 'evt_2', type: 'order.shipped', occurredAt: '2026-11-23T18:00:00+08:00', data: { orderId: 'SO20261123001', carrier: 'SF', trackingNo: 'SF1234567890' } },
  'order.logistics_update': {
    eventId: 'evt_3',
    type: 'order.logistics_update',
    occurredAt: '2026-11-24T09:00:00+08:00',
    data: { orderId: 'SO20261123001', status: 'in_transit', at: '2026-11-24T09:00:00+08:00', description: '已到达上海转运中心' },
  },
  'order.delivered': { eventId: 'evt_4', type: 'order.delivered', occurredAt: '2026-11-25T14:30:00+08:00', data: { orderId: 'SO20261123001' } },
  'order.refunded': {
    eventId: 'evt_5',
    type: 'order.refunded',
    occurredAt: '2026-11-26T11:00:00+08:00',
    data: { orderId: 'SO20261123001', refundId: 'RF001', lines: [{ lineId: '1', refundFen: 100000 }] },
  },
  'order.cancelled': { eventId: 'evt_6', type: 'order.cancelled', occurredAt: '2026-11-23T10:20:00+08:00', data: { orderId: 'SO20261123002' } },
}

export const ShopEventSchema = Type.Object(
  {
    eventId: Type.String({ minLength: 1, maxLength: 128, description: 'unique per event; a replay with the same id changes nothing' }),
    type: Type.Union(SHOP_EVENT_TYPES.map((t) => Type.Literal(t))),
    occurredAt: Time,
    data: Type.Object({ orderId: Id }, { additionalProperties: true, description: 'per type: see the examples' }),
  },
  { examples: Object.values(examples) },
)
export type ShopEvent = Static<typeof ShopEventSchema>

/**
 * The batch: each event is checked on its own (as POST /events checks one), so one that is not valid answers
 * `rejected` and the others go through.
 */
export const ShopEventBatchSchema = Type.Object({
  events: Type.Array(Type.Unknown({ description: 'a shop event, as POST /events takes it' }), { minItems: 1, maxItems: 500 }),
})

export const ShopEventResultSchema = Type.Object({
  eventId: Type.String(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')], {
    description:
      'accepted: recorded, and applied within moments (GET /events/{eventId} tells when); duplicate: this eventId was received before and nothing changed',
  }),
})
export type ShopEventResult = Static<typeof ShopEventResultSchema>

export const ShopEventStatusSchema = Type.Object({
  eventId: Type.String(),
  status: Type.Union([Type.Literal('queued'), Type.Literal('applied'), Type.Literal('parked')], {
    description: 'queued: accepted, not applied yet; applied: the order is up to date; parked: kept until its member appears (logs in, binds a phone)',
  }),
  attempts: Type.Optional(Type.Integer({ description: 'queued: failed attempts to apply it so far' })),
  lastError: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  anomalies: Type.Optional(
    Type.Array(
      Type.Object({
        kind: Type.String({ description: 'shipped-before-paid, delivered-before-paid, refunded-before-paid or cancelled-before-paid' }),
        at: Type.String({ format: 'date-time', description: 'the time the event reported' }),
        usedAt: Type.String({ format: 'date-time', description: 'the time used instead: the payment’s' }),
      }),
      { description: 'facts this event reported in an impossible order: recorded on the order, and counted at a possible time' },
    ),
  ),
  coupons: Type.Optional(
    Type.Array(CouponUseResultSchema, {
      description: "order.paid: what became of each coupon code it carried (used, or the problem: unknown, not-this-members, already-used, expired, not-yet-valid, void, member-unknown); listed once they are processed, moments after the event is applied",
    }),
  ),
})
export type ShopEventStatus = Static<typeof ShopEventStatusSchema>

export const ShopEventBatchResultSchema = Type.Object({
  results: Type.Array(
    Type.Union([ShopEventResultSchema, Type.Object({ eventId: Type.String(), status: Type.Literal('rejected'), code: Type.String(), message: Type.String() })]),
  ),
})
