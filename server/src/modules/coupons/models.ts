import { Schema, type Connection, type InferSchemaType } from 'mongoose'

/** A coupon template an operator keeps (DESIGN.md §2 "Coupons"). */
export const couponTemplateSchema = new Schema(
  {
    status: { type: String, enum: ['active', 'paused'], required: true, default: 'active' },
    name: { type: String, required: true },
    kind: { type: String, enum: ['amount', 'percent'], required: true },
    amountFen: { type: Number, default: null },
    percentOff: { type: Number, default: null },
    capFen: { type: Number, default: null },
    thresholdFen: { type: Number, default: 0 },
    scope: { type: Schema.Types.Mixed, default: () => ({ kind: 'all' }) },
    validity: { type: Schema.Types.Mixed, required: true },
    tiers: { type: [String], default: null },
    /** the total stock (null: unlimited) and what is left: taken by a conditional update, never below 0 */
    stock: { type: Number, default: null },
    stockLeft: { type: Number, default: null },
    /** coupons issued and not voided before use */
    issued: { type: Number, required: true, default: 0 },
    perMemberLimit: { type: Number, default: null },
    notes: { type: String, default: '' },
    returnOnRefund: { type: Boolean, default: true },
  },
  { collection: 'coupon_templates', versionKey: false, timestamps: true },
)

/**
 * An issued coupon: the template's rules copied at issue, so editing the template never changes it. `state` pending
 * while the issue takes stock and the member's slot (`stockTaken`, `slotTaken` record each step), then usable → used
 * / expired, or void (revoked before use).
 */
export const couponSchema = new Schema(
  {
    code: { type: String, required: true },
    /** the issuing program's business key: one coupon per key */
    issueKey: { type: String, required: true },
    templateId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    source: { type: String, required: true },
    state: { type: String, enum: ['pending', 'usable', 'used', 'expired', 'void'], required: true },
    stockTaken: { type: Boolean, default: false },
    slotTaken: { type: Boolean, default: false },
    name: String,
    kind: String,
    amountFen: { type: Number, default: null },
    percentOff: { type: Number, default: null },
    capFen: { type: Number, default: null },
    thresholdFen: { type: Number, default: 0 },
    scope: { type: Schema.Types.Mixed, default: null },
    notes: { type: String, default: '' },
    returnOnRefund: { type: Boolean, default: true },
    validFrom: { type: Date, required: true },
    validUntil: { type: Date, required: true },
    issuedAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    /** {orderId} online, {store, staff, orderRef} in store */
    usedBy: { type: Schema.Types.Mixed, default: null },
    voidReason: { type: String, default: null },
    expiringNotified: { type: Boolean, default: false },
  },
  { collection: 'coupons', versionKey: false, timestamps: true },
)
// staff scan or type the code: one coupon per code (a collision on issue draws another)
couponSchema.index({ code: 1 }, { unique: true })
// a repeated issue request issues nothing new: the race between two requests with the same key ends here
couponSchema.index({ issueKey: 1 }, { unique: true })
// the wallet: a member's coupons by state and expiry
couponSchema.index({ memberId: 1, state: 1, validUntil: 1 })
// the daily sweep: usable coupons expiring before a date; issues left pending by a crash
couponSchema.index({ state: 1, validUntil: 1 })
// the coupons an order used (returned on a full refund)
couponSchema.index({ 'usedBy.orderId': 1 })
// reports (coupons/stats.ts, the KPI report): coupons issued in a period, coupons used in a period
couponSchema.index({ issuedAt: 1 })
couponSchema.index({ usedAt: 1 })

/** How many coupons of a template one member holds (issued, not voided): the per-member limit's counter. */
export const couponClaimSchema = new Schema(
  { _id: { type: String, required: true }, templateId: Schema.Types.ObjectId, memberId: Schema.Types.ObjectId, count: { type: Number, required: true } },
  { collection: 'coupon_claims', versionKey: false },
)

/** What became of a coupon code an order named (order.paid couponCodes): used, or the problem found. */
export const couponUseSchema = new Schema(
  {
    /** JSON [orderId, code]: unambiguous whatever the ids contain */
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    code: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    status: { type: String, enum: ['used', 'problem'], required: true },
    reason: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'coupon_uses', versionKey: false },
)
// the shop event's status lists the codes of its order
couponUseSchema.index({ orderId: 1 })

export function couponModels(connection: Connection) {
  return {
    CouponTemplate: connection.model('CouponTemplate', couponTemplateSchema),
    Coupon: connection.model('Coupon', couponSchema),
    CouponClaim: connection.model('CouponClaim', couponClaimSchema),
    CouponUse: connection.model('CouponUse', couponUseSchema),
  }
}
export type CouponModels = ReturnType<typeof couponModels>
export type CouponTemplateDoc = InferSchemaType<typeof couponTemplateSchema> & { _id: import('mongoose').Types.ObjectId; createdAt: Date }
export type CouponDoc = InferSchemaType<typeof couponSchema> & { _id: import('mongoose').Types.ObjectId }
