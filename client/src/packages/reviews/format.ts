import { REVIEW_STATE_LABELS, type ReviewState } from '@member-center/shared/reviews'
import type { Review, ReviewableLine } from '../../services/reviews'

/** YYYY-MM-DD of an instant in Shanghai (business time). */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
}

/** 12月24日 of an instant in Shanghai, with the year when it is not this year's: a date that never breaks a line. */
export function shortDate(iso: string): string {
  const day = shanghaiDay(iso)
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const thisYear = Number(shanghaiDay(new Date().toISOString()).slice(0, 4))
  return `${y === thisYear ? '' : `${y}年`}${m}月${d}日`
}

/** ¥1,299.00 for 129900 fen */
export const yuan = (fen: number) => `¥${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`

/** What each rating means, as the stars' buttons and the chosen rating say it. */
export const RATING_WORDS = ['', '非常不满意', '不满意', '一般', '满意', '非常满意'] as const

/** A review's state in the words the member reads. */
export const stateLabel = (state: ReviewState) => REVIEW_STATE_LABELS[state]

/** Characters as the server counts them for a campaign's minimum: code points of the trimmed text. */
export const textLength = (text: string) => [...text.trim()].length

/** The campaign's offer on a line, in one sentence: the reward, and that the stars do not matter. */
export function offerSentence(campaign: NonNullable<ReviewableLine['campaign']>): string {
  return `审核通过可得 ${campaign.rewardText}，与评分无关`
}

/** What the campaign asks of a review for its reward. */
export function requirementsSentence(campaign: NonNullable<ReviewableLine['campaign']>): string {
  const asks: string[] = []
  if (campaign.minPhotos > 0) asks.push(`至少 ${campaign.minPhotos} 张商品照片`)
  if (campaign.minTextLength > 0) asks.push(`${campaign.minTextLength} 字以上的文字评价`)
  return asks.length > 0 ? `需要${asks.join('、')}` : '写下真实评价即可'
}

/** The reward's progress on one of my reviews, as a sentence (null: no campaign and nothing to say). */
export function rewardSentence(review: Review): { text: string; tone: 'good' | 'plain' | 'warn' } | null {
  const reward = review.reward
  if (!reward) return null
  switch (reward.state) {
    case 'granted':
      return { text: `已获得晒单奖励：${reward.points > 0 ? `${reward.points} 积分` : reward.text}${reward.couponId && reward.points > 0 ? ' 和优惠券' : ''}`, tone: 'good' }
    case 'pending':
      return { text: `审核已通过，${reward.text} 正在发放`, tone: 'plain' }
    case 'over_budget':
      return { text: reward.note ?? '本次活动奖励名额已发完，这条评价没有奖励', tone: 'warn' }
    case 'reversed':
      return { text: reward.note ?? '评价已删除，奖励已收回', tone: 'warn' }
    default:
      if (reward.note) return { text: reward.note, tone: 'warn' }
      if (review.state === 'rejected' || review.state === 'removed') return null
      return { text: `审核通过后可得 ${reward.text}（与评分无关）`, tone: 'plain' }
  }
}
