import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/**
 * A member's lifecycle stage (issue 14), recomputed from their orders on every payment, refund and cancellation and
 * by the daily job when time moves them along. A member without a document is a `prospect` (no purchase); a member
 * whose only purchases were refunded keeps a document with stage `prospect`.
 */
export const memberLifecycleSchema = new Schema(
  {
    /** the member's id: one document per member */
    _id: { type: Schema.Types.ObjectId, required: true },
    stage: { type: String, required: true },
    /** when the member entered the stage (a time-driven change: the Shanghai midnight the stage began) */
    since: { type: Date, required: true },
    purchaseDays: { type: Number, required: true, default: 0 },
    lastPurchaseAt: { type: Date, default: null },
    /** the member's home store when last recomputed (their first in-store purchase's store until staff change it) */
    homeStore: { type: String, default: null },
    /** when the stage changes with no new purchase (a Shanghai midnight); null: never (prospect, dormant) */
    nextChangeAt: { type: Date, default: null },
  },
  { collection: 'member_lifecycle', versionKey: false, timestamps: true },
)
// the daily job: the members whose stage is due to change (nextChangeAt ≤ now), in id order
memberLifecycleSchema.index({ nextChangeAt: 1, _id: 1 })
// counts per stage for a store (GET /api/staff/lifecycle, the admin report with ?store=)
memberLifecycleSchema.index({ homeStore: 1, stage: 1 })
// brand-wide counts per stage, and the members with 2+ purchase days for the median gap
memberLifecycleSchema.index({ stage: 1 })

/**
 * One stage change, recorded once: `_id` is the change's key (the member, the stage left and when it was entered, the
 * stage entered), so two recomputations that both saw the change record it once — the conditional update on the
 * previous stage lets only one of them through, and the key catches a retry after a crash.
 */
export const lifecycleChangeSchema = new Schema(
  {
    _id: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    at: { type: Date, required: true },
    /** what recomputed it: the order event's type (order.paid, …), `time` (the daily job) or `policy` */
    cause: { type: String, required: true },
  },
  { collection: 'lifecycle_changes', versionKey: false },
)
// a member's stage history, newest first
lifecycleChangeSchema.index({ memberId: 1, at: -1 })

export type MemberLifecycleDoc = InferSchemaType<typeof memberLifecycleSchema> & { _id: Types.ObjectId }
export type LifecycleChangeDoc = InferSchemaType<typeof lifecycleChangeSchema>

export function insightsModels(connection: Connection) {
  return {
    MemberLifecycle: connection.model('MemberLifecycle', memberLifecycleSchema),
    LifecycleChange: connection.model('LifecycleChange', lifecycleChangeSchema),
  }
}
export type InsightsModels = ReturnType<typeof insightsModels>
