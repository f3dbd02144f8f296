import { Types } from 'mongoose'
import { MEMBER_REF_FIELDS } from '@member-center/shared'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import { Conflict, ValidationFailed } from '../../core/errors.js'
import type { MemberDoc, memberModel } from './models/member.js'
import { normalisePhone } from './phone-number.js'

export type Member = MemberDoc

/** A member's birthday as stored: MM-DD, the optional year, when it was last set (null: from before, e.g. imported). */
export interface BirthdayFact {
  birthday: string | null
  year: number | null
  setAt: Date | null
}

/** What the birthday gift reads of a member. */
export type BirthdayMember = Pick<Member, '_id' | 'birthday' | 'birthYear' | 'birthdaySetAt' | 'tierLevel'>
const BIRTHDAY_FIELDS = { birthday: 1, birthYear: 1, birthdaySetAt: 1, tierLevel: 1 } as const

/** The birthday fields of a member document. */
export function birthdayFact(member: Pick<Member, 'birthday' | 'birthYear' | 'birthdaySetAt'>): BirthdayFact {
  return { birthday: member.birthday ?? null, year: member.birthYear ?? null, setAt: member.birthdaySetAt ?? null }
}

/** A member's purchase statistics as stored (see setPurchaseStats). */
export interface PurchaseStatsFields {
  firstAt: Date | null
  lastAt: Date | null
  days: number
  totalPaidFen: number
  asOf: Date
}

export interface WechatIdentity {
  openid: string
  unionid?: string
}


/** Members, always found by their own id or their WeChat identity. */
export class MemberRepository {
  constructor(private readonly Member: ReturnType<typeof memberModel>) {}

  /**
   * Finds the member with this openid or creates one, in one atomic upsert. Returns whether it was created.
   * Two first logins at once race on the unique openid index: the loser's upsert fails with a duplicate key and is
   * retried once, finding the winner's member.
   */
  async upsertByWechat(identity: WechatIdentity, now: Date): Promise<{ member: Member; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.Member.findOneAndUpdate(
          { openid: identity.openid },
          {
            $set: { lastLoginAt: now, ...(identity.unionid ? { unionid: identity.unionid } : {}) },
            $setOnInsert: { joinChannel: 'wechat', nickname: defaultNickname(identity.openid), growth: 0, points: { available: 0, pending: 0, debt: 0, expired: 0 }, lots: [], growthByMonth: [], tierLevel: 1, rev: 0, pendingOps: [] },
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
    return (await this.findManyByRefKeys([refKey])).get(refKey) ?? null
  }

  /** The members these references name, by reference key; unknown ones are left out. One read per kind of reference. */
  async findManyByRefKeys(refKeys: string[]): Promise<Map<string, Member>> {
    const byKind = new Map<string, Set<string>>()
    for (const key of new Set(refKeys)) {
      const [kind, ...rest] = key.split(':')
      if (kind === 'memberId' && !Types.ObjectId.isValid(rest.join(':'))) continue
      byKind.set(kind!, (byKind.get(kind!) ?? new Set()).add(rest.join(':')))
    }
    const fields: Record<string, string> = { memberId: '_id', openid: 'openid', unionid: 'unionid', phone: 'phone' }
    const found = new Map<string, Member>()
    await Promise.all(
      [...byKind].map(async ([kind, values]) => {
        const field = fields[kind]
        if (!field) return
        const list = [...values]
        const members = await this.Member.find({ [field]: { $in: field === '_id' ? list.map((v) => new Types.ObjectId(v)) : list } }).lean<Member[]>()
        for (const member of members) {
          const value = field === '_id' ? member._id.toString() : String(member[field as keyof Member])
          if (!found.has(`${kind}:${value}`)) found.set(`${kind}:${value}`, member)
        }
      }),
    )
    return found
  }

  async findById(memberId: string | Types.ObjectId): Promise<Member | null> {
    if (typeof memberId === 'string' && !/^[0-9a-f]{24}$/i.test(memberId)) return null
    return this.Member.findById(memberId).lean<Member>()
  }

  async exists(memberId: string): Promise<boolean> {
    return /^[0-9a-f]{24}$/i.test(memberId) && (await this.Member.exists({ _id: new Types.ObjectId(memberId) })) !== null
  }

  /** Sets profile fields (operators, migration, the demo seed). */
  async updateProfile(memberId: Types.ObjectId, fields: { nickname?: string; birthday?: string | null; birthYear?: number | null; birthdaySetAt?: Date | null }): Promise<void> {
    await this.Member.updateOne({ _id: memberId }, { $set: fields })
  }

  /**
   * Sets the member's birthday if none is set, in one conditional update (`birthday: null`): of two requests at once,
   * exactly one sets it. Answers set, already-set (whatever it is set to), or missing (no such member).
   */
  async setBirthdayOnce(memberId: Types.ObjectId | string, fact: { birthday: string; year: number | null }, at: Date): Promise<'set' | 'already-set' | 'missing'> {
    const _id = new Types.ObjectId(memberId)
    const done = await this.Member.updateOne({ _id, birthday: null }, { $set: { birthday: fact.birthday, birthYear: fact.year, birthdaySetAt: at } })
    if (done.matchedCount === 1) return 'set'
    return (await this.Member.exists({ _id })) ? 'already-set' : 'missing'
  }

  /**
   * Staff correct (or set) a member's birthday. The set time moves only when the day changes (a year added or fixed
   * is not a new birthday). Conditional on the birthday read, so the before it answers is exactly what was replaced;
   * null when there is no such member.
   */
  async correctBirthday(memberId: Types.ObjectId | string, fact: { birthday: string; year: number | null }, at: Date): Promise<{ before: BirthdayFact; after: BirthdayFact } | null> {
    const _id = new Types.ObjectId(memberId)
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.Member.findById(_id, { birthday: 1, birthYear: 1, birthdaySetAt: 1 }).lean<Pick<Member, 'birthday' | 'birthYear' | 'birthdaySetAt'>>()
      if (!current) return null
      const before = birthdayFact(current)
      const after: BirthdayFact = { birthday: fact.birthday, year: fact.year, setAt: before.birthday === fact.birthday ? before.setAt : at }
      const done = await this.Member.updateOne(
        { _id, birthday: before.birthday, birthYear: before.year },
        { $set: { birthday: after.birthday, birthYear: after.year, birthdaySetAt: after.setAt } },
      )
      if (done.matchedCount === 1) return { before, after }
    }
    throw new Conflict('the birthday changed while it was being corrected; try again')
  }

  /** Members whose birthday is one of these MM-DD, with what the birthday gift needs (a scan where there is no index). */
  async withBirthdayOn(monthDays: string[]): Promise<BirthdayMember[]> {
    if (monthDays.length === 0) return []
    return this.Member.find({ birthday: { $in: monthDays } }, BIRTHDAY_FIELDS).lean<BirthdayMember[]>()
  }

  /** These members' birthdays (MM-DD, or null), by member id: one read by primary key. */
  async birthdaysOf(memberIds: (Types.ObjectId | string)[]): Promise<Map<string, string | null>> {
    const ids = [...new Set(memberIds.map(String))].filter((id) => Types.ObjectId.isValid(id)).map((id) => new Types.ObjectId(id))
    if (ids.length === 0) return new Map()
    const found = await this.Member.find({ _id: { $in: ids } }, { birthday: 1 }).lean<Pick<Member, '_id' | 'birthday'>[]>()
    return new Map(found.map((m) => [m._id.toString(), m.birthday ?? null]))
  }

  /**
   * Stores the member's purchase statistics (loyalty recomputes them from the orders). `asOf`, the latest change of
   * the orders they were computed from, keeps a recomputation that read older orders from overwriting a newer one.
   */
  async setPurchaseStats(memberId: Types.ObjectId, stats: PurchaseStatsFields): Promise<void> {
    await this.Member.updateOne(
      { _id: memberId, $or: [{ purchases: null }, { 'purchases.asOf': null }, { 'purchases.asOf': { $lte: stats.asOf } }] },
      { $set: { purchases: stats } },
    )
  }

  /** Sets the home store and the advisor where the member has none yet (their first in-store purchase). */
  async setHomeStore(memberId: Types.ObjectId, fields: { homeStore?: string | null; advisor?: string | null }): Promise<void> {
    if (fields.homeStore) await this.Member.updateOne({ _id: memberId, homeStore: null }, { $set: { homeStore: fields.homeStore } })
    if (fields.advisor) await this.Member.updateOne({ _id: memberId, advisor: null }, { $set: { advisor: fields.advisor } })
  }

  /** Staff assign the home store or the advisor, whatever was set before. */
  async assignStoreAndAdvisor(memberId: Types.ObjectId, fields: { homeStore?: string | null; advisor?: string | null }): Promise<void> {
    await this.Member.updateOne({ _id: memberId }, { $set: fields })
  }

  /** How many members there are, or how many have this home store (the lifecycle counts' prospects). */
  async count(filter: { homeStore?: string } = {}): Promise<number> {
    return filter.homeStore === undefined ? this.Member.countDocuments({}) : this.Member.countDocuments({ homeStore: filter.homeStore })
  }

  /**
   * The ids of the members matching these facts (segments, issue 14): each fact given must hold. One read of `_id`
   * alone over the members.
   */
  async idsMatching(facts: MemberFacts): Promise<Set<string>> {
    const query: Record<string, unknown> = {}
    if (facts.tierLevels) query.tierLevel = { $in: facts.tierLevels }
    if (facts.homeStores) query.homeStore = { $in: facts.homeStores }
    if (facts.birthdayMonths) query.birthday = { $in: facts.birthdayMonths.flatMap((m) => daysOfMonth(m)) }
    if (facts.pointsAvailable) query['points.available'] = rangeQuery(facts.pointsAvailable)
    if (facts.hasPhone !== undefined) query.phone = facts.hasPhone ? { $ne: null } : null
    const docs = await this.Member.find(query, { _id: 1 }).lean()
    return new Set(docs.map((d) => d._id.toString()))
  }

  /** What a segment's member list shows of these members. */
  async segmentRows(memberIds: Types.ObjectId[]): Promise<Map<string, Pick<Member, '_id' | 'nickname' | 'phone' | 'tierLevel' | 'points' | 'homeStore'>>> {
    const docs = await this.Member.find({ _id: { $in: memberIds } }, { nickname: 1, phone: 1, tierLevel: 1, points: 1, homeStore: 1 }).lean()
    return new Map(docs.map((d) => [d._id.toString(), d]))
  }

  /**
   * What the KPI report counts of every member (or of those whose home store it is), streamed: when they joined and
   * last logged in, their tier and points. One pass over the members, projected and lean (issue 14 "KPIs").
   */
  async *kpiRows(homeStore: string | null = null): AsyncGenerator<Pick<Member, '_id' | 'createdAt' | 'lastLoginAt' | 'tierLevel' | 'points'>> {
    const query = homeStore === null ? {} : { homeStore }
    const fields = { createdAt: 1, lastLoginAt: 1, tierLevel: 1, 'points.available': 1, 'points.pending': 1 }
    for await (const doc of this.Member.find(query, fields).lean().cursor({ batchSize: 5_000 })) yield doc as Pick<Member, '_id' | 'createdAt' | 'lastLoginAt' | 'tierLevel' | 'points'>
  }

  /** Every member's home store, for the members that have one (rebuilding lifecycle stages in bulk). */
  async homeStores(): Promise<Map<string, string>> {
    const docs = await this.Member.find({ homeStore: { $ne: null } }, { homeStore: 1 }).lean()
    return new Map(docs.map((d) => [d._id.toString(), d.homeStore!]))
  }

  /** Sets the member's phone number (normalisePhone's spelling). */
  async setPhone(memberId: Types.ObjectId, phone: string): Promise<void> {
    await this.Member.updateOne({ _id: memberId }, { $set: { phone } })
  }
}

/** The member facts a segment filters on (see idsMatching). */
export interface MemberFacts {
  tierLevels?: number[]
  homeStores?: string[]
  /** 1–12: birthdays (MM-DD) in these months */
  birthdayMonths?: number[]
  pointsAvailable?: { min?: number; max?: number }
  hasPhone?: boolean
}

function rangeQuery(range: { min?: number; max?: number }): Record<string, number> {
  const q: Record<string, number> = {}
  if (range.min !== undefined) q.$gte = range.min
  if (range.max !== undefined) q.$lte = range.max
  return q
}

/** Every MM-DD of a month (29 February included): birthdays are matched exactly, which the birthday index serves. */
function daysOfMonth(month: number): string[] {
  const days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
  const mm = String(month).padStart(2, '0')
  return Array.from({ length: days }, (_, i) => `${mm}-${String(i + 1).padStart(2, '0')}`)
}

/** 会员 and the openid's last four characters, until the member sets a nickname. */
export function defaultNickname(openid: string): string {
  return `会员${openid.slice(-4)}`
}

/**
 * A shop's name for a member as one string (memberId:…, openid:…, unionid:…, phone:…), first of the given kinds; a
 * phone number in its one spelling (normalisePhone). Throws for a reference that names no one (the shop's events
 * are checked for that before they are accepted).
 */
export function memberRefKey(ref: { memberId?: string; openid?: string; unionid?: string; phone?: string }): string {
  if (ref.memberId) return `memberId:${ref.memberId}`
  if (ref.openid) return `openid:${ref.openid}`
  if (ref.unionid) return `unionid:${ref.unionid}`
  const phone = ref.phone ? normalisePhone(ref.phone) : null
  if (phone) return `phone:${phone}`
  throw new RangeError('a member reference needs a memberId, openid, unionid or phone number')
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

/** 400 unless a member reference names the member by a field we know (`{"mobile": …}` names no one). */
export function checkMemberRef(member: Record<string, unknown> | undefined, path = 'data.member'): void {
  if (member === undefined) return
  if (!MEMBER_REF_FIELDS.some((field) => member[field] !== undefined)) {
    throw new ValidationFailed(`${path}: name the member by ${MEMBER_REF_FIELDS.join(', ')} (other fields are ignored)`)
  }
  if (typeof member.phone === 'string' && !normalisePhone(member.phone)) {
    throw new ValidationFailed(`${path}.phone: not a phone number (6 to 15 digits, with its country code outside mainland China)`)
  }
}
