import { rewardText, type CreateReviewCampaign, type ReviewCampaign } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditActor, AuditLog } from '../../core/audit.js'
import { NotFound, ValidationFailed } from '../../core/errors.js'
import type { JobRunner } from '../../core/jobs/runner.js'
import type { CouponsService } from '../coupons/index.js'
import { CAMPAIGN_INVITES_JOB } from './invitations.js'
import type { ReviewsModels } from './models.js'
import { campaignOpen, type CampaignTerms } from './rules.js'

/** A campaign as stored (lean). */
export interface CampaignDoc extends Omit<CampaignTerms, 'id'> {
  _id: Types.ObjectId
  name: string
  reward: { points: number | null; couponTemplateId: string | null; couponName: string | null }
  budget: number
  createdBy: string
  createdAt: Date
}

export type Campaign = CampaignTerms & Omit<CampaignDoc, '_id'>

/** The most times taking a place is tried again: each failure means another approval took one, so this is never reached while places are left and fewer than 50 approvals race. */
const BUDGET_RETRIES = 50

/**
 * Photo-review campaigns: the operator's terms (products, purchase window, audience, requirements, reward, budget,
 * end), and each campaign's reward places. A place is taken by a review on approval and freed when its reward is
 * reversed; the places live in one document per campaign so that taking one is a single conditional update.
 */
export class ReviewCampaigns {
  constructor(
    private readonly models: ReviewsModels,
    private readonly coupons: Pick<CouponsService, 'template'>,
    private readonly audit: AuditLog,
    private readonly jobs: Pick<JobRunner, 'schedule'>,
    private readonly now: () => Date,
  ) {}

  async create(input: CreateReviewCampaign, by: AuditActor): Promise<ReviewCampaign> {
    const now = this.now()
    const from = new Date(input.purchaseWindow.from)
    const to = new Date(input.purchaseWindow.to)
    const endsAt = new Date(input.endsAt)
    const skus = input.products.skus ?? []
    const categories = input.products.categories ?? []
    if (skus.length + categories.length === 0) throw new ValidationFailed('body.products: name at least one SKU or category')
    if (from.getTime() >= to.getTime()) throw new ValidationFailed('body.purchaseWindow: from must be before to')
    if (endsAt.getTime() <= now.getTime()) throw new ValidationFailed('body.endsAt: must be in the future')
    if (endsAt.getTime() - now.getTime() > 400 * 86_400_000) throw new ValidationFailed('body.endsAt: at most 400 days ahead')
    if (to.getTime() - from.getTime() > 400 * 86_400_000) throw new ValidationFailed('body.purchaseWindow: at most 400 days long')
    if (input.reward.points === undefined && input.reward.couponTemplateId === undefined) {
      throw new ValidationFailed('body.reward: give points, a coupon template, or both')
    }
    let couponName: string | null = null
    if (input.reward.couponTemplateId) {
      const template = await this.coupons.template(input.reward.couponTemplateId)
      if (!template) throw new NotFound(`coupon template ${input.reward.couponTemplateId} not found`)
      couponName = template.name
    }
    const audience = input.audience ?? { mode: 'all' as const }
    if (audience.mode === 'all' && (audience.minTierLevel !== undefined || audience.minOrders !== undefined)) {
      throw new ValidationFailed('body.audience: criteria belong to mode "selection"')
    }
    const _id = new Types.ObjectId()
    const doc = {
      _id,
      name: input.name.trim(),
      products: { skus, categories },
      purchaseFrom: from,
      purchaseTo: to,
      audience: { mode: audience.mode, minTierLevel: audience.minTierLevel ?? null, minOrders: audience.minOrders ?? null },
      inviteAfterDays: input.inviteAfterDays ?? 3,
      minPhotos: input.minPhotos ?? 1,
      minTextLength: input.minTextLength ?? 10,
      reward: { points: input.reward.points ?? null, couponTemplateId: input.reward.couponTemplateId ?? null, couponName },
      budget: input.budget,
      endsAt,
      endedAt: null,
      createdBy: by.actor,
      createdAt: now,
    }
    // the budget first: a campaign is never visible without its places
    await this.models.ReviewCampaignBudget.create({ _id, budget: input.budget, granted: 0, reviewIds: [] })
    await this.models.ReviewCampaign.create(doc)
    await this.audit.record({ ...by, action: 'reviews.campaign-create', details: { campaignId: _id.toString(), name: doc.name, budget: doc.budget }, at: now })
    // the buyers of its window who received their orders lately are invited too, not only those delivered from now on
    await this.jobs.schedule(`${CAMPAIGN_INVITES_JOB}:${_id}`, CAMPAIGN_INVITES_JOB, { campaignId: _id.toString(), after: null }, now)
    return this.view(doc as CampaignDoc, 0)
  }

  /** Every campaign, newest first, with its standing rewards. */
  async list(): Promise<ReviewCampaign[]> {
    const docs = await this.models.ReviewCampaign.find({}).sort({ createdAt: -1 }).limit(200).lean<CampaignDoc[]>()
    const granted = await this.grantedOf(docs.map((d) => d._id))
    return docs.map((d) => this.view(d, granted.get(d._id.toString()) ?? 0))
  }

  async get(id: string, stats?: ReviewCampaign['stats']): Promise<ReviewCampaign> {
    const doc = await this.doc(id)
    if (!doc) throw new NotFound(`review campaign ${id} not found`)
    const granted = await this.grantedOf([doc._id])
    return { ...this.view(doc, granted.get(id) ?? 0), ...(stats ? { stats } : {}) }
  }

  async doc(id: string | Types.ObjectId): Promise<CampaignDoc | null> {
    return this.models.ReviewCampaign.findById(id).lean<CampaignDoc>()
  }

  /** Ends a campaign now: no new reviews earn its reward and no invitations go; reviews written before keep theirs. */
  async end(id: string, by: AuditActor): Promise<ReviewCampaign> {
    const now = this.now()
    const done = await this.models.ReviewCampaign.updateOne({ _id: id, endedAt: null }, { $set: { endedAt: now } })
    if (done.matchedCount === 0 && !(await this.doc(id))) throw new NotFound(`review campaign ${id} not found`)
    if (done.modifiedCount > 0) await this.audit.record({ ...by, action: 'reviews.campaign-end', details: { campaignId: id }, at: now })
    return this.get(id)
  }

  /** The campaigns open at `now` (a few at a time in practice), as the rules read them. */
  async open(now = this.now()): Promise<Campaign[]> {
    const docs = await this.models.ReviewCampaign.find({ endsAt: { $gt: now }, endedAt: null }).lean<CampaignDoc[]>()
    return docs.map(asCampaign).filter((c) => campaignOpen(c, now))
  }

  /** Whether each campaign has a reward place left (the member is told before writing). */
  async placesLeft(ids: string[]): Promise<Map<string, boolean>> {
    if (ids.length === 0) return new Map()
    const docs = await this.models.ReviewCampaignBudget.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, { budget: 1, granted: 1 }).lean<
      { _id: Types.ObjectId; budget: number; granted: number }[]
    >()
    return new Map(docs.map((d) => [d._id.toString(), d.granted < d.budget]))
  }

  /**
   * Takes a reward place for the review: `taken` (now, or by an earlier attempt of the same review) or `full`. One
   * conditional update — a place free and this review without one — so concurrent approvals never take more places
   * than the budget, and a retried approval never takes two.
   */
  async takePlace(campaignId: Types.ObjectId, reviewId: Types.ObjectId): Promise<'taken' | 'full'> {
    const Budget = this.models.ReviewCampaignBudget
    for (let attempt = 0; attempt < BUDGET_RETRIES; attempt++) {
      const doc = await Budget.findById(campaignId, { budget: 1, granted: 1 }).lean<{ budget: number; granted: number }>()
      if (!doc) throw new Error(`campaign ${campaignId} has no budget document`)
      if (doc.granted < doc.budget) {
        const done = await Budget.updateOne(
          { _id: campaignId, budget: doc.budget, granted: { $lt: doc.budget }, reviewIds: { $ne: reviewId } },
          { $inc: { granted: 1 }, $push: { reviewIds: reviewId } },
        )
        if (done.modifiedCount === 1) return 'taken'
      }
      if (await Budget.exists({ _id: campaignId, reviewIds: reviewId })) return 'taken'
      if (doc.granted >= doc.budget) return 'full'
      // another approval moved the document between the read and the update: read again
    }
    return (await Budget.exists({ _id: campaignId, reviewIds: reviewId })) ? 'taken' : 'full'
  }

  /** Frees the review's place (its reward was reversed); a second call frees nothing. */
  async freePlace(campaignId: Types.ObjectId, reviewId: Types.ObjectId): Promise<void> {
    await this.models.ReviewCampaignBudget.updateOne({ _id: campaignId, reviewIds: reviewId }, { $inc: { granted: -1 }, $pull: { reviewIds: reviewId } })
  }

  /** The places taken, per campaign (for reconcile: every place is a granted review). */
  async places(campaignId: Types.ObjectId): Promise<{ budget: number; granted: number; reviewIds: Types.ObjectId[] } | null> {
    return this.models.ReviewCampaignBudget.findById(campaignId).lean()
  }

  private async grantedOf(ids: Types.ObjectId[]): Promise<Map<string, number>> {
    const docs = await this.models.ReviewCampaignBudget.find({ _id: { $in: ids } }, { granted: 1 }).lean<{ _id: Types.ObjectId; granted: number }[]>()
    return new Map(docs.map((d) => [d._id.toString(), d.granted]))
  }

  private view(doc: CampaignDoc, granted: number): ReviewCampaign {
    return {
      id: doc._id.toString(),
      name: doc.name,
      products: { skus: doc.products.skus, categories: doc.products.categories },
      purchaseWindow: { from: doc.purchaseFrom.toISOString(), to: doc.purchaseTo.toISOString() },
      audience: { mode: doc.audience.mode, minTierLevel: doc.audience.minTierLevel ?? null, minOrders: doc.audience.minOrders ?? null },
      inviteAfterDays: doc.inviteAfterDays,
      minPhotos: doc.minPhotos,
      minTextLength: doc.minTextLength,
      reward: { ...doc.reward, text: rewardText(doc.reward) },
      budget: doc.budget,
      granted,
      endsAt: doc.endsAt.toISOString(),
      status: campaignOpen(doc, this.now()) ? 'active' : 'ended',
      createdAt: doc.createdAt.toISOString(),
    }
  }
}

export function asCampaign(doc: CampaignDoc): Campaign {
  return { ...doc, id: doc._id.toString(), endedAt: doc.endedAt ?? null }
}
