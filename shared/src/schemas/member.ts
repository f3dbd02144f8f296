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
})
export type MemberProfile = Static<typeof MemberProfileSchema>

export const TierSummarySchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Type.Integer({ minimum: 1 }),
  threshold: Type.Integer({ minimum: 0 }),
})
export type TierSummary = Static<typeof TierSummarySchema>

export const MemberCardSchema = Type.Object({
  memberId: ObjectIdString,
  tier: TierSummarySchema,
  growth: Type.Object({
    value: Type.Integer({ minimum: 0 }),
    nextTier: Type.Union([TierSummarySchema, Type.Null()]),
    toNext: Type.Integer({ minimum: 0, description: 'growth still needed for the next tier; 0 at the top' }),
    progress: Type.Number({ minimum: 0, maximum: 1 }),
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
