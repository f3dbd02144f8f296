import { Schema, type Connection } from 'mongoose'

/** A photo-review campaign as the operator made it (its budget's places are counted in review_campaign_budgets). */
const campaignSchema = new Schema(
  {
    name: { type: String, required: true },
    products: { skus: { type: [String], default: [] }, categories: { type: [String], default: [] } },
    purchaseFrom: { type: Date, required: true },
    purchaseTo: { type: Date, required: true },
    audience: {
      mode: { type: String, required: true, enum: ['all', 'selection'] },
      minTierLevel: { type: Number, default: null },
      minOrders: { type: Number, default: null },
    },
    inviteAfterDays: { type: Number, required: true },
    minPhotos: { type: Number, required: true },
    minTextLength: { type: Number, required: true },
    reward: { points: { type: Number, default: null }, couponTemplateId: { type: String, default: null }, couponName: { type: String, default: null } },
    budget: { type: Number, required: true },
    endsAt: { type: Date, required: true },
    endedAt: { type: Date, default: null },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'review_campaigns', versionKey: false },
)
// the campaigns open for new reviews and invitations (endsAt in the future, not ended early)
campaignSchema.index({ endsAt: 1 })

/**
 * One campaign's reward places: the reviews holding one, in one document, so "a place is free and this review has
 * none" and "take it" are one atomic update — no over-grant under any concurrency, and a retry of the same review
 * takes nothing twice. Kept apart from the campaign so reading campaigns never loads the list.
 */
const budgetSchema = new Schema(
  {
    /** the campaign's id */
    _id: { type: Schema.Types.ObjectId, required: true },
    budget: { type: Number, required: true },
    granted: { type: Number, required: true, default: 0 },
    reviewIds: { type: [Schema.Types.ObjectId], default: [] },
  },
  { collection: 'review_campaign_budgets', versionKey: false },
)

/** A member's review of one order line, its checks, its moderation and its reward. */
const reviewSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, required: true },
    orderId: { type: String, required: true },
    lineId: { type: String, required: true },
    sku: { type: String, required: true },
    category: { type: String, default: null },
    productName: { type: String, required: true },
    /** the sale's store (online orders: the shop's), for the follow-up log */
    store: { type: String, default: null },
    rating: { type: Number, required: true },
    text: { type: String, default: '' },
    photoIds: { type: [Schema.Types.ObjectId], default: [] },
    state: { type: String, required: true, enum: ['checking', 'pending', 'held', 'approved', 'rejected', 'removed'] },
    /** WeChat's verdicts: the text's (msg_sec_check) and each photo's (media_check_async, answered by a push) */
    checks: {
      requestedAt: { type: Date, default: null },
      text: { suggest: { type: String, default: null }, label: { type: Number, default: null }, traceId: { type: String, default: null } },
      /** the media checks sent: one per photo, with WeChat's trace id */
      photos: { type: [new Schema({ photoId: Schema.Types.ObjectId, traceId: String }, { _id: false })], default: [] },
      /** their verdicts by trace id ({suggest, label}): a push sets one key, whatever order they arrive in */
      verdicts: { type: Schema.Types.Mixed, default: {} },
    },
    /** every media check's trace id, where a push finds its review (a plain array: matched by element) */
    traceIds: { type: [String], default: [] },
    campaignId: { type: Schema.Types.ObjectId, default: null },
    /** why a campaign line's review earns nothing (requirements not met, budget spent when written) */
    rewardNote: { type: String, default: null },
    reward: {
      state: { type: String, required: true, enum: ['none', 'pending', 'granted', 'over_budget', 'reversed'], default: 'none' },
      points: { type: Number, default: 0 },
      couponId: { type: String, default: null },
      grantedAt: { type: Date, default: null },
      /** a reversal found the coupon used: recorded, not taken back */
      couponKept: { type: Boolean, default: false },
    },
    rejection: { reason: { type: String, default: null }, note: { type: String, default: null } },
    reply: { text: { type: String, default: null }, by: { type: String, default: null }, at: { type: Date, default: null } },
    moderatedBy: { type: String, default: null },
    moderatedAt: { type: Date, default: null },
    publishedAt: { type: Date, default: null },
    removedAt: { type: Date, default: null },
    removedBy: { type: String, default: null },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'reviews', versionKey: false },
)
// one review per order line: a second (or two at once) is a 409
reviewSchema.index({ orderId: 1, lineId: 1 }, { unique: true })
// the member's reviews, newest first
reviewSchema.index({ memberId: 1, createdAt: -1 })
// the moderation queue by state
reviewSchema.index({ state: 1, createdAt: 1 })
// a product's public list: published reviews by SKU, newest first
reviewSchema.index({ sku: 1, publishedAt: -1 })
// a media check's push finds its review by the trace id
reviewSchema.index({ traceIds: 1 })
// the repair job: approved reviews whose reward is still being granted
reviewSchema.index({ 'reward.state': 1, moderatedAt: 1 })

/** An invitation to review an order: at most one per order (not per line), sent inviteAfterDays after delivery. */
const invitationSchema = new Schema(
  {
    /** the orderId: one invitation per order, whichever campaigns match its lines */
    _id: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    campaignIds: { type: [Schema.Types.ObjectId], default: [] },
    lineIds: { type: [String], default: [] },
    dueAt: { type: Date, required: true },
    state: { type: String, required: true, enum: ['scheduled', 'sent', 'skipped'] },
    skipReason: { type: String, default: null },
    sentAt: { type: Date, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'review_invitations', versionKey: false },
)
// the campaign report: invitations per campaign
invitationSchema.index({ campaignIds: 1 })
// the member's invitations (the mini-program's entry)
invitationSchema.index({ memberId: 1 })

/** A review rated 1–3 in the store's or service team's follow-up log. */
const followUpSchema = new Schema(
  {
    reviewId: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    orderId: { type: String, required: true },
    store: { type: String, default: null },
    productName: { type: String, required: true },
    rating: { type: Number, required: true },
    text: { type: String, default: '' },
    class: { type: String, required: true, enum: ['product_quality', 'size', 'delivery', 'service', 'other'] },
    status: { type: String, required: true, enum: ['open', 'contacted', 'resolved'] },
    assignee: { type: new Schema({ id: String, name: String }, { _id: false }), default: null },
    notes: { type: [new Schema({ text: String, by: String, at: Date }, { _id: false })], default: [] },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'review_follow_ups', versionKey: false },
)
// one follow-up per review (a retry of the submission adds none)
followUpSchema.index({ reviewId: 1 }, { unique: true })
// a store's log by status, newest first; the monthly report by store and creation time
followUpSchema.index({ store: 1, status: 1, createdAt: -1 })
followUpSchema.index({ createdAt: 1 })

export type ReviewsModels = ReturnType<typeof reviewsModels>

export function reviewsModels(connection: Connection) {
  return {
    ReviewCampaign: connection.model('ReviewCampaign', campaignSchema),
    ReviewCampaignBudget: connection.model('ReviewCampaignBudget', budgetSchema),
    Review: connection.model('Review', reviewSchema),
    ReviewInvitation: connection.model('ReviewInvitation', invitationSchema),
    ReviewFollowUp: connection.model('ReviewFollowUp', followUpSchema),
  }
}
