import { Type, type Static } from '@sinclair/typebox'
import { ObjectIdString } from './common.js'

export const PointsEntrySchema = Type.Object({
  id: Type.String(),
  reason: Type.String({ description: 'purchase, confirm, refund, expire, adjust, spend' }),
  /** change to available points */
  available: Type.Integer(),
  /** change to pending points */
  pending: Type.Integer(),
  debt: Type.Integer(),
  expired: Type.Integer(),
  balanceAfter: Type.Object({ available: Type.Integer(), pending: Type.Integer(), debt: Type.Integer() }),
  orderId: Type.Union([Type.String(), Type.Null()]),
  lineId: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
})
export type PointsEntry = Static<typeof PointsEntrySchema>

export const PointsHistoryQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,512}$', maxLength: 512, description: 'nextCursor from the previous page' })),
  },
  { additionalProperties: false },
)

export const PointsHistoryPageSchema = Type.Object({
  items: Type.Array(PointsEntrySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type PointsHistoryPage = Static<typeof PointsHistoryPageSchema>

/** One benefit of a tier (会员权益) as the API shows it. */
export const TierBenefitSchema = Type.Object({
  title: Type.String(),
  description: Type.String(),
  icon: Type.Union([Type.String(), Type.Null()], { description: 'a key the client maps to a glyph: cleaning, engraving, resizing, trade-in, advisor, priority, custom, price, birthday, gift, events' }),
})
export type TierBenefitView = Static<typeof TierBenefitSchema>

export const TierSchema = Type.Object({
  level: Type.Integer(),
  code: Type.String(),
  name: Type.String(),
  threshold: Type.Integer(),
  pointsMultiplier: Type.Number(),
  benefits: Type.Array(TierBenefitSchema),
  holdUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: "the tier's threshold was raised: until then nobody who holds it loses it (lifetime policy), except at the review that ends the hold",
  }),
})
export type TierView = Static<typeof TierSchema>

/** How growth, points and tiers work under the active policy: the tiers page explains the program from these. */
export const TierPolicyFactsSchema = Type.Object({
  growth: Type.Object({
    perYuan: Type.Number({ description: 'growth value per whole yuan paid' }),
    countsAt: Type.Union([Type.Literal('confirm'), Type.Literal('payment')], { description: "when a purchase's growth counts: when its points confirm (the return window closed), or at payment" }),
    window: Type.Union([Type.Literal('lifetime'), Type.Literal('rolling')], { description: 'lifetime: all growth ever counts; rolling: growth of the last windowDays days' }),
    windowDays: Type.Union([Type.Integer(), Type.Null()]),
  }),
  points: Type.Object({
    perYuan: Type.Number({ description: "points per whole yuan paid, before the tier's multiplier" }),
    returnWindowDays: Type.Integer({ description: 'purchase points are pending until this many days after delivery (online orders: every channel without its own window)' }),
    maxPendingDays: Type.Integer({ description: '… or this many days after payment when no delivery is reported' }),
    channelWindows: Type.Array(
      Type.Object({ channel: Type.String(), days: Type.Integer() }),
      { description: "channels with their own return window: days after delivery, or else after payment; 0: final at payment (points available and growth counted at once) — a counter sale in a store" },
    ),
    expiry: Type.Object({
      kind: Type.Union([Type.Literal('end-of-next-year'), Type.Literal('days'), Type.Literal('never')]),
      days: Type.Union([Type.Integer(), Type.Null()]),
    }),
  }),
  reviews: Type.Object({
    kind: Type.Union([Type.Literal('none'), Type.Literal('annual')], { description: 'none: a tier follows the lifetime total; annual: kept until a review a year after it was reached' }),
    holdUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'lifetime: until then no tier is lost, and members are reviewed then' }),
  }),
})
export type TierPolicyFactsView = Static<typeof TierPolicyFactsSchema>

/** A tier as the tiers page lists it: also what it adds to the tier below. */
export const TierListItemSchema = Type.Composite([
  TierSchema,
  Type.Object({
    includesBelow: Type.Boolean({ description: 'every benefit of the tier below is here too (some on better terms)' }),
    adds: Type.Array(TierBenefitSchema, { description: 'the benefits this tier adds to the tier below: new ones, or better terms of one (all of them for the entry tier)' }),
  }),
])
export type TierListItem = Static<typeof TierListItemSchema>

export const TierListSchema = Type.Object({
  policy: Type.Union([Type.Literal('lifetime'), Type.Literal('rolling-12-months')]),
  rules: TierPolicyFactsSchema,
  tiers: Type.Array(TierListItemSchema),
})
export type TierList = Static<typeof TierListSchema>

const closed = { additionalProperties: false } as const

/** PUT /api/admin/tiers: the whole table, entry tier first (its position is its level). */
export const ReplaceTierTableSchema = Type.Object(
  {
    tiers: Type.Array(
      Type.Object(
        {
          code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$', minLength: 1, maxLength: 16, description: 'the brand\'s own code, e.g. S1' }),
          name: Type.String({ minLength: 1, maxLength: 20 }),
          threshold: Type.Integer({ minimum: 0, maximum: 10_000_000_000, description: 'the growth that reaches the tier; the first tier 0, then strictly ascending' }),
          pointsMultiplier: Type.Number({ minimum: 0, maximum: 10 }),
          benefits: Type.Array(
            Type.Object(
              {
                title: Type.String({ minLength: 1, maxLength: 20 }),
                description: Type.String({ minLength: 0, maxLength: 60 }),
                icon: Type.Optional(Type.Union([Type.String({ pattern: '^[a-z][a-z0-9-]*$', minLength: 1, maxLength: 24 }), Type.Null()])),
              },
              closed,
            ),
            { maxItems: 12 },
          ),
        },
        closed,
      ),
      { minItems: 1, maxItems: 10 },
    ),
  },
  closed,
)
export type ReplaceTierTable = Static<typeof ReplaceTierTableSchema>

export const TierTableUpdateSchema = Type.Object({
  tiers: Type.Array(TierSchema),
  /** the job that upgrades the members the new table lets up and gives review dates (audited as tier-recompute when done) */
  recompute: Type.Object({
    job: Type.String({ description: "the job's key in the jobs collection" }),
    raised: Type.Array(Type.Integer(), { description: 'levels whose threshold went up: on hold until holdUntil' }),
    holdUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  }),
})
export type TierTableUpdate = Static<typeof TierTableUpdateSchema>

export const CreateAdjustmentSchema = Type.Object(
  {
    kind: Type.Union([Type.Literal('points'), Type.Literal('growth')]),
    delta: Type.Integer({ minimum: -100_000_000, maximum: 100_000_000, description: 'positive grants, negative deducts; never 0' }),
    reason: Type.String({ minLength: 2, maxLength: 200 }),
    requestId: Type.String({ minLength: 8, maxLength: 64, description: 'your idempotency key: a retry with the same id changes nothing' }),
  },
  { additionalProperties: false },
)
export type CreateAdjustment = Static<typeof CreateAdjustmentSchema>

export const AdjustmentResultSchema = Type.Object({
  memberId: ObjectIdString,
  status: Type.Union([Type.Literal('applied'), Type.Literal('duplicate'), Type.Literal('noop')], {
    description:
      'applied; duplicate: this requestId was applied to this member before with the same body, nothing changed again; noop: nothing to change, nothing recorded',
  }),
  points: Type.Object({ available: Type.Integer(), pending: Type.Integer(), debt: Type.Integer() }),
  growth: Type.Integer(),
  tierLevel: Type.Integer(),
})
export type AdjustmentResult = Static<typeof AdjustmentResultSchema>
