import { DEFAULT_MEMBER_DAY_SETTINGS, MAX_MEMBER_DAY, type MemberDaySettings } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { NotFound, ValidationFailed } from '../../core/errors.js'
import type { SettingsStore } from '../../core/settings.js'
import type { CouponsService } from '../coupons/index.js'
import type { TierTable } from '../loyalty/tier-table.js'

export const SETTINGS_NAME = 'member-day'

/**
 * Why a day of the month above 28 is refused, in words (the schema's bound says only "at most 28"): a member day must
 * come every month, and not every month has a 29th, 30th or 31st.
 */
export function dayOfMonthProblem(days: unknown): string | null {
  if (!Array.isArray(days)) return null
  for (const [i, day] of days.entries()) {
    if (Number.isInteger(day) && day > MAX_MEMBER_DAY && day <= 31) {
      return `days.${i}: ${day} is refused because not every month has a ${day}th (February has 28 days); a member day must come every month, so choose days 1–${MAX_MEMBER_DAY}`
    }
  }
  return null
}

/**
 * The member-day settings (defaults until an operator sets them), read from the settings collection and cached per
 * process for `ttlMs` (a change here is seen at once; one made by another process within `ttlMs`).
 */
export class MemberDaySettingsStore {
  private cached: { settings: MemberDaySettings; until: number } | null = null

  constructor(
    private readonly deps: { settings: SettingsStore; coupons: CouponsService; tiers: TierTable; audit: AuditLog; now: () => Date },
    private readonly ttlMs = 5_000,
  ) {}

  async current(): Promise<MemberDaySettings> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.settings
    const settings = { ...DEFAULT_MEMBER_DAY_SETTINGS, ...((await this.deps.settings.get<Partial<MemberDaySettings>>(SETTINGS_NAME)) ?? {}) }
    this.cached = { settings, until: Date.now() + this.ttlMs }
    return settings
  }

  /**
   * Replaces the settings (audited): every tier code must be in the tier table, once (400), every coupon template must
   * exist (404). Days are kept in ascending order.
   */
  async replace(input: MemberDaySettings, actor: { actor: string; role: string }): Promise<MemberDaySettings> {
    const problem = dayOfMonthProblem(input.days)
    if (problem) throw new ValidationFailed(problem)
    const tiers = await this.deps.tiers.current()
    const codes = tiers.map((t) => t.code)
    const seen = new Set<string>()
    for (const [i, entry] of input.tierCoupons.entries()) {
      if (!codes.includes(entry.tier)) throw new ValidationFailed(`tierCoupons.${i}.tier: no tier has the code ${JSON.stringify(entry.tier)} (the tiers are ${codes.join(', ')})`)
      if (seen.has(entry.tier)) throw new ValidationFailed(`tierCoupons.${i}.tier: ${entry.tier} is listed twice; list each tier once with all its coupons`)
      seen.add(entry.tier)
      for (const [j, id] of entry.couponTemplateIds.entries()) {
        if (!(await this.deps.coupons.template(id))) throw new NotFound(`tierCoupons.${i}.couponTemplateIds.${j}: coupon template ${id} not found`)
      }
    }
    const settings: MemberDaySettings = {
      enabled: input.enabled,
      days: [...input.days].sort((a, b) => a - b),
      issueMode: input.issueMode,
      multiplier: input.multiplier,
      tierCoupons: input.tierCoupons.map((t) => ({ tier: t.tier, couponTemplateIds: [...t.couponTemplateIds] })),
      reminder: { enabled: input.reminder.enabled, hour: input.reminder.hour },
    }
    await this.deps.settings.put(SETTINGS_NAME, settings, actor.actor)
    this.cached = null
    await this.deps.audit.record({ ...actor, action: 'member-day.settings', details: { ...settings }, at: this.deps.now() })
    return settings
  }
}
