import {
  isMemberDayDate,
  memberDayWindow,
  nextMemberDayDate,
  shanghaiDate,
  type MemberDayOffer,
  type MemberDaySettings,
  type MemberDayView,
} from '@member-center/shared'
import { NotFound } from '../../core/errors.js'
import type { CouponsService } from '../coupons/index.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { MembersService } from '../members/index.js'
import type { MessagingService } from '../messaging/index.js'
import type { MemberDays } from './days.js'
import type { MemberDayPlans } from './plans.js'
import type { MemberDaySettingsStore } from './settings.js'

export interface MemberDayViewsDeps {
  settings: MemberDaySettingsStore
  plans: MemberDayPlans
  days: MemberDays
  coupons: CouponsService
  members: MembersService
  messaging: MessagingService
  tiers: TierTable
  now: () => Date
}

/**
 * GET /api/member-day: the configured days, the next member day with its theme, member prices and multiplier, each
 * tier's coupons — and, for a member, their tier's coupons, the coupons they got today, and whether they can get the
 * reminder. The offers are cached per process for a few seconds (every opening of the mini-program reads them).
 */
export class MemberDayViews {
  private offersCache: { key: string; offers: MemberDayOffer[]; until: number } | null = null

  constructor(private readonly deps: MemberDayViewsDeps) {}

  async view(memberId: string | null): Promise<MemberDayView> {
    const now = this.deps.now()
    const today = shanghaiDate(now)
    const settings = await this.deps.settings.current()
    const member = memberId ? await this.deps.members.repo.findById(memberId) : null
    if (memberId && !member) throw new NotFound('member not found')
    const isToday = settings.enabled && isMemberDayDate(today, settings.days)
    const nextDate = settings.enabled ? nextMemberDayDate(today, settings.days) : null
    const plan = nextDate ? await this.deps.plans.get(nextDate) : null
    const offers = settings.enabled ? await this.offers(settings) : []
    const next =
      nextDate && plan
        ? {
            date: nextDate,
            startsAt: memberDayWindow(nextDate).startsAt.toISOString(),
            endsAt: memberDayWindow(nextDate).endsAt.toISOString(),
            theme: plan.theme,
            memberPrices: plan.memberPrices,
            multiplier: settings.multiplier,
          }
        : null
    let mine: MemberDayView['mine'] = null
    if (member) {
      const tiers = await this.deps.tiers.current()
      const tier = tiers.find((t) => t.level === (member.tierLevel ?? 1)) ?? tiers[0]!
      const mapping = await this.deps.messaging.mappings.find('member_day', 'subscribe')
      mine = {
        tier: tier.code,
        tierName: tier.name,
        coupons: offers.find((o) => o.tier === tier.code)?.coupons ?? [],
        issued: isToday ? await this.deps.days.couponsOf(today, member) : [],
        reminded: mapping ? (await this.deps.messaging.subscriptions.balance(member._id, mapping.templateId)) > 0 : false,
      }
    }
    return { days: settings.days, today, isToday, next, offers, mine }
  }

  /** Each configured tier's coupons (in tier order), from the templates as they are now; paused or missing ones left out. */
  private async offers(settings: MemberDaySettings): Promise<MemberDayOffer[]> {
    const key = JSON.stringify(settings.tierCoupons)
    if (this.offersCache && this.offersCache.key === key && this.offersCache.until > Date.now()) return this.offersCache.offers
    const tiers = await this.deps.tiers.current()
    const offers: MemberDayOffer[] = []
    for (const tier of tiers) {
      const entry = settings.tierCoupons.find((t) => t.tier === tier.code)
      if (!entry) continue
      const coupons = []
      for (const id of entry.couponTemplateIds) {
        const template = await this.deps.coupons.template(id)
        if (template && template.status === 'active') coupons.push({ templateId: template.id, name: template.name, rulesText: template.rulesText })
      }
      offers.push({ tier: tier.code, tierName: tier.name, coupons })
    }
    this.offersCache = { key, offers, until: Date.now() + 5_000 }
    return offers
  }
}
