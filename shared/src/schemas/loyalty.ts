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

export const TierListSchema = Type.Object({
  policy: Type.Union([Type.Literal('lifetime'), Type.Literal('rolling-12-months')]),
  tiers: Type.Array(
    Type.Object({
      level: Type.Integer(),
      code: Type.String(),
      name: Type.String(),
      threshold: Type.Integer(),
      pointsMultiplier: Type.Number(),
    }),
  ),
})
export type TierList = Static<typeof TierListSchema>

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
  status: Type.Union([Type.Literal('applied'), Type.Literal('duplicate')]),
  points: Type.Object({ available: Type.Integer(), pending: Type.Integer(), debt: Type.Integer() }),
  growth: Type.Integer(),
  tierLevel: Type.Integer(),
})
export type AdjustmentResult = Static<typeof AdjustmentResultSchema>
