import { Schema, type Connection, type InferSchemaType } from 'mongoose'

const lotSchema = new Schema({ earnedAt: Number, expiresAt: { type: Number, default: null }, remaining: Number }, { _id: false })

/**
 * A change applied to the balances whose ledger entries, tier log and domain events are still being written
 * (services/ledger.ts). It lives here, written in the same update as the balances, so nothing is lost if the process
 * dies in between: whoever touches the member next finishes writing them.
 */
const pendingOpSchema = new Schema(
  {
    key: String,
    at: Date,
    points: { type: Schema.Types.Mixed, default: null },
    growth: { type: Schema.Types.Mixed, default: null },
    tierChange: { type: Schema.Types.Mixed, default: null },
    events: { type: [Schema.Types.Mixed], default: [] },
  },
  { _id: false },
)

export const memberSchema = new Schema(
  {
    /** the member's openid in the brand's mini-program */
    openid: { type: String, required: true },
    /** the brand-wide id across the brand's apps (Official Account, other mini-programs), when WeChat gives one */
    unionid: { type: String },
    nickname: { type: String, required: true },
    avatarUrl: { type: String, default: null },
    /** full number, never returned unmasked to the member's own card */
    phone: { type: String, default: null },
    /** MM-DD (DESIGN.md §2: date-only facts are not instants) */
    birthday: { type: String, default: null },
    birthYear: { type: Number, default: null },
    /**
     * when the member set the birthday, or staff last changed it (the birthday module's 30-day rule); null for a
     * birthday from before (an import, the seed), which counts as set long ago
     */
    birthdaySetAt: { type: Date, default: null },
    /** growth value total; only the loyalty ledger changes it */
    growth: { type: Number, required: true, default: 0, min: 0 },
    growthByMonth: { type: [new Schema({ month: String, value: Number }, { _id: false })], default: [] },
    points: {
      available: { type: Number, required: true, default: 0, min: 0 },
      pending: { type: Number, required: true, default: 0, min: 0 },
      debt: { type: Number, required: true, default: 0, min: 0 },
      expired: { type: Number, required: true, default: 0, min: 0 },
    },
    /** available points by expiry, soonest first; their remaining points add up to points.available */
    lots: { type: [lotSchema], default: [] },
    tierLevel: { type: Number, required: true, default: 1 },
    tierSince: { type: Date, default: null },
    /** rolling-12-months policy: when the tier is next reviewed */
    tierReviewAt: { type: Date, default: null },
    /**
     * a tier carried over by a migration is kept until this review, whatever the growth (lifetime policy: then the
     * daily sweep reviews it against this program's table); null otherwise
     */
    tierHeldUntil: { type: Date, default: null },
    /** bumped by every balance change; each change is guarded by the revision it read */
    rev: { type: Number, required: true, default: 0 },
    pendingOps: { type: [pendingOpSchema], default: [] },
    lastLoginAt: { type: Date, default: null },
    /** how the member joined: wechat (created by the mini-program's login); null for members from before */
    joinChannel: { type: String, default: null },
    /** the store of the first in-store purchase, or set by staff */
    homeStore: { type: String, default: null },
    /** the dedicated advisor: named by the first in-store purchase that names one, or set by staff */
    advisor: { type: String, default: null },
    /**
     * purchase statistics, recomputed from the member's orders whenever one is paid, refunded or cancelled (loyalty's
     * purchase-stats.ts); asOf is the latest change of those orders, so an older recomputation never overwrites a newer
     */
    purchases: {
      type: new Schema({ firstAt: Date, lastAt: Date, days: Number, totalPaidFen: Number, asOf: Date }, { _id: false }),
      default: null,
    },
  },
  { timestamps: true, collection: 'members' },
)
// login: find-or-create by openid; unique so two first logins at once create one member, not two
memberSchema.index({ openid: 1 }, { unique: true })
// joining Official Account followers (their own openid) and shop events by unionid
memberSchema.index({ unionid: 1 })
// shop events that name the member by phone
memberSchema.index({ phone: 1 })
// the expiry sweep and reminders: members with a lot expiring before a date
memberSchema.index({ 'lots.expiresAt': 1 })
// (none for the recovery sweep, `pendingOps.at` before a time — every member changed since its last run: it scans the
// members once a day, where an index would be rewritten by every balance change. The `pendingOps.key` index that
// stood here served no query: a write more on every balance change for nothing.)
// the annual tier review
memberSchema.index({ tierReviewAt: 1 })
// the end of migrated tiers' holds
memberSchema.index({ tierHeldUntil: 1 })
// the daily birthday job: members whose birthday (MM-DD) is celebrated in the next few days
memberSchema.index({ birthday: 1 })
// a store's members (the KPI report's store figures, lifecycle counts per store): by home store
memberSchema.index({ homeStore: 1 })

export type MemberDoc = InferSchemaType<typeof memberSchema> & { _id: import('mongoose').Types.ObjectId }

export function memberModel(connection: Connection) {
  return connection.model('Member', memberSchema)
}
