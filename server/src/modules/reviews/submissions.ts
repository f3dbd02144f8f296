import { FOLLOW_UP_MAX_RATING, rewardText, type CreateReview, type Review, type ReviewableLine } from '@member-center/shared'
import { Types } from 'mongoose'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import { Conflict, NotFound, NotReviewable, ReviewExists } from '../../core/errors.js'
import type { JobRunner } from '../../core/jobs/runner.js'
import type { MemberOrders } from '../loyalty/member-orders.js'
import type { MemberRepository } from '../members/repository.js'
import type { ReviewCampaigns } from './campaigns.js'
import type { ReviewFollowUps } from './follow-ups.js'
import type { ReviewsModels } from './models.js'
import type { ReviewPhotos } from './photos/index.js'
import { campaignForLine, requirementsUnmet, type MemberStanding } from './rules.js'
import type { ReviewDoc, ReviewViews } from './views.js'

export const CHECK_JOB = 'reviews.check'

export interface SubmissionDeps {
  models: ReviewsModels
  campaigns: ReviewCampaigns
  photos: ReviewPhotos
  orders: MemberOrders
  members: MemberRepository
  followUps: ReviewFollowUps
  views: ReviewViews
  jobs: JobRunner
  now: () => Date
}

const NOT_REVIEWABLE: Record<'not-received' | 'returned', string> = {
  'not-received': 'this line has not been delivered yet: review it once it arrives',
  returned: 'this line was cancelled or refunded in full',
}

/**
 * What members do: see the lines they can review (campaign offers first, with the reward and what it asks), write a
 * review of one line (theirs, received, not returned; once), read and delete their reviews. A review starts in
 * `checking`: the check job sends its text and photos to WeChat's content checks.
 */
export class ReviewSubmissions {
  constructor(private readonly deps: SubmissionDeps) {}

  async reviewables(memberId: string): Promise<ReviewableLine[]> {
    const { orders, campaigns, models } = this.deps
    const now = this.deps.now()
    const [lines, open, standing] = await Promise.all([orders.receivedLines(memberId), campaigns.open(now), this.standing(memberId)])
    const reviews = await models.Review.find(
      { memberId: new Types.ObjectId(memberId), orderId: { $in: [...new Set(lines.map((l) => l.orderId))] } },
      { orderId: 1, lineId: 1, state: 1 },
    ).lean<Pick<ReviewDoc, '_id' | 'orderId' | 'lineId' | 'state'>[]>()
    const reviewed = new Map(reviews.map((r) => [`${r.orderId}\u0000${r.lineId}`, r]))
    const offers = lines.map((line) => campaignForLine(line, standing, open, now))
    const left = await campaigns.placesLeft([...new Set(offers.flatMap((c) => (c ? [c.id] : [])))])
    const items = lines.map((line, i): ReviewableLine => {
      const c = offers[i]
      const review = reviewed.get(`${line.orderId}\u0000${line.lineId}`)
      return {
        orderId: line.orderId,
        lineId: line.lineId,
        sku: line.sku,
        name: line.name,
        category: line.category,
        paidFen: line.paidFen,
        paidAt: line.paidAt.toISOString(),
        receivedAt: line.receivedAt.toISOString(),
        campaign: c
          ? { id: c.id, name: c.name, rewardText: rewardText(c.reward), minPhotos: c.minPhotos, minTextLength: c.minTextLength, endsAt: c.endsAt.toISOString(), rewardsLeft: left.get(c.id) ?? false }
          : null,
        review: review ? { id: review._id.toString(), state: review.state } : null,
      }
    })
    // unreviewed lines with an offer first, then the other unreviewed, then the reviewed; newest first within each
    const rank = (l: ReviewableLine) => (l.review ? 2 : l.campaign ? 0 : 1)
    return items.map((l, i) => ({ l, i })).sort((a, b) => rank(a.l) - rank(b.l) || a.i - b.i).map((x) => x.l)
  }

  async submit(memberId: string, input: CreateReview): Promise<Review> {
    const { models, campaigns, photos, orders, followUps, jobs } = this.deps
    const line = await orders.receivedLine(memberId, input.orderId, input.lineId)
    if (line === 'not-found') throw new NotFound(`order line ${input.orderId}/${input.lineId} not found among your orders`)
    if (typeof line === 'string') throw new NotReviewable(NOT_REVIEWABLE[line])
    if (await models.Review.exists({ orderId: input.orderId, lineId: input.lineId })) throw new ReviewExists('this order line has a review already')

    const now = this.deps.now()
    const [open, standing] = await Promise.all([campaigns.open(now), this.standing(memberId)])
    const campaign = campaignForLine(line, standing, open, now)
    const unmet = campaign ? requirementsUnmet(campaign, { photos: input.photoIds.length, text: input.text }) : null
    const _id = new Types.ObjectId()
    const doc = {
      _id,
      memberId: new Types.ObjectId(memberId),
      orderId: line.orderId,
      lineId: line.lineId,
      sku: line.sku,
      category: line.category,
      productName: line.name,
      store: line.store,
      rating: input.rating,
      text: input.text.trim(),
      photoIds: input.photoIds.map((id) => new Types.ObjectId(id)),
      state: 'checking' as const,
      checks: { requestedAt: null, text: { suggest: null, label: null, traceId: null }, photos: [], verdicts: {} },
      traceIds: [],
      campaignId: campaign && !unmet ? new Types.ObjectId(campaign.id) : null,
      rewardNote: unmet,
      reward: { state: 'none' as const, points: 0, couponId: null, grantedAt: null, couponKept: false },
      rejection: { reason: null, note: null },
      reply: { text: null, by: null, at: null },
      moderatedBy: null,
      moderatedAt: null,
      publishedAt: null,
      removedAt: null,
      removedBy: null,
      createdAt: now,
      updatedAt: now,
    }
    try {
      await models.Review.create(doc)
    } catch (error) {
      // two submissions of one line at once: the unique index lets one in
      if (isDuplicateKey(error)) throw new ReviewExists('this order line has a review already')
      throw error
    }
    try {
      await photos.attach(memberId, input.photoIds, _id.toString())
    } catch (error) {
      // another member's photo, or one used by another review: the review is not kept (nothing else was written)
      await models.Review.deleteOne({ _id })
      throw error
    }
    if (input.rating <= FOLLOW_UP_MAX_RATING) await followUps.open(doc as unknown as ReviewDoc)
    await jobs.schedule(`${CHECK_JOB}:${_id}`, CHECK_JOB, { reviewId: _id.toString() }, now)
    const [view] = await this.deps.views.forMember([doc as unknown as ReviewDoc])
    return view!
  }

  async mine(memberId: string): Promise<Review[]> {
    const docs = await this.deps.models.Review.find({ memberId: new Types.ObjectId(memberId) }).sort({ createdAt: -1 }).limit(100).lean<ReviewDoc[]>()
    return this.deps.views.forMember(docs)
  }

  async one(memberId: string, reviewId: string): Promise<ReviewDoc> {
    const doc = await this.deps.models.Review.findOne({ _id: reviewId, memberId: new Types.ObjectId(memberId) }).lean<ReviewDoc>()
    if (!doc) throw new NotFound(`review ${reviewId} not found`)
    return doc
  }

  /** A campaign's figures: invitations sent, its reviews by state. */
  async campaignStats(campaignId: string): Promise<{ invited: number; reviews: number; byState: Record<string, number> }> {
    if (!Types.ObjectId.isValid(campaignId)) return { invited: 0, reviews: 0, byState: {} }
    const id = new Types.ObjectId(campaignId)
    const [invited, states] = await Promise.all([
      this.deps.models.ReviewInvitation.countDocuments({ campaignIds: id, state: 'sent' }),
      this.deps.models.Review.aggregate<{ _id: string; n: number }>([{ $match: { campaignId: id } }, { $group: { _id: '$state', n: { $sum: 1 } } }]),
    ])
    const byState = Object.fromEntries(states.map((s) => [s._id, s.n]))
    return { invited, reviews: states.reduce((sum, s) => sum + s.n, 0), byState }
  }

  /** The member's tier and purchase days, as campaign audiences select by them. */
  async standing(memberId: string): Promise<MemberStanding> {
    const member = await this.deps.members.findById(memberId)
    if (!member) throw new Conflict(`member ${memberId} not found`)
    const m = member as unknown as { tierLevel?: number; purchases?: { days?: number } | null }
    return { tierLevel: m.tierLevel ?? 1, purchaseDays: m.purchases?.days ?? 0 }
  }
}
