import { benefitsAdded, benefitView, tierStanding, type MemberCard, type TierDefinition } from '@member-center/shared'
import type { MemberCode } from '../members/member-code.js'
import type { Member } from '../members/repository.js'
import { toBalances } from './ledger.js'
import type { ActivePolicy } from './policy-store.js'

/** How many of the held tier's benefits the card shows. */
export const CARD_TOP_BENEFITS = 3

/**
 * The member card: the tier the member holds (never one worked out from growth), progress measured with the growth
 * the policy counts (lifetime total or the rolling window), the held tier's first benefits and what the next tier
 * adds, balances, and the rotating member code.
 */
export function buildCard(member: Member, tiers: readonly TierDefinition[], policy: ActivePolicy, now: Date, code: MemberCode): MemberCard {
  const standing = tierStanding(
    { tierLevel: member.tierLevel ?? 1, tierReviewAt: member.tierReviewAt ? new Date(member.tierReviewAt) : null, tierHeldUntil: member.tierHeldUntil ? new Date(member.tierHeldUntil) : null, balances: toBalances(member) },
    tiers,
    policy,
    now,
  )
  const summary = (t: TierDefinition) => ({ code: t.code, name: t.name, level: t.level, threshold: t.threshold })
  const benefits = standing.held.benefits ?? []
  return {
    memberId: member._id.toString(),
    tier: summary(standing.held),
    benefits: { top: benefits.slice(0, CARD_TOP_BENEFITS).map(benefitView), count: benefits.length },
    growth: {
      value: standing.counted,
      total: standing.total,
      window: policy.tiers.kind === 'lifetime' ? 'lifetime' : 'rolling',
      nextTier: standing.next ? summary(standing.next) : null,
      toNext: standing.toNext,
      progress: standing.progress,
      nextTierAdds: standing.next ? benefitsAdded(tiers, standing.held.level, standing.next.level) : [],
      review: standing.review ? { at: standing.review.at.toISOString(), toKeep: standing.review.toKeep } : null,
    },
    points: { available: member.points?.available ?? 0, pending: member.points?.pending ?? 0, debt: member.points?.debt ?? 0 },
    memberCode: { code: code.code, expiresAt: code.expiresAt.toISOString() },
  }
}
