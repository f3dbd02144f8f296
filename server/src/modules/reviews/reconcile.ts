import type { Types } from 'mongoose'
import type { LedgerService } from '../loyalty/ledger.js'
import { activityKey, activityReversalKey } from '../loyalty/activity.js'
import type { ReviewsModels } from './models.js'
import { rewardKey, STALE_REWARD_MS } from './rewards.js'

interface BudgetDoc {
  _id: Types.ObjectId
  budget: number
  granted: number
  reviewIds: Types.ObjectId[]
}

interface RewardedReview {
  _id: Types.ObjectId
  memberId: Types.ObjectId
  campaignId: Types.ObjectId | null
  state: string
  moderatedAt: Date | null
  reward: { state: string; points: number }
}

/**
 * What `npm run reconcile` checks of photo reviews: every campaign's places against the reviews holding them (no
 * more than the budget, a count equal to its list, each place a review approved with its reward granted or being
 * granted), each granted reward's points in the ledger and each reversed one's reversal, and rewards left pending
 * longer than the repair job should allow. Answers one line per problem.
 */
export async function reconcileReviews(models: ReviewsModels, ledger: Pick<LedgerService, 'isDone'>, now: Date): Promise<string[]> {
  const problems: string[] = []
  const budgets = await models.ReviewCampaignBudget.find({}).lean<BudgetDoc[]>()
  for (const b of budgets) {
    const campaign = `review campaign ${b._id}`
    if (b.granted !== b.reviewIds.length) problems.push(`${campaign}: counts ${b.granted} rewards, holds ${b.reviewIds.length} places`)
    if (b.reviewIds.length > b.budget) problems.push(`${campaign}: ${b.reviewIds.length} rewards over a budget of ${b.budget}`)
    const holders = await models.Review.find({ _id: { $in: b.reviewIds } }, { state: 1, reward: 1 }).lean<RewardedReview[]>()
    for (const id of b.reviewIds) {
      const r = holders.find((h) => h._id.equals(id))
      if (!r) problems.push(`${campaign}: a place is held by review ${id}, which does not exist`)
      else if (r.state !== 'approved' || (r.reward.state !== 'granted' && r.reward.state !== 'pending')) {
        problems.push(`${campaign}: review ${id} holds a place but is ${r.state} with its reward ${r.reward.state}`)
      }
    }
  }
  const rewarded = await models.Review.find({ 'reward.state': { $in: ['granted', 'reversed', 'pending'] } }, { memberId: 1, campaignId: 1, state: 1, moderatedAt: 1, reward: 1 }).lean<RewardedReview[]>()
  for (const r of rewarded) {
    const key = activityKey(r.memberId.toString(), rewardKey(r._id))
    const reversal = activityReversalKey(r.memberId.toString(), rewardKey(r._id))
    if (r.reward.state === 'pending') {
      if (r.moderatedAt && now.getTime() - r.moderatedAt.getTime() > 3 * STALE_REWARD_MS + 10 * 60_000) problems.push(`review ${r._id}: its reward is still being granted since ${r.moderatedAt.toISOString()}`)
      continue
    }
    const budget = budgets.find((b) => r.campaignId && b._id.equals(r.campaignId))
    const holds = Boolean(budget?.reviewIds.some((id) => id.equals(r._id)))
    if (r.reward.state === 'granted') {
      if (!holds) problems.push(`review ${r._id}: rewarded without a place in its campaign's budget`)
      if (r.reward.points > 0 && !(await ledger.isDone(key))) problems.push(`review ${r._id}: ${r.reward.points} reward points not in the ledger`)
    }
    if (r.reward.state === 'reversed') {
      if (holds) problems.push(`review ${r._id}: reversed but still holds a place in its campaign's budget`)
      if ((await ledger.isDone(key)) && !(await ledger.isDone(reversal))) problems.push(`review ${r._id}: reward reversed but its points were not taken back`)
    }
  }
  return problems
}
