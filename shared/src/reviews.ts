/**
 * Photo-review campaigns (issue 13): the words and small rules both sides use. No TypeBox here: the mini-program
 * imports this file at run time (the schemas are in schemas/reviews.ts).
 *
 * The law (DESIGN.md §2): a reward is granted for an honest review with photos, on approval, whatever the rating —
 * rejection reasons are about content only, never the stars.
 */

/**
 * A review's states. checking: WeChat's content checks have not all answered; pending: checks passed, waiting for a
 * manager; held: a check found it risky (or asked for a person): a manager decides; approved (published when it has
 * photos); rejected (with a reason the member sees); removed (by staff or its author, after approval or not).
 */
export const REVIEW_STATES = ['checking', 'pending', 'held', 'approved', 'rejected', 'removed'] as const
export type ReviewState = (typeof REVIEW_STATES)[number]

export const REVIEW_STATE_LABELS: Record<ReviewState, string> = {
  checking: '内容检测中',
  pending: '待审核',
  held: '待人工复核',
  approved: '已通过',
  rejected: '未通过',
  removed: '已删除',
}

/** Why a review is rejected or removed: content only — never the rating. */
export const REVIEW_REJECTION_REASONS = ['no_product_photo', 'not_own_photo', 'ads_or_contact', 'abuse', 'privacy'] as const
export type ReviewRejectionReason = (typeof REVIEW_REJECTION_REASONS)[number]

export const REVIEW_REJECTION_LABELS: Record<ReviewRejectionReason, string> = {
  no_product_photo: '照片中没有所购商品',
  not_own_photo: '使用了他人的照片',
  ads_or_contact: '含广告或联系方式',
  abuse: '含辱骂或不文明内容',
  privacy: '含他人隐私信息',
}

/** Why a member's review was removed: one of the rejection reasons, or the author's own deletion. */
export type ReviewRemovalReason = ReviewRejectionReason | 'author_deleted'

/** The reward's progress: none (no campaign), pending (approved, being granted), granted, over_budget, reversed. */
export const REVIEW_REWARD_STATES = ['none', 'pending', 'granted', 'over_budget', 'reversed'] as const
export type ReviewRewardState = (typeof REVIEW_REWARD_STATES)[number]

/** Reviews rated 1–3 enter the follow-up log, classified by what went wrong. */
export const FOLLOW_UP_CLASSES = ['product_quality', 'size', 'delivery', 'service', 'other'] as const
export type FollowUpClass = (typeof FOLLOW_UP_CLASSES)[number]

export const FOLLOW_UP_CLASS_LABELS: Record<FollowUpClass, string> = {
  product_quality: '产品质量',
  size: '尺寸',
  delivery: '物流配送',
  service: '服务',
  other: '其他',
}

export const FOLLOW_UP_STATUSES = ['open', 'contacted', 'resolved'] as const
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number]

export const FOLLOW_UP_STATUS_LABELS: Record<FollowUpStatus, string> = {
  open: '待跟进',
  contacted: '已联系',
  resolved: '已解决',
}

/** The highest rating that enters the follow-up log. */
export const FOLLOW_UP_MAX_RATING = 3

/** WeChat's verdict on content: pass, risky (held for a person), review (a person should look). */
export type ContentSuggest = 'pass' | 'risky' | 'review'

/**
 * A nickname as the public review list shows it: the first and last character kept, the middle masked (one
 * character: itself and a mask), so a review cannot be traced to a WeChat account by name.
 */
export function maskNickname(nickname: string | null | undefined): string {
  const chars = [...(nickname ?? '').trim()]
  if (chars.length === 0) return '会员'
  if (chars.length === 1) return `${chars[0]}*`
  if (chars.length === 2) return `${chars[0]}*`
  return `${chars[0]}${'*'.repeat(Math.min(chars.length - 2, 3))}${chars[chars.length - 1]}`
}

/** The words of a campaign's reward: "200 积分 + 优惠券" — never a word about the rating. */
export function rewardText(reward: { points?: number | null; couponName?: string | null }): string {
  const parts: string[] = []
  if (reward.points) parts.push(`${reward.points} 积分`)
  if (reward.couponName) parts.push(reward.couponName)
  return parts.join(' + ')
}

/** Whether a product line falls under a campaign's products: its SKU listed, or its category. */
export function lineInProducts(line: { sku: string; category?: string | null }, products: { skus: readonly string[]; categories: readonly string[] }): boolean {
  return products.skus.includes(line.sku) || (line.category != null && products.categories.includes(line.category))
}
