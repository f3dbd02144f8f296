import type { RedeemRefusal } from '@member-center/shared'

/** What the refusal rules read of an item. */
export interface ItemTerms {
  status: string
  availableFrom: Date | null
  availableTo: Date | null
  tiers: readonly string[] | null
  stockLeft: number
  perMemberLimit: number | null
  pointsPrice: number
}

/** What they read of a coupon item's template (CouponTemplate as the coupons service shows it). */
export interface TemplateTerms {
  status: string
  validity: { days: number } | { from: string; to: string }
  tiers: readonly string[] | null
  stockLeft: number | null
}

/** What they read of the member and the moment. */
export interface MemberTerms {
  now: Date
  /** the member's tier code (null: unknown) */
  tierCode: string | null
  /** available points */
  points: number
  /** how many of this item the member holds now */
  held: number
}

/**
 * Why this member cannot redeem this item now, or null when they can — the first that applies of: not available
 * (paused, outside its window, or its coupon template paused or ended), tier not eligible (the item's or the
 * template's tiers), out of stock (the item's or the template's), limit reached, insufficient points. Pure: the mall
 * page marks items with it, and a redemption is refused with it before anything is written; the conditional updates
 * of the redemption itself decide under concurrency.
 */
export function refusalFor(item: ItemTerms, member: MemberTerms, template: TemplateTerms | null | undefined = null): RedeemRefusal | null {
  const now = member.now.getTime()
  if (item.status !== 'active') return 'NOT_AVAILABLE'
  if (item.availableFrom && now < item.availableFrom.getTime()) return 'NOT_AVAILABLE'
  if (item.availableTo && now >= item.availableTo.getTime()) return 'NOT_AVAILABLE'
  if (template) {
    if (template.status !== 'active') return 'NOT_AVAILABLE'
    if ('to' in template.validity && now >= Date.parse(template.validity.to)) return 'NOT_AVAILABLE'
  }
  if (!tierAllowed(item.tiers, member.tierCode) || !tierAllowed(template?.tiers ?? null, member.tierCode)) return 'TIER_NOT_ELIGIBLE'
  if (item.stockLeft <= 0) return 'OUT_OF_STOCK'
  if (template && template.stockLeft !== null && template.stockLeft <= 0) return 'OUT_OF_STOCK'
  if (item.perMemberLimit !== null && member.held >= item.perMemberLimit) return 'LIMIT_REACHED'
  if (member.points < item.pointsPrice) return 'INSUFFICIENT_POINTS'
  return null
}

function tierAllowed(tiers: readonly string[] | null, code: string | null): boolean {
  if (!tiers || tiers.length === 0) return true
  return code !== null && tiers.includes(code)
}

/** The sentence a refusal answers with. */
export function refusalMessage(reason: RedeemRefusal, itemName: string, extra?: { limit?: number | null; price?: number }): string {
  switch (reason) {
    case 'NOT_AVAILABLE':
      return `${itemName} is not available now (paused, or outside its redemption window)`
    case 'TIER_NOT_ELIGIBLE':
      return `${itemName} is not for this member's tier`
    case 'OUT_OF_STOCK':
      return `${itemName} is out of stock`
    case 'LIMIT_REACHED':
      return `a member may redeem ${itemName} at most ${extra?.limit ?? 'so many'} times`
    case 'INSUFFICIENT_POINTS':
      return `${itemName} costs ${extra?.price ?? 'more'} points; not enough points available`
  }
}
