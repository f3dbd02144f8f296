import { isMemberDayDate, shanghaiDate, type Coupon, type MemberDaySettings, type TierDefinition } from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import { Types } from 'mongoose'
import { duplicatesOf, isDuplicateKey } from '../../core/duplicate-key.js'
import { NotFound } from '../../core/errors.js'
import type { CouponsService } from '../coupons/index.js'
import type { IssueRequest, IssueResult } from '../coupons/issuing.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { MembersService } from '../members/index.js'
import type { Member } from '../members/repository.js'
import type { MemberDirectory } from './member-directory.js'
import type { DayMemberDoc, MemberDayModels } from './models.js'
import type { MemberDaySettingsStore } from './settings.js'

/** The business key of a member-day coupon: one per member, member day and template. */
export function couponKey(date: string, memberId: Types.ObjectId | string, templateId: string): string {
  return `member-day:${date}:${memberId.toString()}:${templateId}`
}

/** The coupon templates a tier gets on the day (none for a tier not listed). */
export function templatesForTier(settings: MemberDaySettings, tiers: readonly TierDefinition[], tierLevel: number | null | undefined): string[] {
  const code = tiers.find((t) => t.level === (tierLevel ?? 1))?.code
  return settings.tierCoupons.find((t) => t.tier === code)?.couponTemplateIds ?? []
}

/** Runs a single-document upsert, once more if a concurrent one created the document first (duplicate key). */
export async function upsertOnce<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (!isDuplicateKey(error)) throw error
    return write()
  }
}

export interface VisitResult {
  isMemberDay: boolean
  date: string | null
  issued: Coupon[]
}

export interface MemberDaysDeps {
  models: MemberDayModels
  settings: MemberDaySettingsStore
  coupons: CouponsService
  members: MembersService
  directory: MemberDirectory
  tiers: TierTable
  now: () => Date
  log: Pick<FastifyBaseLogger, 'warn'>
}

/**
 * What happens on a member day: the day is recorded as held (with its settings), each member's visit is counted, and
 * the tier coupons are issued — on the member's first visit (issueMode on-open) or to every member by the day's job
 * (issueMode job) — once per member, day and template (the coupons service's business key), under any concurrency.
 */
export class MemberDays {
  constructor(private readonly deps: MemberDaysDeps) {}

  /** Whether `date` is a member day that was held, or is one under the configured days. */
  async isMemberDay(date: string, settings: MemberDaySettings): Promise<boolean> {
    return isMemberDayDate(date, settings.days) || (await this.deps.models.HeldDay.exists({ _id: date })) !== null
  }

  /** The held member days among these dates. */
  async heldAmong(dates: string[]): Promise<Set<string>> {
    const docs = await this.deps.models.HeldDay.find({ _id: { $in: dates } }, { _id: 1 }).lean()
    return new Set(docs.map((d) => String(d._id)))
  }

  /** Records `date` as a held member day with these settings (the first record stays). */
  async hold(date: string, settings: MemberDaySettings): Promise<void> {
    const fields = { heldAt: this.deps.now(), days: settings.days, multiplier: settings.multiplier, issueMode: settings.issueMode }
    await upsertOnce(() => this.deps.models.HeldDay.updateOne({ _id: date }, { $setOnInsert: fields }, { upsert: true }))
  }

  /**
   * The member opened the mini-program: on a member day (the program on), the visit is recorded for the report and,
   * in issueMode on-open, the member's tier coupons are issued. Answers the coupons this call issued.
   */
  async visit(memberId: string): Promise<VisitResult> {
    const now = this.deps.now()
    const today = shanghaiDate(now)
    const settings = await this.deps.settings.current()
    const member = await this.deps.members.repo.findById(memberId)
    if (!member) throw new NotFound('member not found')
    if (!settings.enabled || !isMemberDayDate(today, settings.days)) return { isMemberDay: false, date: null, issued: [] }
    await this.hold(today, settings)
    const id = dayMemberId(today, member._id)
    await upsertOnce(() => this.deps.models.DayMember.updateOne({ _id: id }, { $setOnInsert: { date: today, memberId: member._id, visitedAt: now } }, { upsert: true }))
    // the job issued to the member before the first visit: this is the visit
    await this.deps.models.DayMember.updateOne({ _id: id, visitedAt: null }, { $set: { visitedAt: now } })
    if (settings.issueMode !== 'on-open') return { isMemberDay: true, date: today, issued: [] }
    const tiers = await this.deps.tiers.current()
    const requests = templatesForTier(settings, tiers, member.tierLevel).map((templateId) => request(today, member._id, templateId))
    const results = await Promise.all(requests.map((r) => this.deps.coupons.issue(r).catch((error: Error) => error)))
    await this.recordIssued(today, [member._id], [results.map((r, i) => ({ request: requests[i]!, result: r }))])
    return { isMemberDay: true, date: today, issued: results.filter((r): r is IssueResult => !(r instanceof Error) && r.status === 'issued').map((r) => r.coupon) }
  }

  /**
   * The day's job (issueMode job): every member gets their tier's coupons, in batches through the coupons service's
   * issueMany. Idempotent: a run again (a retry, another process) issues nothing twice. Answers how many were issued.
   */
  async issueToEveryone(date: string, settings: MemberDaySettings): Promise<{ issued: number; refused: number }> {
    const tiers = await this.deps.tiers.current()
    let issued = 0
    let refused = 0
    for await (const members of this.deps.directory.batches(200)) {
      const perMember = members.map((m) => templatesForTier(settings, tiers, m.tierLevel).map((templateId) => request(date, m._id, templateId)))
      const requests = perMember.flat()
      if (requests.length === 0) continue
      const results = await this.deps.coupons.issueMany(requests)
      let k = 0
      const outcomes = perMember.map((reqs) => reqs.map((r) => ({ request: r, result: results[k++]! })))
      await this.recordIssued(date, members.map((m) => m._id), outcomes)
      for (const r of results) {
        if (r instanceof Error) refused++
        else if (r.status === 'issued') issued++
      }
    }
    return { issued, refused }
  }

  /** A member's coupons of the day (issued on the day by this program), as the wallet shows them. */
  async couponsOf(date: string, member: Member): Promise<Coupon[]> {
    const entry = await this.deps.models.DayMember.findById(dayMemberId(date, member._id)).lean<DayMemberDoc>()
    const ids = new Set((entry?.couponIds ?? []).map(String))
    if (ids.size === 0) return []
    const memberId = member._id.toString()
    const [usable, used, expired] = await Promise.all((['usable', 'used', 'expired'] as const).map((state) => this.deps.coupons.usage.wallet(memberId, state, 100)))
    return [...usable!, ...used!, ...expired!].filter((c) => ids.has(c.id))
  }

  /** The day's members: who visited, and the coupons issued to each. */
  async members(date: string): Promise<DayMemberDoc[]> {
    return this.deps.models.DayMember.find({ date }).lean<DayMemberDoc[]>()
  }

  /**
   * Notes on each member's entry of the day the coupons they hold from this program (issued now, or before under the
   * same key), one command for the batch; refusals (out of stock, a paused template, a tier the template excludes)
   * are logged and left out.
   */
  private async recordIssued(date: string, memberIds: Types.ObjectId[], outcomes: { request: IssueRequest; result: IssueResult | Error }[][]): Promise<void> {
    const writes = memberIds.flatMap((memberId, i) => {
      const couponIds: Types.ObjectId[] = []
      for (const { request: r, result } of outcomes[i] ?? []) {
        if (result instanceof Error) this.deps.log.warn({ err: result, key: r.key }, 'member-day coupon not issued')
        else couponIds.push(new Types.ObjectId(result.coupon.id))
      }
      if (couponIds.length === 0) return []
      return [{ updateOne: { filter: { _id: dayMemberId(date, memberId) }, update: { $setOnInsert: { date, memberId, visitedAt: null }, $addToSet: { couponIds: { $each: couponIds } } }, upsert: true } }]
    })
    if (writes.length === 0) return
    // a concurrent visit created an entry first: those upserts go once more, alone (they update it then)
    const again = await duplicatesOf(() => this.deps.models.DayMember.bulkWrite(writes as never[], { ordered: false }))
    for (const i of again) await upsertOnce(() => this.deps.models.DayMember.bulkWrite([writes[i]!] as never[]))
  }
}

function dayMemberId(date: string, memberId: Types.ObjectId): string {
  return `${date}:${memberId.toString()}`
}

function request(date: string, memberId: Types.ObjectId, templateId: string): IssueRequest {
  return { templateId, memberId, key: couponKey(date, memberId, templateId), source: 'member-day' }
}
