import { Type, type Static } from '@sinclair/typebox'
import { LIFECYCLE_STAGES } from '../lifecycle.js'
import { MESSAGE_KINDS } from '../messages.js'
import { ObjectIdString } from './common.js'

/**
 * Segments and outreach with a holdout (issue 14). A segment is a saved filter over the members; an outreach sends a
 * segment (or every member entering a stage) a sequence of messages, keeping a holdout group that gets nothing, and
 * is judged against it.
 */

const closed = { additionalProperties: false } as const
const DateTime = Type.String({ format: 'date-time', maxLength: 40 })
const STORE_CODE = { pattern: '^[A-Z0-9][A-Z0-9-]{1,15}$', minLength: 2, maxLength: 16 }
const Stage = Type.Union(LIFECYCLE_STAGES.map((s) => Type.Literal(s)))
const Kind = Type.Union(MESSAGE_KINDS.map((k) => Type.Literal(k)))
const Count = Type.Integer({ minimum: 0 })
const Ratio = Type.Union([Type.Number(), Type.Null()])

const IntRange = (max: number, description: string) =>
  Type.Object({ min: Type.Optional(Type.Integer({ minimum: 0, maximum: max })), max: Type.Optional(Type.Integer({ minimum: 0, maximum: max })) }, { ...closed, description, minProperties: 1 })
const Score = Type.Object({ min: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })), max: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })) }, { ...closed, minProperties: 1 })
const Sku = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^$\\s]+$' })
const Category = Type.String({ minLength: 1, maxLength: 64, pattern: '^[^$]+$' })

/** Every condition given must hold (AND); a list condition holds when one of its values does (OR). */
export const SegmentFilterSchema = Type.Object(
  {
    stages: Type.Optional(Type.Array(Stage, { minItems: 1, maxItems: LIFECYCLE_STAGES.length, uniqueItems: true })),
    tierLevels: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 20 }), { minItems: 1, maxItems: 20, uniqueItems: true })),
    daysSinceLastPurchase: Type.Optional(IntRange(36_500, 'Shanghai days since the last purchase day (members who never bought never match)')),
    purchases12m: Type.Optional(IntRange(100_000, 'purchase days in the rolling year (today and the 364 days before)')),
    amount12mFen: Type.Optional(IntRange(100_000_000_000, 'fen paid (after refunds) in the rolling year')),
    rfm: Type.Optional(
      Type.Object(
        { r: Type.Optional(Score), f: Type.Optional(Score), m: Type.Optional(Score) },
        { ...closed, minProperties: 1, description: 'RFM scores 1–5 (thresholds: shared/src/segments.ts RFM_THRESHOLDS)' },
      ),
    ),
    bought: Type.Optional(
      Type.Object(
        {
          skus: Type.Optional(Type.Array(Sku, { maxItems: 50, uniqueItems: true })),
          categories: Type.Optional(Type.Array(Category, { maxItems: 50, uniqueItems: true })),
          withinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650, description: 'default 365' })),
        },
        { ...closed, minProperties: 1, description: 'bought one of these SKUs or categories (an order still counting)' },
      ),
    ),
    birthdayMonths: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 12 }), { minItems: 1, maxItems: 12, uniqueItems: true })),
    homeStores: Type.Optional(Type.Array(Type.String(STORE_CODE), { minItems: 1, maxItems: 100, uniqueItems: true })),
    pointsAvailable: Type.Optional(IntRange(1_000_000_000, 'available points')),
    marketingConsent: Type.Optional(Type.Boolean({ description: 'true: marketing messages on; false: turned off' })),
    subscribedKinds: Type.Optional(Type.Array(Kind, { minItems: 1, maxItems: MESSAGE_KINDS.length, uniqueItems: true, description: 'holds a subscribe balance for one of these kinds' })),
    hasPhone: Type.Optional(Type.Boolean()),
  },
  closed,
)
export type SegmentFilter = Static<typeof SegmentFilterSchema>

const Name = Type.String({ minLength: 1, maxLength: 60 })

export const CreateSegmentSchema = Type.Object({ name: Name, description: Type.Optional(Type.String({ maxLength: 500 })), filter: SegmentFilterSchema }, closed)
export type CreateSegment = Static<typeof CreateSegmentSchema>

export const SegmentSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  filter: SegmentFilterSchema,
  /** members matching now */
  count: Count,
  createdBy: Type.String(),
  createdAt: DateTime,
  updatedAt: DateTime,
})
export type Segment = Static<typeof SegmentSchema>
export const SegmentListSchema = Type.Object({ items: Type.Array(Type.Omit(SegmentSchema, ['count'])) })

export const SegmentCountSchema = Type.Object({ count: Count, at: DateTime })
export type SegmentCount = Static<typeof SegmentCountSchema>

export const SegmentMembersQuerySchema = Type.Object(
  {
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  closed,
)
export const SegmentMemberSchema = Type.Object({
  id: Type.String(),
  nickname: Type.String(),
  /** masked: 138****5678 */
  phone: Type.Union([Type.String(), Type.Null()]),
  tierLevel: Type.Integer(),
  stage: Stage,
  lastPurchaseAt: Type.Union([DateTime, Type.Null()]),
  purchases12m: Count,
  amount12mFen: Count,
  pointsAvailable: Count,
  homeStore: Type.Union([Type.String(), Type.Null()]),
})
export const SegmentMembersPageSchema = Type.Object({ items: Type.Array(SegmentMemberSchema), total: Count, page: Type.Integer(), pageSize: Type.Integer() })
export type SegmentMembersPage = Static<typeof SegmentMembersPageSchema>

// ---------------------------------------------------------------------------------------------------------------
// Outreach

export const OUTREACH_CHANNELS = ['wechat', 'wechat_sms'] as const

export const OutreachStepSchema = Type.Object(
  {
    /** what the step is, for people: 关怀, 优惠, 预热, 正式, 最后提醒 */
    label: Type.String({ minLength: 1, maxLength: 20 }),
    /** days after the member's start (segment: the outreach's start; trigger: entering the stage) */
    afterDays: Type.Integer({ minimum: 0, maximum: 180 }),
    title: Type.String({ minLength: 1, maxLength: 20 }),
    content: Type.String({ minLength: 1, maxLength: 200 }),
    /** wechat: subscribe message when the member allowed one, always the inbox; wechat_sms: SMS when WeChat cannot push */
    channel: Type.Optional(Type.Union(OUTREACH_CHANNELS.map((c) => Type.Literal(c)), { default: 'wechat' })),
    couponTemplateId: Type.Optional(ObjectIdString),
    /** a last call: skipped for members who bought since their start */
    onlyIfNotBought: Type.Optional(Type.Boolean()),
  },
  closed,
)
export type OutreachStep = Static<typeof OutreachStepSchema>

export const OutreachAudienceSchema = Type.Union([
  Type.Object({ segmentId: ObjectIdString }, closed),
  Type.Object({ enteringStage: Stage }, { ...closed, description: 'every member entering this stage while the outreach runs' }),
])

export const CreateOutreachSchema = Type.Object(
  {
    name: Name,
    audience: OutreachAudienceSchema,
    steps: Type.Array(OutreachStepSchema, { minItems: 1, maxItems: 5 }),
    /** the segment's members are taken at this instant; a trigger starts enrolling then */
    startAt: DateTime,
    /** a trigger stops enrolling then (required for a trigger, at most a year after the start) */
    endAt: Type.Optional(DateTime),
    holdoutShare: Type.Optional(Type.Number({ minimum: 0.01, maximum: 0.5, default: 0.1 })),
    attributionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 14 })),
    /** what one message costs (fen): SMS costs money, WeChat pushes do not by default */
    messageCostFen: Type.Optional(Type.Object({ sms: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })), wechat: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })) }, closed)),
  },
  closed,
)
export type CreateOutreach = Static<typeof CreateOutreachSchema>

export const OUTREACH_STATUSES = ['draft', 'scheduled', 'running', 'finished', 'cancelled'] as const
export type OutreachStatus = (typeof OUTREACH_STATUSES)[number]

export const OutreachSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  audience: OutreachAudienceSchema,
  steps: Type.Array(OutreachStepSchema),
  startAt: DateTime,
  endAt: Type.Union([DateTime, Type.Null()]),
  holdoutShare: Type.Number(),
  attributionDays: Type.Integer(),
  messageCostFen: Type.Object({ sms: Count, wechat: Count }),
  status: Type.Union(OUTREACH_STATUSES.map((s) => Type.Literal(s))),
  /** members enrolled so far: treated, holdout, and left out (by reason) */
  enrolled: Type.Object({ treated: Count, holdout: Count, excluded: Count }),
  createdBy: Type.String(),
  createdAt: DateTime,
})
export type Outreach = Static<typeof OutreachSchema>
export const OutreachListSchema = Type.Object({ items: Type.Array(OutreachSchema) })

const GroupSchema = Type.Object({
  members: Count,
  /** members with a counting purchase in their attribution window */
  buyers: Count,
  revenueFen: Count,
  orders: Count,
  rate: Ratio,
})

export const OutreachResultsSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.String(),
  attributionDays: Type.Integer(),
  holdoutShare: Type.Number(),
  /** the audience and who was left out of it before assignment, by reason */
  audience: Type.Object({
    considered: Count,
    excluded: Type.Object({ marketingOff: Count, suppressed: Count, serialRefunder: Count, busy: Count }),
  }),
  treated: GroupSchema,
  holdout: GroupSchema,
  /** treated rate − holdout rate, with its 95% interval (normal approximation, unpooled) */
  lift: Type.Object({ diff: Ratio, low: Ratio, high: Ratio, significant: Type.Boolean() }),
  incrementalRevenueFen: Type.Union([Type.Number(), Type.Null()]),
  cost: Type.Object({
    messages: Type.Object({ wechat: Count, sms: Count, inboxOnly: Count }),
    messagesFen: Count,
    couponsIssued: Count,
    couponsRedeemed: Count,
    /** the face value of the redeemed coupons: what they took off orders */
    couponsRedeemedFen: Count,
    totalFen: Count,
  }),
  /** (incremental revenue − cost) / cost; null without a cost */
  roi: Ratio,
  /** per step: sent, skipped (bought already), coupon not issued */
  steps: Type.Array(Type.Object({ label: Type.String(), afterDays: Type.Integer(), sent: Count, skipped: Count, couponFailed: Count })),
  /** the window results are read over: from the first start to the last start + attribution days */
  window: Type.Object({ from: Type.Union([DateTime, Type.Null()]), to: Type.Union([DateTime, Type.Null()]), complete: Type.Boolean() }),
  /** the written review (复盘): what happened, in sentences */
  review: Type.Array(Type.String()),
  at: DateTime,
})
export type OutreachResults = Static<typeof OutreachResultsSchema>

export const OutreachPolicySchema = Type.Object(
  {
    /** a member in one outreach is left out of others until this many days after its last step */
    minGapDays: Type.Integer({ minimum: 0, maximum: 90 }),
    /** serial refunders: this many orders refunded in full or cancelled … */
    serialRefunds: Type.Integer({ minimum: 1, maximum: 100 }),
    /** … within this many days */
    serialRefundDays: Type.Integer({ minimum: 1, maximum: 730 }),
  },
  closed,
)
export type OutreachPolicy = Static<typeof OutreachPolicySchema>
export const DEFAULT_OUTREACH_POLICY: OutreachPolicy = { minGapDays: 7, serialRefunds: 3, serialRefundDays: 180 }

export const SuppressionEntrySchema = Type.Object({ memberId: Type.String(), reason: Type.String(), addedBy: Type.String(), addedAt: DateTime })
export const SuppressionListSchema = Type.Object({ items: Type.Array(SuppressionEntrySchema), total: Count })
export const AddSuppressionSchema = Type.Object(
  { memberIds: Type.Array(ObjectIdString, { minItems: 1, maxItems: 1000, uniqueItems: true }), reason: Type.String({ minLength: 1, maxLength: 100 }) },
  closed,
)
