import type { FastifyBaseLogger } from 'fastify'
import { Types } from 'mongoose'
import type { CouponsService } from '../coupons/index.js'
import type { ActivityService } from '../loyalty/activity.js'
import type { ReviewCampaigns } from './campaigns.js'
import type { ReviewsModels } from './models.js'
import type { ReviewDoc } from './views.js'

/** The business key of a review's reward: its points (per member, in the ledger) and its coupon. One per order line: one review per line. */
export const rewardKey = (reviewId: Types.ObjectId | string) => `review:${reviewId.toString()}`

/** Coupon refusals that leave the reward without its coupon (the template ran out or the member has as many as allowed). */
const COUPON_REFUSALS = new Set(['OUT_OF_STOCK', 'LIMIT_REACHED', 'TIER_NOT_ELIGIBLE', 'NOT_AVAILABLE'])

/** How long an approved review's reward may stay `pending` before the repair job finishes it (a process died). */
export const STALE_REWARD_MS = 60_000

export interface RewardDeps {
  models: ReviewsModels
  campaigns: ReviewCampaigns
  activity: Pick<ActivityService, 'grant' | 'reverse'>
  coupons: Pick<CouponsService, 'issue' | 'revoke'>
  now: () => Date
  log: FastifyBaseLogger
}

/**
 * A review's reward, as steps that can each be repeated: take a place in the campaign's budget (one conditional
 * update: never more places than the budget), grant the points (the ledger, under the review's key) and issue the
 * coupon (under the same key), then mark it granted. A crash between steps leaves the reward `pending`; the repair
 * job runs the steps again, and each one already done changes nothing. No place left: `over_budget`, nothing given.
 *
 * Reversal (the review removed) takes back what was given — points through the ledger, the coupon voided if unused
 * (a used one is recorded, not taken back) — and frees the place; also repeatable. A grant that lands after the
 * removal (they raced) sees the removal when it marks itself granted, and reverses itself.
 */
export class ReviewRewards {
  constructor(private readonly deps: RewardDeps) {}

  async complete(reviewId: Types.ObjectId): Promise<void> {
    const { models, campaigns, now } = this.deps
    const doc = await models.Review.findById(reviewId).lean<ReviewDoc>()
    if (!doc || doc.reward.state !== 'pending' || !doc.campaignId) return
    if (doc.state !== 'approved') return this.reverse(reviewId)
    const campaign = await campaigns.doc(doc.campaignId)
    if (!campaign) throw new Error(`review ${reviewId}: campaign ${doc.campaignId} is gone`)

    if ((await campaigns.takePlace(doc.campaignId, doc._id)) === 'full') {
      await models.Review.updateOne({ _id: doc._id, 'reward.state': 'pending' }, { $set: { 'reward.state': 'over_budget', updatedAt: now() } })
      return
    }
    const key = rewardKey(doc._id)
    const memberId = doc.memberId.toString()
    let points = 0
    if (campaign.reward.points) {
      await this.deps.activity.grant(memberId, { key, reason: 'review', points: campaign.reward.points, note: `晒单奖励 · ${doc.productName}`.slice(0, 60) })
      points = campaign.reward.points
    }
    let couponId: string | null = null
    if (campaign.reward.couponTemplateId) {
      try {
        const issued = await this.deps.coupons.issue({ templateId: campaign.reward.couponTemplateId, memberId, key, source: 'campaign' })
        couponId = issued.coupon.id
      } catch (error) {
        const code = (error as { code?: string }).code
        if (!code || !COUPON_REFUSALS.has(code)) throw error
        this.deps.log.warn({ reviewId: reviewId.toString(), code }, 'review reward coupon refused; the reward goes without it')
      }
    }
    const at = now()
    const marked = await models.Review.updateOne(
      { _id: doc._id, state: 'approved', 'reward.state': 'pending' },
      { $set: { 'reward.state': 'granted', 'reward.points': points, 'reward.couponId': couponId, 'reward.grantedAt': at, updatedAt: at } },
    )
    if (marked.modifiedCount === 0) {
      // removed while the reward was being granted: take it back
      const latest = await models.Review.findById(reviewId, { state: 1 }).lean<Pick<ReviewDoc, 'state'>>()
      if (latest?.state === 'removed') await this.reverse(reviewId, true)
    }
  }

  /**
   * Takes the reward back (the review was removed): whatever the ledger and the coupons hold under the review's key,
   * so it also catches a grant that raced with the removal (`raced`: even when the review is marked reversed).
   */
  async reverse(reviewId: Types.ObjectId, raced = false): Promise<void> {
    const { models, campaigns, now } = this.deps
    const doc = await models.Review.findById(reviewId).lean<ReviewDoc>()
    if (!doc || !doc.campaignId) return
    if (!raced && (doc.reward.state === 'none' || doc.reward.state === 'over_budget' || doc.reward.state === 'reversed')) return
    const key = rewardKey(doc._id)
    await this.deps.activity.reverse(doc.memberId.toString(), { key, reason: 'review', note: `晒单奖励收回 · ${doc.productName}`.slice(0, 60) })
    const coupon = await this.deps.coupons.revoke(key, 'review removed')
    await campaigns.freePlace(doc.campaignId, doc._id)
    await models.Review.updateOne(
      { _id: doc._id },
      { $set: { 'reward.state': 'reversed', 'reward.couponKept': coupon === 'used' || coupon === 'expired', updatedAt: now() } },
    )
  }

  /** Finishes rewards a process left `pending` (the repair job); answers how many it finished. */
  async repair(): Promise<number> {
    const stale = new Date(this.deps.now().getTime() - STALE_REWARD_MS)
    const docs = await this.deps.models.Review.find({ 'reward.state': 'pending', moderatedAt: { $lte: stale } }, { _id: 1 }).limit(500).lean<{ _id: Types.ObjectId }[]>()
    for (const d of docs) await this.complete(d._id)
    return docs.length
  }
}
