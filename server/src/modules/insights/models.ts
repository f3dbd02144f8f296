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
    /** purchase days and fen paid (after refunds) in the rolling year: segments' RFM filters */
    purchases12m: { type: Number, default: 0 },
    amount12mFen: { type: Number, default: 0 },
    /** the rolling year's purchase days (the day's first payment, the day's fen): the daily job moves members along from these, reading no order */
    yearDays: { type: [new Schema({ at: Date, fen: Number }, { _id: false })], default: [] },
    /** bumped by every write; each write is guarded by the revision it read */
    rev: { type: Number, default: 0 },
    /**
     * when the stage or the rolling-year figures change with no new purchase (a Shanghai midnight); null: never
     * (prospect, dormant with nothing left in the year)
     */
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
// segments: days since the last purchase (and RFM recency)
memberLifecycleSchema.index({ lastPurchaseAt: 1 })

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

/** A saved segment: a filter over the members (SegmentFilterSchema), counted live. */
export const segmentSchema = new Schema(
  {
    name: { type: String, required: true },
    description: { type: String, default: '' },
    filter: { type: Schema.Types.Mixed, required: true },
    createdBy: { type: String, required: true },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'segments', versionKey: false, timestamps: true, minimize: false },
)
// the list, newest first
segmentSchema.index({ deletedAt: 1, createdAt: -1 })

/** An outreach: its audience, steps, holdout share and schedule (CreateOutreachSchema), and its status. */
export const outreachSchema = new Schema(
  {
    name: { type: String, required: true },
    audience: { type: Schema.Types.Mixed, required: true },
    /** a segment outreach keeps the filter it was planned with (the segment may change later) */
    filter: { type: Schema.Types.Mixed, default: null },
    steps: { type: [Schema.Types.Mixed], required: true },
    startAt: { type: Date, required: true },
    endAt: { type: Date, default: null },
    holdoutShare: { type: Number, required: true },
    attributionDays: { type: Number, required: true },
    messageCostFen: { sms: { type: Number, default: 5 }, wechat: { type: Number, default: 0 } },
    status: { type: String, required: true },
    /** counts kept as members are enrolled (the results recount from the enrolments) */
    enrolled: { treated: { type: Number, default: 0 }, holdout: { type: Number, default: 0 }, excluded: { type: Number, default: 0 } },
    createdBy: { type: String, required: true },
  },
  { collection: 'outreach', versionKey: false, timestamps: true, minimize: false },
)
// trigger outreaches running for a stage (the stage_changed consumer); the list by status
outreachSchema.index({ status: 1, 'audience.enteringStage': 1 })

/**
 * One member's place in one outreach, written once (`_id` = `{outreachId}:{memberId}`, so a re-run or a repeated
 * stage event enrols nobody twice): treated, holdout (never messaged) or excluded (with why), and for the treated the
 * next step due.
 */
export const outreachMemberSchema = new Schema(
  {
    _id: { type: String, required: true },
    outreachId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    group: { type: String, required: true },
    /** excluded: marketingOff, suppressed, serialRefunder, busy (in another outreach) */
    reason: { type: String, default: null },
    /** when the member's outreach began: the outreach's start, or entering the stage */
    startAt: { type: Date, required: true },
    nextStep: { type: Number, default: null },
    nextStepAt: { type: Date, default: null },
    /** per step index: sent, skipped (bought already), couponFailed */
    steps: { type: [Schema.Types.Mixed], default: [] },
  },
  { collection: 'outreach_members', versionKey: false, minimize: false },
)
// the step job: treated members whose next step is due
outreachMemberSchema.index({ nextStepAt: 1 })
// the results and counts: an outreach's members by group
outreachMemberSchema.index({ outreachId: 1, group: 1 })

/**
 * The frequency limit across outreaches: one document per member naming the outreach that holds them and until when.
 * Taken by one conditional upsert (free, expired, or already this outreach's), so two outreaches enrolling the same
 * member at once cannot both have them.
 */
export const outreachContactSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    outreachId: { type: Schema.Types.ObjectId, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'outreach_contacts', versionKey: false },
)

/** The operator's suppression list: members no outreach reaches. */
export const suppressionSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    reason: { type: String, required: true },
    addedBy: { type: String, required: true },
    addedAt: { type: Date, required: true },
  },
  { collection: 'outreach_suppression', versionKey: false },
)
// the list, newest first
suppressionSchema.index({ addedAt: -1 })

export type MemberLifecycleDoc = InferSchemaType<typeof memberLifecycleSchema> & { _id: Types.ObjectId }
export type LifecycleChangeDoc = InferSchemaType<typeof lifecycleChangeSchema>
export type SegmentDoc = InferSchemaType<typeof segmentSchema> & { _id: Types.ObjectId }
export type OutreachDoc = InferSchemaType<typeof outreachSchema> & { _id: Types.ObjectId }
export type OutreachMemberDoc = InferSchemaType<typeof outreachMemberSchema>

export function insightsModels(connection: Connection) {
  return {
    MemberLifecycle: connection.model('MemberLifecycle', memberLifecycleSchema),
    LifecycleChange: connection.model('LifecycleChange', lifecycleChangeSchema),
    Segment: connection.model('Segment', segmentSchema),
    Outreach: connection.model('Outreach', outreachSchema),
    OutreachMember: connection.model('OutreachMember', outreachMemberSchema),
    OutreachContact: connection.model('OutreachContact', outreachContactSchema),
    Suppression: connection.model('OutreachSuppression', suppressionSchema),
  }
}
export type InsightsModels = ReturnType<typeof insightsModels>
