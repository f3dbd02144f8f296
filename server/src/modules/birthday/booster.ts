import { shanghaiMonth } from '@member-center/shared'
import type { EarningBooster } from '../loyalty/orders.js'
import type { MemberRepository } from '../members/repository.js'
import type { BirthdaySettingsStore } from './settings.js'

/**
 * The birthday-month multiplier (settings.monthMultiplier > 1, program on): purchases paid (Shanghai) in the month of
 * the member's birthday earn it, combined with the tier's and other programs' under the policy's cap (orders.ts). One
 * read of the settings and one of the batch's members' birthdays, by primary key, per batch.
 */
export function birthdayMonthBooster(settings: BirthdaySettingsStore, members: MemberRepository): EarningBooster {
  return async (purchases) => {
    const s = await settings.current()
    if (!s.enabled || s.monthMultiplier <= 1) return purchases.map(() => [])
    const birthdays = await members.birthdaysOf(purchases.map((p) => p.memberId))
    return purchases.map((p) => {
      const birthday = birthdays.get(p.memberId.toString())
      if (!birthday || shanghaiMonth(p.paidAt).slice(5, 7) !== birthday.slice(0, 2)) return []
      return [{ kind: 'birthday', factor: s.monthMultiplier, label: `生日月 ×${s.monthMultiplier}` }]
    })
  }
}
