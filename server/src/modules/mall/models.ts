import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/**
 * A points-mall item: a coupon template or a physical gift. `stockLeft` is taken by a conditional update (never below
 * 0) that also records the redemptions taking it in `takes`, so a redemption repaired after a crash can tell whether
 * its unit was taken; a redemption's id leaves `takes` once the redemption is recorded done (or gives the unit back).
 * `returns` does the same for a cancelled gift's unit coming back.
 */
export const mallItemSchema = new Schema(
  {
    kind: { type: String, enum: ['coupon', 'gift'], required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    images: { type: [String], default: [] },
    pointsPrice: { type: Number, required: true },
    /** a cash part the shop collects with a gift (recorded, never charged here) */
    cashFen: { type: Number, default: null },
    couponTemplateId: { type: Schema.Types.ObjectId, default: null },
    /** the total stock, and what is left of it: stock − stockLeft = units held by redemptions */
    stock: { type: Number, required: true },
    stockLeft: { type: Number, required: true },
    tiers: { type: [String], default: null },
    perMemberLimit: { type: Number, default: null },
    availableFrom: { type: Date, default: null },
    availableTo: { type: Date, default: null },
    status: { type: String, enum: ['active', 'paused'], required: true, default: 'active' },
    /** redemptions whose unit was taken and that are not yet recorded done (a few at a time) */
    takes: { type: [String], default: [] },
    /** cancelled gifts whose unit came back and that are not yet recorded cancelled */
    returns: { type: [String], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'mall_items', versionKey: false },
)
// the mall page and the admin list: items by status, newest first
mallItemSchema.index({ status: 1, createdAt: -1 })

/** The saga states of a redemption (see redemptions.ts). */
export const REDEMPTION_STATES = ['created', 'points-taken', 'done', 'compensating', 'failed', 'cancelling', 'cancelled'] as const
export type RedemptionState = (typeof REDEMPTION_STATES)[number]
export const TERMINAL_STATES: readonly RedemptionState[] = ['done', 'failed', 'cancelled']

/**
 * A redemption, and the log of its saga: one document per member request (its idempotency key), whose `state` says
 * which step it has reached. A process working on it holds a lease (`leaseOwner`, `leaseUntil`); the repair job
 * takes over when the lease has run out.
 */
export const redemptionSchema = new Schema(
  {
    /** `{memberId}:{idempotencyKey}` (the key encoded: see loyalty/keys.ts) */
    key: { type: String, required: true },
    /** the fingerprint of the request (item, address): the same key with another body is a 409 */
    requestHash: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    itemId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['coupon', 'gift'], required: true },
    itemName: { type: String, required: true },
    pointsPrice: { type: Number, required: true },
    cashFen: { type: Number, default: null },
    couponTemplateId: { type: Schema.Types.ObjectId, default: null },
    address: { type: Schema.Types.Mixed, default: null },
    state: { type: String, enum: REDEMPTION_STATES, required: true },
    failure: { type: Schema.Types.Mixed, default: null },
    /**
     * a copy of the coupon issued (id, code, name, rulesText, validFrom, validUntil), on redemptions made before the
     * coupon was read by its key instead (`mall:{id}`: its id derives from the key); null on newer ones
     */
    coupon: { type: Schema.Types.Mixed, default: null },
    /** a gift's order, `MG{id}` (set when the redemption is made; shown once it is done) */
    giftOrderId: { type: String, default: null },
    /** a cancelled gift: who cancelled it (the member, or an operator) */
    cancelledBy: { type: Schema.Types.Mixed, default: null },
    leaseOwner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'mall_redemptions', versionKey: false },
)
// the member's idempotency key (the _id derives from it, see redemptionIdFor): two requests at once, one insert wins
redemptionSchema.index({ key: 1 }, { unique: true })
// the member's history, newest first
redemptionSchema.index({ memberId: 1, createdAt: -1, _id: -1 })
// (no index on state or item: reconcile reads every redemption once, and nothing else asks by them — each index is a
// write more on every step a redemption records)

/**
 * What one member holds of one item (`_id` `{itemId}:{memberId}`): the redemptions holding a slot, and how many. A
 * slot is taken by a conditional upsert (`n` below the limit, this redemption not in `rids`), so the per-member limit
 * holds under concurrent claims and a repeated claim takes nothing.
 */
export const mallClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    itemId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    n: { type: Number, required: true, default: 0 },
    rids: { type: [String], default: [] },
  },
  { collection: 'mall_claims', versionKey: false },
)
// the mall page: what this member holds of each item
mallClaimSchema.index({ memberId: 1 })

/**
 * A gift to ship: created by a gift redemption with the shipping address. Its `_id` is the order id the shop ships it
 * under, so the shop's order.shipped / order.delivered events move it. Not a purchase: it earns nothing.
 */
export const giftOrderSchema = new Schema(
  {
    _id: { type: String, required: true },
    redemptionId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    itemId: { type: Schema.Types.ObjectId, required: true },
    itemName: { type: String, required: true },
    cashFen: { type: Number, default: null },
    address: { type: Schema.Types.Mixed, required: true },
    state: { type: String, enum: ['pending', 'shipped', 'delivered', 'cancelled'], required: true },
    carrier: { type: String, default: null },
    trackingNo: { type: String, default: null },
    createdAt: { type: Date, required: true },
    shippedAt: { type: Date, default: null },
    deliveredAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    /** a shipping event that came after the gift was cancelled (for an operator to look at) */
    lateEvent: { type: String, default: null },
  },
  { collection: 'mall_gift_orders', versionKey: false },
)
// fulfilment: gifts by state, oldest first
giftOrderSchema.index({ state: 1, createdAt: 1 })

export function mallModels(connection: Connection) {
  return {
    MallItem: connection.model('MallItem', mallItemSchema),
    Redemption: connection.model('MallRedemption', redemptionSchema),
    MallClaim: connection.model('MallClaim', mallClaimSchema),
    GiftOrder: connection.model('MallGiftOrder', giftOrderSchema),
  }
}
export type MallModels = ReturnType<typeof mallModels>
export type MallItemDoc = InferSchemaType<typeof mallItemSchema> & { _id: Types.ObjectId }
export type RedemptionDoc = InferSchemaType<typeof redemptionSchema> & { _id: Types.ObjectId; state: RedemptionState }
export type GiftOrderDoc = InferSchemaType<typeof giftOrderSchema> & { _id: string }
export type MallClaimDoc = InferSchemaType<typeof mallClaimSchema>
