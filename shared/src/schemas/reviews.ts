import { Type, type Static } from '@sinclair/typebox'
import { FOLLOW_UP_CLASSES, FOLLOW_UP_STATUSES, REVIEW_REJECTION_REASONS, REVIEW_REWARD_STATES, REVIEW_STATES } from '../reviews.js'
import { ObjectIdString } from './common.js'

/**
 * Photo-review campaigns (issue 13): campaigns (admin), the member's reviewable lines and reviews, moderation and
 * follow-ups (staff), and a product's public review list. The words and rules are in shared/src/reviews.ts.
 */

const closed = { additionalProperties: false } as const
const Time = Type.String({ format: 'date-time' })
const TimeInput = Type.String({ format: 'date-time', minLength: 16, maxLength: 40, description: 'RFC 3339, e.g. 2026-03-12T10:00:00+08:00' })
/** an order or line id as the shop sent it */
const ShopId = Type.String({ minLength: 1, maxLength: 128 })
const Sku = Type.String({ minLength: 1, maxLength: 128 })
const Category = Type.String({ minLength: 1, maxLength: 64 })
const literals = <T extends string>(values: readonly T[], description?: string) => Type.Union(values.map((v) => Type.Literal(v)), description ? { description } : {})

export const ReviewStateSchema = literals(REVIEW_STATES)
export const RejectionReasonSchema = literals(
  REVIEW_REJECTION_REASONS,
  'content only (no photo of the product, someone else’s photo, ads or contact details, abuse, privacy) — never the rating',
)
export const FollowUpClassSchema = literals(FOLLOW_UP_CLASSES)
export const FollowUpStatusSchema = literals(FOLLOW_UP_STATUSES)

/** The most photos one review carries. */
export const MAX_REVIEW_PHOTOS = 9
/** The longest review text, in characters. */
export const MAX_REVIEW_TEXT = 1000
/** The largest budget a campaign may have (rewards). */
export const MAX_CAMPAIGN_BUDGET = 100_000

// ---- campaigns (admin) ----

export const CampaignProductsSchema = Type.Object(
  {
    skus: Type.Array(Sku, { maxItems: 200, uniqueItems: true, default: [] }),
    categories: Type.Array(Category, { maxItems: 50, uniqueItems: true, default: [] }),
  },
  { ...closed, description: 'the products: these SKUs and every line of these categories (at least one of either)' },
)

export const CampaignAudienceSchema = Type.Object(
  {
    mode: literals(['all', 'selection'] as const, 'all: everyone who bought such a product in the window; selection: those meeting every criterion given'),
    minTierLevel: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'selection: the member’s tier level at least this' })),
    minOrders: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'selection: at least this many paid orders ever' })),
  },
  closed,
)

export const CampaignRewardSchema = Type.Object(
  {
    points: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    couponTemplateId: Type.Optional(ObjectIdString),
  },
  { ...closed, description: 'points and/or a coupon (at least one), granted on approval whatever the rating' },
)

export const CreateReviewCampaignSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 40 }),
    products: CampaignProductsSchema,
    purchaseWindow: Type.Object({ from: TimeInput, to: TimeInput }, { ...closed, description: 'orders paid in [from, to)' }),
    audience: Type.Optional(CampaignAudienceSchema),
    inviteAfterDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 60, default: 3, description: 'days after delivery the invitation goes (default 3)' })),
    minPhotos: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_REVIEW_PHOTOS, default: 1 })),
    minTextLength: Type.Optional(Type.Integer({ minimum: 0, maximum: 500, default: 10 })),
    reward: CampaignRewardSchema,
    budget: Type.Integer({ minimum: 1, maximum: MAX_CAMPAIGN_BUDGET, description: 'the most rewards granted (a reversed reward frees its place)' }),
    endsAt: TimeInput,
  },
  closed,
)
export type CreateReviewCampaign = Static<typeof CreateReviewCampaignSchema>

export const ReviewCampaignSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  products: Type.Object({ skus: Type.Array(Type.String()), categories: Type.Array(Type.String()) }),
  purchaseWindow: Type.Object({ from: Time, to: Time }),
  audience: Type.Object({ mode: Type.String(), minTierLevel: Type.Union([Type.Integer(), Type.Null()]), minOrders: Type.Union([Type.Integer(), Type.Null()]) }),
  inviteAfterDays: Type.Integer(),
  minPhotos: Type.Integer(),
  minTextLength: Type.Integer(),
  reward: Type.Object({
    points: Type.Union([Type.Integer(), Type.Null()]),
    couponTemplateId: Type.Union([Type.String(), Type.Null()]),
    couponName: Type.Union([Type.String(), Type.Null()]),
    text: Type.String({ description: 'the reward in words, as invitations say it' }),
  }),
  budget: Type.Integer(),
  granted: Type.Integer({ description: 'rewards standing (granted, not reversed)' }),
  endsAt: Time,
  status: literals(['active', 'ended'] as const),
  createdAt: Time,
  stats: Type.Optional(
    Type.Object({
      invited: Type.Integer(),
      reviews: Type.Integer(),
      byState: Type.Record(Type.String(), Type.Integer()),
    }),
  ),
})
export type ReviewCampaign = Static<typeof ReviewCampaignSchema>

export const ReviewCampaignListSchema = Type.Object({ items: Type.Array(ReviewCampaignSchema) })
export const ReviewCampaignParamsSchema = Type.Object({ id: ObjectIdString }, closed)

// ---- photos, as a review carries them ----

export const ReviewPhotoViewSchema = Type.Object({
  id: Type.String(),
  url: Type.String({ description: 'the full photo: a path signed for an hour (or public once published)' }),
  thumbUrl: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
})

// ---- the member ----

const CampaignOfferSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  rewardText: Type.String(),
  minPhotos: Type.Integer(),
  minTextLength: Type.Integer(),
  endsAt: Time,
  /** false once the budget is spent: the member is told before writing */
  rewardsLeft: Type.Boolean(),
})

export const ReviewableLineSchema = Type.Object({
  orderId: Type.String(),
  lineId: Type.String(),
  sku: Type.String(),
  name: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  paidFen: Type.Integer(),
  paidAt: Time,
  /** when the member received it (in-store sales: the sale) */
  receivedAt: Time,
  campaign: Type.Union([CampaignOfferSchema, Type.Null()]),
  review: Type.Union([Type.Object({ id: Type.String(), state: ReviewStateSchema }), Type.Null()]),
})
export const ReviewableListSchema = Type.Object({
  items: Type.Array(ReviewableLineSchema, { description: 'lines with a campaign offer first, then the rest; newest first within each' }),
})
export type ReviewableLine = Static<typeof ReviewableLineSchema>

export const CreateReviewSchema = Type.Object(
  {
    orderId: ShopId,
    lineId: ShopId,
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    text: Type.String({ minLength: 0, maxLength: MAX_REVIEW_TEXT }),
    photoIds: Type.Array(ObjectIdString, { maxItems: MAX_REVIEW_PHOTOS, uniqueItems: true, description: 'photos uploaded through POST /api/reviews/photos' }),
  },
  closed,
)
export type CreateReview = Static<typeof CreateReviewSchema>

const RewardViewSchema = Type.Object({
  state: literals(REVIEW_REWARD_STATES),
  text: Type.String({ description: 'what the campaign gives, in words' }),
  points: Type.Integer({ description: 'points granted (0 until granted, and after a reversal)' }),
  couponId: Type.Union([Type.String(), Type.Null()]),
  /** why there is no reward (campaign requirements not met, budget spent…) */
  note: Type.Union([Type.String(), Type.Null()]),
})

export const ReviewSchema = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  lineId: Type.String(),
  sku: Type.String(),
  productName: Type.String(),
  rating: Type.Integer(),
  text: Type.String(),
  photos: Type.Array(ReviewPhotoViewSchema),
  state: ReviewStateSchema,
  rejection: Type.Union([Type.Object({ reason: Type.String(), label: Type.String(), note: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  reply: Type.Union([Type.Object({ text: Type.String(), at: Time }), Type.Null()]),
  campaign: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  reward: Type.Union([RewardViewSchema, Type.Null()]),
  createdAt: Time,
})
export type Review = Static<typeof ReviewSchema>
export const ReviewListSchema = Type.Object({ items: Type.Array(ReviewSchema) })
export const ReviewParamsSchema = Type.Object({ id: ObjectIdString }, closed)

// ---- staff: moderation ----

const VerdictSchema = Type.Object({
  suggest: Type.Union([literals(['pass', 'risky', 'review'] as const), Type.Null()], { description: 'null: WeChat has not answered yet' }),
  label: Type.Union([Type.Integer(), Type.Null()]),
})

export const StaffReviewSchema = Type.Composite([
  ReviewSchema,
  Type.Object({
    memberId: Type.String(),
    nickname: Type.String(),
    store: Type.Union([Type.String(), Type.Null()]),
    checks: Type.Object({
      text: VerdictSchema,
      photos: Type.Array(Type.Composite([Type.Object({ photoId: Type.String() }), VerdictSchema])),
    }),
    moderatedBy: Type.Union([Type.String(), Type.Null()]),
    moderatedAt: Type.Union([Time, Type.Null()]),
  }),
])
export type StaffReview = Static<typeof StaffReviewSchema>
export const StaffReviewListSchema = Type.Object({ items: Type.Array(StaffReviewSchema) })

export const StaffReviewsQuerySchema = Type.Object(
  {
    state: Type.Optional(ReviewStateSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  closed,
)

export const ApproveReviewSchema = Type.Object(
  {
    confirmRisky: Type.Optional(Type.Boolean({ description: 'a held review (a check found it risky): approve after a person looked' })),
  },
  closed,
)
export const RejectReviewSchema = Type.Object(
  { reason: RejectionReasonSchema, note: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'shown to the member' })) },
  closed,
)
export const RemoveReviewSchema = RejectReviewSchema
export const ReplyReviewSchema = Type.Object({ text: Type.String({ minLength: 1, maxLength: 500 }) }, closed)

// ---- the public list ----

export const ProductReviewsParamsSchema = Type.Object({ sku: Sku }, closed)
export const ProductReviewsQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
    before: Type.Optional(ObjectIdString),
  },
  closed,
)
export const PublicReviewSchema = Type.Object({
  id: Type.String(),
  nickname: Type.String({ description: 'masked' }),
  rating: Type.Integer(),
  text: Type.String(),
  photos: Type.Array(ReviewPhotoViewSchema),
  reply: Type.Union([Type.Object({ text: Type.String(), at: Time }), Type.Null()]),
  createdAt: Time,
})
export const ProductReviewsSchema = Type.Object({
  sku: Type.String(),
  count: Type.Integer({ description: 'published reviews of the product' }),
  averageRating: Type.Union([Type.Number(), Type.Null()]),
  items: Type.Array(PublicReviewSchema),
  nextBefore: Type.Union([Type.String(), Type.Null()]),
})

// ---- follow-ups ----

export const FollowUpSchema = Type.Object({
  id: Type.String(),
  reviewId: Type.String(),
  memberId: Type.String(),
  nickname: Type.String(),
  orderId: Type.String(),
  store: Type.Union([Type.String(), Type.Null()]),
  productName: Type.String(),
  rating: Type.Integer(),
  text: Type.String(),
  class: FollowUpClassSchema,
  status: FollowUpStatusSchema,
  assignee: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  notes: Type.Array(Type.Object({ text: Type.String(), by: Type.String(), at: Time })),
  createdAt: Time,
  updatedAt: Time,
})
export type FollowUp = Static<typeof FollowUpSchema>
export const FollowUpListSchema = Type.Object({ items: Type.Array(FollowUpSchema) })
export const FollowUpsQuerySchema = Type.Object(
  {
    status: Type.Optional(FollowUpStatusSchema),
    store: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$', maxLength: 32 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  },
  closed,
)
export const UpdateFollowUpSchema = Type.Object(
  {
    class: Type.Optional(FollowUpClassSchema),
    status: Type.Optional(FollowUpStatusSchema),
    assigneeId: Type.Optional(ObjectIdString),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
  },
  { ...closed, minProperties: 1 },
)
export type UpdateFollowUp = Static<typeof UpdateFollowUpSchema>
export const FollowUpReportQuerySchema = Type.Object(
  {
    month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', minLength: 7, maxLength: 7, description: 'YYYY-MM, Shanghai' }),
    store: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,31}$', maxLength: 32 })),
  },
  closed,
)
export const FollowUpReportSchema = Type.Object({
  month: Type.String(),
  store: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer(),
  byClass: Type.Array(
    Type.Object({ class: FollowUpClassSchema, label: Type.String(), total: Type.Integer(), open: Type.Integer(), contacted: Type.Integer(), resolved: Type.Integer() }),
  ),
})
