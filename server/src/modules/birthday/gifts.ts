import {
  BIRTHDAY_INELIGIBILITY_REASONS,
  BIRTHDAY_PASSED_REASON,
  birthdayIneligibility,
  birthdayIssueDate,
  birthdaysCelebratedAround,
  birthdayYearShown,
  celebrationDate,
  celebrationMonthEnd,
  daysFromDate,
  inBirthdayWeek,
  isBirthdayGiftDue,
  LATE_SET_DAYS,
  lotExpiry,
  shanghaiDate,
  type BirthdayGiftStatus,
  type BirthdayIneligibility,
  type BirthdaySettings,
  type Coupon,
  type TierDefinition,
} from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import { duplicatesOf } from '../../core/duplicate-key.js'
import { NotFound, ServiceUnavailable } from '../../core/errors.js'
import type { CouponsService } from '../coupons/index.js'
import type { IssueRequest } from '../coupons/issuing.js'
import type { ActivityService } from '../loyalty/activity.js'
import type { PolicyStore } from '../loyalty/policy-store.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { MessagingService } from '../messaging/index.js'
import type { BirthdayMember, MemberRepository } from '../members/repository.js'
import { giftKey, type BirthdayGiftDoc, type BirthdayModels } from './models.js'
import type { BirthdaySettingsStore } from './settings.js'

/** How many days after a birthday the daily job still completes a gift a crash left half-issued. */
const FINISH_DAYS_AFTER = 7

/**
 * What the issuing service's refusals are called: a coupon refused for one of these is recorded as refused and the
 * gift completes without it; any other failure (the database away) leaves the gift `issuing`, completed later.
 */
const REFUSALS = new Set(['OUT_OF_STOCK', 'LIMIT_REACHED', 'TIER_NOT_ELIGIBLE', 'NOT_AVAILABLE', 'NOT_FOUND', 'CONFLICT', 'VALIDATION_FAILED'])

/** A member whose gift may be due, and the celebration it would be for. */
export interface GiftCandidate {
  member: BirthdayMember
  celebratedOn: string
}

export interface BirthdayGiftsDeps {
  models: BirthdayModels
  members: MemberRepository
  settings: BirthdaySettingsStore
  tiers: TierTable
  coupons: Pick<CouponsService, 'issue' | 'issueMany'>
  activity: Pick<ActivityService, 'grant'>
  messaging: Pick<MessagingService, 'enqueue'>
  policies: Pick<PolicyStore, 'current'>
  now: () => Date
  log: Pick<FastifyBaseLogger, 'warn'>
}

/** The end (Shanghai) of a date: the last instant a coupon valid "through" it may be used. */
const endOfDate = (date: string) => new Date(Date.parse(`${date}T23:59:59.999+08:00`))
const yearOf = (date: string) => Number(date.slice(0, 4))

/**
 * The yearly birthday gift. Due from the issue day (`daysBefore` the celebration, Shanghai) through the celebration
 * date; found by the daily job (one scan of members by the window's MM-DDs), and at once when a member with a known
 * birthday logs in or opens the birthday page inside the window. Exactly once per member per year, whichever process
 * and however often: see models.ts (the gift's `_id` is its business key, each effect carries its own key).
 */
export class BirthdayGifts {
  constructor(private readonly deps: BirthdayGiftsDeps) {}

  private today(): string {
    return shanghaiDate(this.deps.now())
  }

  /** The daily job: every gift due today (or left half-issued by a crash in the days before), issued. */
  async runDaily(): Promise<{ candidates: number; issued: number }> {
    const settings = await this.deps.settings.current()
    if (!settings.enabled) return { candidates: 0, issued: 0 }
    const today = this.today()
    const window = birthdaysCelebratedAround(today, FINISH_DAYS_AFTER, settings.daysBefore)
    // within a window shorter than a year, each MM-DD is celebrated on one date
    const celebratedOn = new Map(window.map((w) => [w.monthDay, w.celebratedOn]))
    const members = await this.deps.members.withBirthdayOn([...celebratedOn.keys()])
    const issued = await this.settle(
      members.map((member) => ({ member, celebratedOn: celebratedOn.get(member.birthday!)! })),
      settings,
      today,
    )
    return { candidates: members.length, issued }
  }

  /**
   * A member just seen (a login): the gift at once when it is due now. Cheap when it is not: no read unless the
   * birthday is within the widest window (30 days) ahead.
   */
  async issueIfDue(member: BirthdayMember): Promise<void> {
    if (!member.birthday) return
    const today = this.today()
    const thisYear = celebrationDate(member.birthday, yearOf(today))
    const next = today <= thisYear ? thisYear : celebrationDate(member.birthday, yearOf(today) + 1)
    if (daysFromDate(today, next) > LATE_SET_DAYS) return
    const settings = await this.deps.settings.current()
    if (!settings.enabled) return
    await this.settle([{ member, celebratedOn: next }], settings, today)
  }

  /**
   * Issues the gifts due among the candidates: decides the new ones (inserted `issuing` under their keys, the plan
   * frozen; a key another process inserted first is simply found), then completes every gift of theirs still
   * `issuing`. Answers how many gifts this call completed.
   */
  async settle(candidates: GiftCandidate[], settings: BirthdaySettings, today: string): Promise<number> {
    if (candidates.length === 0) return 0
    const { BirthdayGift } = this.deps.models
    const keyOf = (c: GiftCandidate) => giftKey(c.member._id, yearOf(c.celebratedOn))
    const keys = candidates.map(keyOf)
    const known = new Set((await BirthdayGift.find({ _id: { $in: keys } }, { _id: 1 }).lean()).map((g) => g._id as string))
    const tiers = await this.deps.tiers.current()
    const decided = candidates
      .filter((c) => !known.has(keyOf(c)) && isBirthdayGiftDue(today, c.celebratedOn, settings.daysBefore))
      .map((c) => this.plan(c, settings, tiers))
      .filter((doc): doc is BirthdayGiftDoc => doc !== null)
    // a gift another process decided meanwhile is a duplicate key: theirs stands, and is completed below all the same
    if (decided.length > 0) await duplicatesOf(() => BirthdayGift.collection.insertMany(decided as never[], { ordered: false }))
    const open = await BirthdayGift.find({ _id: { $in: keys }, state: 'issuing' }).lean<BirthdayGiftDoc[]>()
    return this.complete(open)
  }

  /** The gift to issue for a candidate, or null when there is none (program off, set too late, no gift for the tier). */
  private plan(c: GiftCandidate, settings: BirthdaySettings, tiers: TierDefinition[]): BirthdayGiftDoc | null {
    const tier = tierCode(tiers, c.member.tierLevel)
    const gift = settings.gifts.find((g) => g.tier === tier)
    const why = birthdayIneligibility({
      enabled: settings.enabled,
      setOn: c.member.birthdaySetAt ? shanghaiDate(c.member.birthdaySetAt) : null,
      celebratedOn: c.celebratedOn,
      hasGiftForTier: hasGift(gift),
    })
    if (why || !gift) return null
    const now = this.deps.now()
    return {
      _id: giftKey(c.member._id, yearOf(c.celebratedOn)),
      memberId: c.member._id,
      year: yearOf(c.celebratedOn),
      celebratedOn: c.celebratedOn,
      tier,
      couponTemplateIds: [...gift.couponTemplateIds],
      points: gift.points,
      validUntil: settings.couponsValidThroughMonthEnd && gift.couponTemplateIds.length > 0 ? endOfDate(celebrationMonthEnd(c.celebratedOn)) : null,
      state: 'issuing',
      coupons: [],
      pointsGranted: 0,
      decidedAt: now,
      issuedAt: null,
    } as unknown as BirthdayGiftDoc
  }

  /**
   * Completes gifts `issuing`: their coupons (one issueMany for all, each under `{gift key}:{slot}`), their points
   * (activity, key `birthday:{year}` per member), the birthday message (dedupe key: the gift's key), then marks each
   * `issued` with what was given. Every step is idempotent by its key, so two processes completing the same gift at
   * once, or a retry after a crash, give it once. A gift with a failure other than a refusal stays `issuing`.
   */
  private async complete(gifts: BirthdayGiftDoc[]): Promise<number> {
    if (gifts.length === 0) return 0
    const { coupons, activity, messaging, log } = this.deps
    const requests: { gift: BirthdayGiftDoc; req: IssueRequest }[] = gifts.flatMap((gift) =>
      (gift.couponTemplateIds as string[]).map((templateId, slot) => ({
        gift,
        req: { templateId, memberId: gift.memberId, key: `${gift._id}:${slot}`, source: 'birthday' as const, ...(gift.validUntil ? { validUntil: gift.validUntil } : {}) },
      })),
    )
    const results = requests.length > 0 ? await coupons.issueMany(requests.map((r) => r.req)) : []
    // a refusal may only mean that another process was issuing the same key at that moment (it held the member's slot
    // or the last unit): asked once more, the key answers its coupon if that process issued it
    for (const [i, result] of results.entries()) {
      if (!(result instanceof Error) || !REFUSALS.has((result as { code?: string }).code ?? '')) continue
      try {
        results[i] = await coupons.issue(requests[i]!.req)
      } catch (error) {
        results[i] = error as Error
      }
    }
    const outcomes = new Map(gifts.map((g) => [g._id, { coupons: [] as GiftCouponOutcome[], views: [] as Coupon[], points: 0, failed: false }]))
    results.forEach((result, i) => {
      const { gift, req } = requests[i]!
      const outcome = outcomes.get(gift._id)!
      if (!(result instanceof Error)) {
        outcome.coupons.push({ key: req.key, templateId: req.templateId, couponId: result.coupon.id, refused: null })
        outcome.views.push(result.coupon)
        return
      }
      const code = (result as { code?: string }).code
      if (code && REFUSALS.has(code)) {
        log.warn({ giftKey: gift._id, templateId: req.templateId, code, err: result.message }, 'birthday coupon refused; the gift goes without it')
        outcome.coupons.push({ key: req.key, templateId: req.templateId, couponId: null, refused: code })
      } else {
        log.warn({ giftKey: gift._id, err: result }, 'birthday coupon not issued; the gift is completed later')
        outcome.failed = true
      }
    })
    for (const gift of gifts) {
      const outcome = outcomes.get(gift._id)!
      if (outcome.failed || gift.points <= 0) continue
      try {
        await activity.grant(gift.memberId.toString(), { key: `birthday:${gift.year}`, reason: 'birthday', points: gift.points, note: '生日礼遇' })
        outcome.points = gift.points
      } catch (error) {
        const code = (error as { code?: string }).code
        log.warn({ giftKey: gift._id, err: error }, 'birthday points not granted')
        if (!code || !REFUSALS.has(code)) outcome.failed = true
      }
    }
    const done = gifts.filter((g) => !outcomes.get(g._id)!.failed)
    const drafts = await Promise.all(
      done
        .filter((g) => outcomes.get(g._id)!.views.length > 0 || outcomes.get(g._id)!.points > 0)
        .map(async (g) => {
          const o = outcomes.get(g._id)!
          return { dedupeKey: g._id, kind: 'birthday' as const, memberId: g.memberId, data: { gift: giftText(o.views, o.points), validUntil: await this.validThrough(o.views, o.points) } }
        }),
    )
    if (drafts.length > 0) await messaging.enqueue(drafts)
    if (done.length === 0) return 0
    const now = this.deps.now()
    await this.deps.models.BirthdayGift.bulkWrite(
      done.map((g) => ({
        updateOne: {
          filter: { _id: g._id, state: 'issuing' },
          update: { $set: { state: 'issued', coupons: outcomes.get(g._id)!.coupons, pointsGranted: outcomes.get(g._id)!.points, issuedAt: now } },
        },
      })),
      { ordered: false },
    )
    return done.length
  }

  /** The last day the gift can be used, for the message: its coupons' first end, else its points' expiry. */
  private async validThrough(views: Coupon[], points: number): Promise<string | null> {
    if (views.length > 0) return shanghaiDate(new Date(Math.min(...views.map((c) => Date.parse(c.validUntil)))))
    if (points <= 0) return null
    const expires = lotExpiry(this.deps.now(), await this.deps.policies.current())
    return expires === null ? null : shanghaiDate(new Date(expires - 1))
  }

  /** The birthday page's status for a member (GET /api/me/birthday-gift); a gift due now is issued first. */
  async status(memberId: string): Promise<BirthdayGiftStatus> {
    const member = await this.deps.members.findById(memberId)
    if (!member) throw new NotFound('this member no longer exists')
    return this.statusOf(member)
  }

  async statusOf(member: BirthdayMember): Promise<BirthdayGiftStatus> {
    const monthDay = member.birthday
    if (!monthDay) {
      return { status: 'unset', birthday: null, celebratedOn: null, issueOn: null, birthdayWeek: false, reason: null, reasonCode: null, gift: null, multiplier: null }
    }
    const { BirthdayGift } = this.deps.models
    const [settings, tiers] = await Promise.all([this.deps.settings.current(), this.deps.tiers.current()])
    const today = this.today()
    const years = [-1, 0, 1].map((d) => yearOf(today) + d)
    const gifts = new Map((await BirthdayGift.find({ _id: { $in: years.map((y) => giftKey(member._id, y)) } }).lean<BirthdayGiftDoc[]>()).map((g) => [g.year, g]))
    // a gift is shown through the end of its birthday month (while its coupons last, by default)
    const year = birthdayYearShown(monthDay, today, (y) => (gifts.has(y) ? celebrationMonthEnd(celebrationDate(monthDay, y)) : null))
    const celebratedOn = celebrationDate(monthDay, year)
    const base = {
      birthday: monthDay,
      celebratedOn,
      birthdayWeek: inBirthdayWeek(today, celebratedOn),
      multiplier: settings.enabled && settings.monthMultiplier > 1 ? settings.monthMultiplier : null,
    }
    const notEligible = (code: BirthdayIneligibility | null): BirthdayGiftStatus => ({
      ...base,
      status: 'not_eligible',
      issueOn: null,
      reason: code ? BIRTHDAY_INELIGIBILITY_REASONS[code] : BIRTHDAY_PASSED_REASON,
      reasonCode: code,
      gift: null,
    })

    let gift = gifts.get(year)
    if (!gift) {
      const why = birthdayIneligibility({
        enabled: settings.enabled,
        setOn: member.birthdaySetAt ? shanghaiDate(member.birthdaySetAt) : null,
        celebratedOn,
        hasGiftForTier: hasGift(settings.gifts.find((g) => g.tier === tierCode(tiers, member.tierLevel))),
      })
      if (why) return notEligible(why)
      const issueOn = birthdayIssueDate(celebratedOn, settings.daysBefore)
      if (today < issueOn) return { ...base, status: 'upcoming', issueOn, reason: null, reasonCode: null, gift: null }
      // joined or set after the birthday: nothing this year
      if (today > celebratedOn) return notEligible(null)
      // due now (a member who joined inside the window, or before the job's run): issued at once
      await this.settle([{ member, celebratedOn }], settings, today)
    } else if (gift.state === 'issuing') {
      await this.complete([gift])
    }
    gift = (await BirthdayGift.findById(giftKey(member._id, year)).lean<BirthdayGiftDoc>()) ?? undefined
    if (!gift || gift.state !== 'issued') throw new ServiceUnavailable('the birthday gift is being issued; try again in a moment')
    return {
      ...base,
      status: 'issued',
      issueOn: shanghaiDate(gift.issuedAt!),
      reason: null,
      reasonCode: null,
      gift: { coupons: await this.couponsOf(gift), points: gift.pointsGranted ?? 0, issuedAt: gift.issuedAt!.toISOString() },
    }
  }

  /**
   * The gift's coupons as the wallet shows them now (used, expired…): the issuing service answers a key issued
   * before with its coupon as it is (a read by the key's id; nothing is issued again).
   */
  private async couponsOf(gift: BirthdayGiftDoc): Promise<Coupon[]> {
    const issued = (gift.coupons as GiftCouponOutcome[]).filter((c) => c.couponId)
    const views = await Promise.all(
      issued.map((c) => this.deps.coupons.issue({ templateId: c.templateId, memberId: gift.memberId, key: c.key, source: 'birthday' })),
    )
    return views.map((v) => v.coupon)
  }
}

interface GiftCouponOutcome {
  key: string
  templateId: string
  couponId: string | null
  refused: string | null
}

function tierCode(tiers: TierDefinition[], level: number | null | undefined): string {
  return tiers.find((t) => t.level === (level ?? 1))?.code ?? ''
}

function hasGift(gift: BirthdaySettings['gifts'][number] | undefined): boolean {
  return Boolean(gift && (gift.couponTemplateIds.length > 0 || gift.points > 0))
}

/** The gift in a few words for the message (its coupons' names, the points): 满 2000 减 200 + 500 积分. */
function giftText(coupons: Coupon[], points: number): string {
  return [...coupons.map((c) => c.name), ...(points > 0 ? [`${points} 积分`] : [])].join(' + ')
}
