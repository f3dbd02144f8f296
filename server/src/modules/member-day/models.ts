import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/** One member day's plan: the theme and the member prices an operator planned for the date (DESIGN.md §2). */
export const planSchema = new Schema(
  {
    /** the date YYYY-MM-DD: one plan per member day, found by the primary key */
    _id: { type: String, required: true },
    theme: { type: Schema.Types.Mixed, default: null },
    memberPrices: { type: Schema.Types.Mixed, default: () => [] },
    updatedBy: { type: String, default: null },
  },
  { collection: 'member_day_plans', versionKey: false, timestamps: true },
)
// (_id is the date: a month's plans are read by their dates, through the primary key)

/**
 * A member day that was held: written on the day (its 00:05 job, or its first visit) with the settings then, so a
 * past member day keeps its report after the configured days change.
 */
export const heldDaySchema = new Schema(
  {
    /** the date YYYY-MM-DD */
    _id: { type: String, required: true },
    heldAt: { type: Date, required: true },
    days: { type: [Number], default: [] },
    multiplier: { type: Number, required: true },
    issueMode: { type: String, required: true },
  },
  { collection: 'member_days', versionKey: false },
)
// (_id is the date: one record per day, the first writer's; the report and the ordinary-day comparison read by date)

/**
 * One member on one member day: when they first opened the mini-program (null: not yet — the job issued to them)
 * and the coupons issued to them for the day. The report counts visitors and coupons from these.
 */
export const dayMemberSchema = new Schema(
  {
    /** `${date}:${memberId}`: two visits at once meet on the primary key */
    _id: { type: String, required: true },
    date: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    visitedAt: { type: Date, default: null },
    couponIds: { type: [Schema.Types.ObjectId], default: [] },
  },
  { collection: 'member_day_members', versionKey: false },
)
// the report: a day's members (visitors, coupons)
dayMemberSchema.index({ date: 1, visitedAt: 1 })

export function memberDayModels(connection: Connection) {
  return {
    Plan: connection.model('MemberDayPlan', planSchema),
    HeldDay: connection.model('MemberDayHeld', heldDaySchema),
    DayMember: connection.model('MemberDayMember', dayMemberSchema),
  }
}
export type MemberDayModels = ReturnType<typeof memberDayModels>
export type PlanDoc = InferSchemaType<typeof planSchema> & { _id: string }
export type DayMemberDoc = InferSchemaType<typeof dayMemberSchema> & { _id: string; memberId: Types.ObjectId; couponIds: Types.ObjectId[] }
