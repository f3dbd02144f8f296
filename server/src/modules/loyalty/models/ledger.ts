import { Schema, type Connection, type InferSchemaType } from 'mongoose'

const source = {
  orderId: { type: String, default: null },
  lineId: { type: String, default: null },
  refundId: { type: String, default: null },
  /** adjustments: a fingerprint of the request (kind, delta, reason), to tell a retry from a reuse of its key */
  requestHash: { type: String, default: null },
}

/** The points ledger: append-only, one entry per change, each with its business key. */
export const pointsEntrySchema = new Schema(
  {
    /** the business key (also in `key`): exactly-once is the primary key's uniqueness */
    _id: { type: String, required: true },
    key: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, required: true },
    /** signed changes; summed over a member they equal the member's balances */
    available: { type: Number, required: true },
    pending: { type: Number, required: true },
    debt: { type: Number, required: true },
    expired: { type: Number, required: true },
    /** points that repaid debt, or that the brand absorbed, in this change */
    debtRepaid: { type: Number, default: 0 },
    absorbed: { type: Number, default: 0 },
    balanceAfter: { available: Number, pending: Number, debt: Number, expired: Number },
    /** expiry of the lot this change added to, when it added one */
    lotExpiresAt: { type: Date, default: null },
    ...source,
    note: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'points_ledger', versionKey: false },
)
// exactly once: a repeated event, a retried job or two racing workers produce the same _id and one entry
// a member's history, newest first (the points history page)
pointsEntrySchema.index({ memberId: 1, at: -1, _id: -1 })
// what an order line has earned and had reversed (reconcile sums them against the order's line states)
pointsEntrySchema.index({ orderId: 1, lineId: 1 })

/** The growth ledger: its own entries and total, never lowered by spending points. */
export const growthEntrySchema = new Schema(
  {
    /** the business key (also in `key`): exactly-once is the primary key's uniqueness */
    _id: { type: String, required: true },
    key: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, required: true },
    delta: { type: Number, required: true },
    totalAfter: { type: Number, required: true },
    ...source,
    note: { type: String, default: null },
    at: { type: Date, required: true },
    /**
     * when the change counts for the rolling window: `at`, except for a refund, which takes growth back from the
     * month the purchase's growth counted in (entries written before this field existed: read `at`)
     */
    countsAt: { type: Date, default: null },
  },
  { collection: 'growth_ledger', versionKey: false },
)
// exactly once by _id, as for points
// a member's growth history and the rolling-12-months review
growthEntrySchema.index({ memberId: 1, at: -1 })

/** Every tier change with its reason. */
export const tierChangeSchema = new Schema(
  {
    /** the business key (also in `key`): exactly-once is the primary key's uniqueness */
    _id: { type: String, required: true },
    key: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    fromLevel: { type: Number, required: true },
    toLevel: { type: Number, required: true },
    reason: { type: String, required: true },
    growth: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'tier_changes', versionKey: false },
)
// one log entry per causing change (_id is the key)
// a member's tier history
tierChangeSchema.index({ memberId: 1, at: -1 })

export type PointsEntry = InferSchemaType<typeof pointsEntrySchema>
export type GrowthEntry = InferSchemaType<typeof growthEntrySchema>

export function ledgerModels(connection: Connection) {
  return {
    PointsEntry: connection.model('PointsEntry', pointsEntrySchema),
    GrowthEntry: connection.model('GrowthEntry', growthEntrySchema),
    TierChange: connection.model('TierChange', tierChangeSchema),
  }
}
