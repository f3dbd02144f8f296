import { Types } from 'mongoose'
import type { Models } from '../models/index.js'
import type { MemberDoc } from '../models/member.js'
import { isDuplicateKey } from '../models/duplicate-key.js'

export type Member = MemberDoc

export interface WechatIdentity {
  openid: string
  unionid?: string
}


/** Members, always found by their own id or their WeChat identity. */
export class MemberRepository {
  constructor(private readonly models: Models) {}

  /**
   * Finds the member with this openid or creates one, in one atomic upsert. Returns whether it was created.
   * Two first logins at once race on the unique openid index: the loser's upsert fails with a duplicate key and is
   * retried once, finding the winner's member.
   */
  async upsertByWechat(identity: WechatIdentity, now: Date): Promise<{ member: Member; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.models.Member.findOneAndUpdate(
          { openid: identity.openid },
          {
            $set: { lastLoginAt: now, ...(identity.unionid ? { unionid: identity.unionid } : {}) },
            $setOnInsert: { nickname: defaultNickname(identity.openid), growth: 0, points: { available: 0, pending: 0, debt: 0, expired: 0 }, lots: [], growthByMonth: [], tierLevel: 1, rev: 0, pendingOps: [] },
          },
          { upsert: true, returnDocument: 'after', includeResultMetadata: true, lean: true },
        )
        return { member: result.value as unknown as Member, created: !result.lastErrorObject?.updatedExisting }
      } catch (error) {
        if (attempt === 0 && isDuplicateKey(error)) continue
        throw error
      }
    }
  }

  /** The member a shop's reference names, if known. */
  async findByRefKey(refKey: string): Promise<Member | null> {
    const [kind, ...rest] = refKey.split(':')
    const value = rest.join(':')
    switch (kind) {
      case 'memberId':
        return this.findById(value)
      case 'openid':
        return this.models.Member.findOne({ openid: value }).lean<Member>()
      case 'unionid':
        return this.models.Member.findOne({ unionid: value }).lean<Member>()
      case 'phone':
        return this.models.Member.findOne({ phone: value }).lean<Member>()
      default:
        return null
    }
  }

  async findById(memberId: string): Promise<Member | null> {
    if (!Types.ObjectId.isValid(memberId)) return null
    return this.models.Member.findById(memberId).lean<Member>()
  }
}

/** 会员 and the openid's last four characters, until the member sets a nickname. */
export function defaultNickname(openid: string): string {
  return `会员${openid.slice(-4)}`
}

/** A shop's name for a member as one string (memberId:…, openid:…, unionid:…, phone:…), first of the given kinds. */
export function memberRefKey(ref: { memberId?: string; openid?: string; unionid?: string; phone?: string }): string {
  if (ref.memberId) return `memberId:${ref.memberId}`
  if (ref.openid) return `openid:${ref.openid}`
  if (ref.unionid) return `unionid:${ref.unionid}`
  return `phone:${ref.phone}`
}

/** Every name a shop could use for this member. */
export function memberRefKeys(member: Pick<Member, '_id' | 'openid' | 'unionid' | 'phone'>): string[] {
  return [
    `memberId:${member._id.toString()}`,
    `openid:${member.openid}`,
    ...(member.unionid ? [`unionid:${member.unionid}`] : []),
    ...(member.phone ? [`phone:${member.phone}`] : []),
  ]
}
