import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/** An order line as paid; category and list price are optional (coupon scopes, review campaigns and segments select by them). */
const lineSchema = new Schema(
  { lineId: String, sku: String, name: String, quantity: Number, paidFen: Number, category: { type: String, default: null }, listPriceFen: { type: Number, default: null } },
  { _id: false },
)

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
    /** when the line's growth counted (payment or confirmation): a refund takes growth back from that month */
    growthAt: { type: Date, default: null },
    /** the order's cancellation has been applied to this line (its own flag: no refund id can stand for it) */
    cancelled: { type: Boolean, default: false },
    /**
     * earnedPoints/earnedGrowth are the line's share of the order's points and growth (computed on the order's paid
     * amount, allocated exactly); refunds give back that share in proportion to the refunded fen. False on lines
     * settled before, which earned per line and keep those figures.
     */
    allocated: { type: Boolean, default: false },
  },
  { _id: false },
)

/**
 * An order's facts, gathered from its events in whatever order they arrive, and its settlement state. Settlement
 * (orders.ts) derives the ledger changes from the facts, so any arrival order ends in the same state.
 */
export const orderSchema = new Schema(
  {
    /** the orderId */
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    /** how the shop named the member: memberId:…, openid:…, unionid:…, phone:… */
    memberRef: { type: String, default: null },
    /** each fact keeps the eventId that reported it, so an anomaly can name the event */
    paid: {
      type: new Schema({ at: Date, channel: String, store: String, advisor: { type: String, default: null }, lines: [lineSchema], eventId: String }, { _id: false }),
      default: null,
    },
    /**
     * an order carried over from another system (npm run import): history, earning nothing here except the points
     * the old system held pending for it (`pendingPoints`, confirming at `confirmsAt`); refunds it had before the
     * migration (`refundIds`) are already in those figures. `hash` fingerprints the imported record (a re-run with
     * the same record is unchanged, with another one refused).
     */
    migrated: {
      type: new Schema(
        { at: Date, pendingPoints: { type: Number, default: 0 }, confirmsAt: { type: Date, default: null }, refundIds: [String], hash: String },
        { _id: false },
      ),
      default: null,
    },
    /** the order as placed (order.created), before any payment: payment reminders; settlement ignores it */
    created: { type: new Schema({ at: Date, channel: String, store: String, lines: [lineSchema] }, { _id: false }), default: null },
    shipped: { type: new Schema({ at: Date, carrier: String, trackingNo: String, eventId: String }, { _id: false }), default: null },
    logistics: { type: [new Schema({ at: Date, status: String, description: String }, { _id: false })], default: [] },
    deliveredAt: { type: Date, default: null },
    deliveredEventId: { type: String, default: null },
    cancelledAt: { type: Date, default: null },
    cancelledEventId: { type: String, default: null },
    refunds: {
      type: [
        new Schema({ refundId: String, at: Date, eventId: String, lines: [new Schema({ lineId: String, refundFen: Number }, { _id: false })] }, { _id: false }),
      ],
      default: [],
    },
    /**
     * facts in an impossible order (delivered, shipped, refunded or cancelled before the payment), found when the
     * order is settled: the time reported (`at`) and the time used instead (`usedAt`, the payment's)
     */
    anomalies: {
      type: [new Schema({ kind: String, eventId: { type: String, default: null }, at: Date, usedAt: Date }, { _id: false })],
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
// a new review campaign's invitations: the orders paid in its purchase window
orderSchema.index({ 'paid.at': 1 })

export type Order = InferSchemaType<typeof orderSchema>

export function orderModel(connection: Connection) {
  return connection.model('Order', orderSchema)
}
