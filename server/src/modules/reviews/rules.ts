import { lineInProducts, type ContentSuggest, type FollowUpClass, type ReviewState } from '@member-center/shared'

/** A campaign as the rules read it. */
export interface CampaignTerms {
  id: string
  products: { skus: string[]; categories: string[] }
  purchaseFrom: Date
  purchaseTo: Date
  audience: { mode: 'all' | 'selection' | string; minTierLevel: number | null; minOrders: number | null }
  inviteAfterDays: number
  minPhotos: number
  minTextLength: number
  endsAt: Date
  endedAt: Date | null
}

/** What the rules need to know of a member: their tier and how many purchase days they have. */
export interface MemberStanding {
  tierLevel: number
  purchaseDays: number
}

/** Whether a campaign still takes reviews and sends invitations at `now`. */
export function campaignOpen(c: Pick<CampaignTerms, 'endsAt' | 'endedAt'>, now: Date): boolean {
  return c.endedAt === null && now.getTime() < c.endsAt.getTime()
}

/** Whether the member is among the campaign's invited buyers (everyone, or the selection's every criterion). */
export function inAudience(c: Pick<CampaignTerms, 'audience'>, member: MemberStanding): boolean {
  if (c.audience.mode === 'all') return true
  if (c.audience.minTierLevel !== null && member.tierLevel < c.audience.minTierLevel) return false
  if (c.audience.minOrders !== null && member.purchaseDays < c.audience.minOrders) return false
  return true
}

/**
 * The campaign a received line falls under, for this member, at `now`: its product is named, it was paid in the
 * purchase window, the campaign is open and the member is invited. Several: the one ending first (its invitation is
 * the most urgent), then the oldest.
 */
export function campaignForLine<C extends CampaignTerms>(
  line: { sku: string; category: string | null; paidAt: Date },
  member: MemberStanding,
  campaigns: readonly C[],
  now: Date,
): C | null {
  const paid = line.paidAt.getTime()
  const matching = campaigns.filter(
    (c) =>
      campaignOpen(c, now) &&
      lineInProducts(line, c.products) &&
      paid >= c.purchaseFrom.getTime() &&
      paid < c.purchaseTo.getTime() &&
      inAudience(c, member),
  )
  matching.sort((a, b) => a.endsAt.getTime() - b.endsAt.getTime() || a.id.localeCompare(b.id))
  return matching[0] ?? null
}

/** Why a review does not meet its campaign's requirements (the member is told), or null when it does. */
export function requirementsUnmet(c: Pick<CampaignTerms, 'minPhotos' | 'minTextLength'>, review: { photos: number; text: string }): string | null {
  const missing: string[] = []
  if (review.photos < c.minPhotos) missing.push(`至少 ${c.minPhotos} 张照片`)
  if ([...review.text.trim()].length < c.minTextLength) missing.push(`至少 ${c.minTextLength} 字`)
  return missing.length === 0 ? null : `活动奖励需要${missing.join('、')}；这条评价仍会审核发布，但不获得奖励`
}

/**
 * The state WeChat's verdicts put a review in: any verdict missing → checking; any risky → held (a person decides);
 * `review` (WeChat asks a person to look) → held as well; all pass → pending (the moderation queue).
 */
export function stateFromChecks(text: ContentSuggest | null, photos: (ContentSuggest | null)[]): Extract<ReviewState, 'checking' | 'pending' | 'held'> {
  const all = [text, ...photos]
  if (all.some((s) => s === null)) {
    return all.some((s) => s === 'risky') ? 'held' : 'checking'
  }
  return all.every((s) => s === 'pass') ? 'pending' : 'held'
}

/** When an order's invitation goes: after the campaign's delay from receipt (the shortest among the order's campaigns). */
export function invitationDue(receivedAt: Date, inviteAfterDays: number[]): Date {
  return new Date(receivedAt.getTime() + Math.min(...inviteAfterDays) * 86_400_000)
}

const CLASS_WORDS: [FollowUpClass, RegExp][] = [
  ['size', /尺寸|尺码|圈口|大小|偏大|偏小|太大|太小|size/i],
  ['delivery', /物流|快递|配送|发货|送货|包装|破损|delivery|shipping/i],
  ['service', /服务|态度|客服|店员|导购|service/i],
  ['product_quality', /质量|掉色|褪色|断|划痕|瑕疵|变形|做工|氧化|发黑|quality/i],
]

/** A first guess at what went wrong in a low-rated review, from its words (staff correct it in the log). */
export function guessFollowUpClass(text: string): FollowUpClass {
  return CLASS_WORDS.find(([, words]) => words.test(text))?.[0] ?? 'other'
}
