import type { MemberProfile } from '@member-center/shared'
import type { Member } from './repository.js'

export function toProfile(member: Member): MemberProfile {
  return {
    id: member._id.toString(),
    nickname: member.nickname,
    avatarUrl: member.avatarUrl ?? null,
    phone: member.phone ? maskPhone(member.phone) : null,
    birthday: member.birthday ?? null,
    joinedAt: (member.createdAt as Date).toISOString(),
    homeStore: member.homeStore ?? null,
    advisor: member.advisor ?? null,
    joinChannel: member.joinChannel ?? null,
    purchases: {
      firstAt: member.purchases?.firstAt ? member.purchases.firstAt.toISOString() : null,
      lastAt: member.purchases?.lastAt ? member.purchases.lastAt.toISOString() : null,
      days: member.purchases?.days ?? 0,
      totalPaidFen: member.purchases?.totalPaidFen ?? 0,
    },
  }
}

/** 13800138000 → 138****8000 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****'
}
