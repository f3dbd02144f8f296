import { DEFAULT_BIRTHDAY_SETTINGS, type BirthdaySettings } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { NotFound, ValidationFailed } from '../../core/errors.js'
import type { SettingsStore } from '../../core/settings.js'
import type { CouponsService } from '../coupons/index.js'
import type { TierTable } from '../loyalty/tier-table.js'

const NAME = 'birthday-settings'

/**
 * The birthday program's settings (an operator's, defaults where unset), kept in the core settings store. Read each
 * time they are needed (one small document), so every process sees a change at once.
 */
export class BirthdaySettingsStore {
  constructor(
    private readonly settings: SettingsStore,
    private readonly tiers: TierTable,
    private readonly coupons: Pick<CouponsService, 'template'>,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  async current(): Promise<BirthdaySettings> {
    return { ...DEFAULT_BIRTHDAY_SETTINGS, ...((await this.settings.get<Partial<BirthdaySettings>>(NAME)) ?? {}) }
  }

  /**
   * Replaces the settings (audited with before and after). Refused: a tier code the program does not have or listed
   * twice (400), a coupon template that does not exist (404).
   */
  async replace(input: BirthdaySettings, actor: { actor: string; role: string }): Promise<BirthdaySettings> {
    const codes = (await this.tiers.current()).map((t) => t.code)
    const seen = new Set<string>()
    for (const [i, gift] of input.gifts.entries()) {
      if (!codes.includes(gift.tier)) throw new ValidationFailed(`gifts.${i}.tier: ${gift.tier} is not a tier of this program (${codes.join(', ')})`)
      if (seen.has(gift.tier)) throw new ValidationFailed(`gifts.${i}.tier: ${gift.tier} is listed twice; give each tier one gift`)
      seen.add(gift.tier)
    }
    for (const [i, gift] of input.gifts.entries()) {
      for (const [j, id] of gift.couponTemplateIds.entries()) {
        if (!(await this.coupons.template(id))) throw new NotFound(`gifts.${i}.couponTemplateIds.${j}: coupon template ${id} not found`)
      }
    }
    const next: BirthdaySettings = {
      enabled: input.enabled,
      daysBefore: input.daysBefore,
      couponsValidThroughMonthEnd: input.couponsValidThroughMonthEnd,
      gifts: input.gifts.map((g) => ({ tier: g.tier, couponTemplateIds: [...g.couponTemplateIds], points: g.points })),
      monthMultiplier: input.monthMultiplier,
    }
    const before = await this.current()
    await this.settings.put(NAME, next, actor.actor)
    await this.audit.record({ ...actor, action: 'birthday-settings.update', details: { before, after: next }, at: this.now() })
    return next
  }
}
