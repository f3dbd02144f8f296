import { Type, type Static } from '@sinclair/typebox'
import { ObjectIdString } from './common.js'

export const MemberProfileSchema = Type.Object({
  id: ObjectIdString,
  nickname: Type.String(),
  avatarUrl: Type.Union([Type.String(), Type.Null()]),
  /** masked, for example 138****8000; null when the member never shared a phone number */
  phone: Type.Union([Type.String(), Type.Null()]),
  /** MM-DD, or null when not set */
  birthday: Type.Union([Type.String(), Type.Null()]),
  joinedAt: Type.String({ format: 'date-time' }),
  /** the store of the member's first in-store purchase (or set by staff); null until then */
  homeStore: Type.Union([Type.String(), Type.Null()]),
  /** the member's dedicated advisor: named with the first in-store purchase, or set by staff */
  advisor: Type.Union([Type.String(), Type.Null()]),
  /** how the member joined: wechat (the mini-program's login); null for members from before this was recorded */
  joinChannel: Type.Union([Type.String(), Type.Null()]),
  /** purchases that count: paid, not cancelled or fully refunded, not zero-value */
  purchases: Type.Object({
    firstAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    lastAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    days: Type.Integer({ minimum: 0, description: 'distinct days (Asia/Shanghai) with such a purchase' }),
    totalPaidFen: Type.Integer({ minimum: 0, description: 'paid less refunded, over all orders not cancelled' }),
  }),
})
export type MemberProfile = Static<typeof MemberProfileSchema>

export const TierSummarySchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Type.Integer({ minimum: 1 }),
  threshold: Type.Integer({ minimum: 0 }),
})
export type TierSummary = Static<typeof TierSummarySchema>

const CardBenefitSchema = Type.Object({
  title: Type.String(),
  description: Type.String(),
  icon: Type.Union([Type.String(), Type.Null()]),
})

export const MemberCardSchema = Type.Object({
  memberId: ObjectIdString,
  /** the tier the member holds (not one worked out from growth: a downgrade waits for the review the policy promises) */
  tier: TierSummarySchema,
  /** the held tier's first benefits (the operator orders them), and how many it has in all */
  benefits: Type.Object({
    top: Type.Array(CardBenefitSchema, { maxItems: 3 }),
    count: Type.Integer({ minimum: 0 }),
  }),
  growth: Type.Object({
    value: Type.Integer({ minimum: 0, description: 'the growth the policy counts for tiers: the lifetime total, or the rolling window' }),
    total: Type.Integer({ minimum: 0, description: 'all growth ever' }),
    window: Type.Union([Type.Literal('lifetime'), Type.Literal('rolling')]),
    nextTier: Type.Union([TierSummarySchema, Type.Null()]),
    toNext: Type.Integer({ minimum: 0, description: 'growth still needed for the next tier; 0 at the top' }),
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    /** what the next tier adds to the held one (new benefits, or better terms of one) */
    nextTierAdds: Type.Array(CardBenefitSchema),
    /** when the held tier is reviewed and the growth it still needs then; null when it cannot be lost */
    review: Type.Union([Type.Object({ at: Type.String({ format: 'date-time' }), toKeep: Type.Integer({ minimum: 0 }) }), Type.Null()]),
  }),
  points: Type.Object({
    available: Type.Integer(),
    pending: Type.Integer({ minimum: 0 }),
    debt: Type.Integer({ minimum: 0, description: 'points owed after a refund of points already spent; repaid from the next earnings' }),
  }),
  memberCode: Type.Object({
    code: Type.String({ description: 'rotating code for staff to scan; valid for the current 60-second window' }),
    expiresAt: Type.String({ format: 'date-time' }),
  }),
})
export type MemberCard = Static<typeof MemberCardSchema>
