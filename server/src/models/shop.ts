import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/** Every shop event applied, kept as it came: with the queue, what answers a replay with "duplicate". */
export const shopEventSchema = new Schema(
  {
    /** the eventId: lookups by primary key are the fast path on every server */
    _id: { type: String, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    occurredAt: { type: Date, required: true },
    orderId: { type: String, default: null },
    data: { type: Schema.Types.Mixed, required: true },
    /** applied: the order was updated; parked: its member is not known yet */
    state: { type: String, required: true, enum: ['applied', 'parked'] },
    receivedAt: { type: Date, required: true },
  },
  { collection: 'shop_events', versionKey: false },
)
// _id is the eventId: a replayed event is recognised by its primary key and changes nothing
shopEventSchema.index({ orderId: 1, occurredAt: 1 })

/**
 * Events accepted but not yet applied (services/shop-events.ts). Small by design: an event leaves it as soon as it
 * is applied (and recorded in shop_events), so finding the ones left behind never scans the whole history.
 */
const shopEventQueueSchema = new Schema(
  {
    /** the eventId */
    _id: { type: String, required: true },
    /** the event as the shop sent it (validated) */
    event: { type: Schema.Types.Mixed, required: true },
    receivedAt: { type: Date, required: true },
    /** failed attempts to apply it, the last error, and when to try again */
    attempts: { type: Number, required: true, default: 0 },
    lastError: { type: String, default: null },
    retryAt: { type: Date, default: null },
  },
  { collection: 'shop_event_queue', versionKey: false },
)

const lineSchema = new Schema({ lineId: String, sku: String, name: String, quantity: Number, paidFen: Number }, { _id: false })

/** What settlement has done for one order line (written only by the holder of the order's lease). */
const lineStateSchema = new Schema(
  {
    lineId: String,
    paidFen: Number,
    earnedPoints: Number,
    earnedGrowth: Number,
    /** points and growth the line still stands for after the refunds applied so far */
    pointsLeft: Number,
    growthLeft: Number,
    refundedFen: Number,
    appliedRefunds: [String],
    earnApplied: Boolean,
    confirmed: Boolean,
    growthCounted: Boolean,
  },
  { _id: false },
)

/**
 * An order's facts, gathered from its events in whatever order they arrive, and its settlement state. Settlement
 * (services/orders.ts) derives the ledger changes from the facts, so any arrival order ends in the same state.
 */
export const orderSchema = new Schema(
  {
    /** the orderId */
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    /** how the shop named the member: memberId:…, openid:…, unionid:…, phone:… */
    memberRef: { type: String, default: null },
    paid: {
      type: new Schema({ at: Date, channel: String, store: String, lines: [lineSchema] }, { _id: false }),
      default: null,
    },
    shipped: { type: new Schema({ at: Date, carrier: String, trackingNo: String }, { _id: false }), default: null },
    logistics: { type: [new Schema({ at: Date, status: String, description: String }, { _id: false })], default: [] },
    deliveredAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    refunds: {
      type: [new Schema({ refundId: String, at: Date, lines: [new Schema({ lineId: String, refundFen: Number }, { _id: false })] }, { _id: false })],
      default: [],
    },
    /** the earning rates fixed at the first settlement: refunds reverse at the same rates */
    rates: { type: Schema.Types.Mixed, default: null },
    lines: { type: [lineStateSchema], default: [] },
    confirmAt: { type: Date, default: null },
    lease: { owner: { type: String, default: null }, until: { type: Date, default: null } },
  },
  { collection: 'orders', versionKey: false, timestamps: true },
)
// _id is the orderId: one document per order, where events for the same order meet
// parked orders waiting for their member to appear
orderSchema.index({ memberRef: 1, memberId: 1 })
orderSchema.index({ memberId: 1, createdAt: -1 })

export type Order = InferSchemaType<typeof orderSchema>

export function shopModels(connection: Connection) {
  return {
    ShopEvent: connection.model('ShopEvent', shopEventSchema),
    ShopEventQueue: connection.model('ShopEventQueue', shopEventQueueSchema),
    Order: connection.model('Order', orderSchema),
  }
}
