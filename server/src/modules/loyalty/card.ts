import { tierProgress, type MemberCard, type TierDefinition } from '@member-center/shared'
import type { MemberCode } from '../members/member-code.js'
import type { Member } from '../members/repository.js'

/** The member card: tier and progress from the growth value, balances, and the rotating member code. */
export function buildCard(member: Member, tiers: readonly TierDefinition[], code: MemberCode): MemberCard {
  const id = member._id.toString()
  const growth = member.growth ?? 0
  const progress = tierProgress(tiers, growth)
  const summary = (t: TierDefinition) => ({ code: t.code, name: t.name, level: t.level, threshold: t.threshold })
  return {
    memberId: id,
    tier: summary(progress.current),
    growth: {
      value: growth,
      nextTier: progress.next ? summary(progress.next) : null,
      toNext: progress.toNext,
      progress: progress.progress,
    },
    points: { available: member.points?.available ?? 0, pending: member.points?.pending ?? 0, debt: member.points?.debt ?? 0 },
    memberCode: { code: code.code, expiresAt: code.expiresAt.toISOString() },
  }
}
