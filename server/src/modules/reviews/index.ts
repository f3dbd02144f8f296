import fp from 'fastify-plugin'
import { Types } from 'mongoose'
import { ReviewCampaigns, type CampaignDoc } from './campaigns.js'
import { ContentChecks } from './checks.js'
import { ReviewFollowUps } from './follow-ups.js'
import { CAMPAIGN_INVITES_JOB, INVITE_JOB, ReviewInvitations } from './invitations.js'
import { reviewsModels } from './models.js'
import { ReviewModeration } from './moderation.js'
import { createReviewPhotos, type ReviewPhotos } from './photos/index.js'
import { ReviewRewards } from './rewards.js'
import adminRoutes from './routes/admin-campaigns.js'
import meRoutes from './routes/me-reviews.js'
import photoRoutes from './routes/photos.js'
import productRoutes from './routes/products.js'
import reviewRoutes from './routes/reviews.js'
import staffRoutes from './routes/staff-reviews.js'
import { reconcileReviews } from './reconcile.js'
import { ReviewShowcase } from './showcase.js'
import { CHECK_JOB, ReviewSubmissions } from './submissions.js'
import { ReviewViews } from './views.js'

export interface ReviewsOptions {
  /** this API's public origin: the links WeChat's media check fetches photos from */
  publicBaseUrl?: string
}

/** The reviews service: campaigns, invitations, reviews and their photos, content checks, moderation, follow-ups. */
export interface ReviewsService {
  photos: ReviewPhotos
  campaigns: ReviewCampaigns
  submissions: ReviewSubmissions
  checks: ContentChecks
  moderation: ReviewModeration
  rewards: ReviewRewards
  invitations: ReviewInvitations
  followUps: ReviewFollowUps
  showcase: ReviewShowcase
  /** problems npm run reconcile reports: budgets against rewarded reviews, rewards against the ledger */
  reconcile(): Promise<string[]>
}

declare module 'fastify' {
  interface FastifyInstance {
    reviews: ReviewsService
  }
}

const REPAIR_JOB = 'reviews.repair'
const REPAIR_EVERY_MS = 10 * 60_000
const SWEEP_JOB = 'reviews.photo-sweep'

/**
 * reviews: photo-review campaigns. Operators name products, a purchase window, an audience and a reward; buyers are
 * invited a few days after delivery; they write a review with photos (re-encoded without EXIF/GPS, kept in GridFS);
 * WeChat's content checks run on the text and every photo; managers moderate; approval publishes and grants the
 * reward whatever the rating, once per order line, within the budget; removal reverses it. Reviews rated 1–3 enter
 * the follow-up log. Routes: /api/admin/review-campaigns, /api/me/reviewables, /api/me/reviews, /api/reviews,
 * /api/reviews/photos, /api/staff/reviews, /api/staff/review-follow-ups, /api/products/{sku}/reviews. Jobs:
 * reviews.check (per review), reviews.invite (per order), reviews.repair (every 10 minutes), reviews.photo-sweep.
 */
export default fp<ReviewsOptions>(
  async (app, opts) => {
    const models = await app.db.register(reviewsModels(app.db.connection))
    const photos = await createReviewPhotos(app, { publicBaseUrl: opts.publicBaseUrl ?? 'http://localhost:3000' })
    const campaigns = new ReviewCampaigns(models, app.coupons, app.audit, app.jobs, app.now)
    const campaignsOf = async (ids: Types.ObjectId[]) => {
      if (ids.length === 0) return new Map<string, CampaignDoc>()
      const docs = await models.ReviewCampaign.find({ _id: { $in: ids } }, { name: 1, reward: 1 }).lean<CampaignDoc[]>()
      return new Map(docs.map((d) => [d._id.toString(), d]))
    }
    const views = new ReviewViews(photos, campaignsOf)
    const staffLookup = async (id: string) => {
      if (!Types.ObjectId.isValid(id)) return null
      const record = await app.staff.records.get(id).catch(() => null)
      return record ? { id: record.id, name: record.name, store: record.store ?? null, active: record.status === 'active' } : null
    }
    const followUps = new ReviewFollowUps(models, app.members.repo, staffLookup, app.audit, app.now)
    const submissions = new ReviewSubmissions({ models, campaigns, photos, orders: app.memberOrders, members: app.members.repo, followUps, views, jobs: app.jobs, now: app.now })
    const rewards = new ReviewRewards({ models, campaigns, activity: app.activity, coupons: app.coupons, now: app.now, log: app.log })
    const checks = new ContentChecks({ models, wechat: app.wechat, members: app.members.repo, photos, now: app.now, log: app.log })
    const moderation = new ReviewModeration({ models, photos, rewards, views, members: app.members.repo, audit: app.audit, now: app.now })
    const invitations = new ReviewInvitations({
      models,
      campaigns,
      orders: app.memberOrders,
      standing: (memberId) => submissions.standing(memberId),
      messaging: app.messaging,
      jobs: app.jobs,
      now: app.now,
      log: app.log,
    })
    const showcase = new ReviewShowcase(models, app.members.repo, views)

    app.jobs.register(CHECK_JOB, async (payload) => checks.run(String(payload.reviewId)))
    app.jobs.register(INVITE_JOB, async (payload) => invitations.send(String(payload.orderId)))
    app.jobs.register(CAMPAIGN_INVITES_JOB, async (payload) => {
      const next = await invitations.backfill(String(payload.campaignId), typeof payload.after === 'string' ? payload.after : null)
      if (next !== null) await app.jobs.schedule(`${CAMPAIGN_INVITES_JOB}:${payload.campaignId}:${next}`, CAMPAIGN_INVITES_JOB, { campaignId: payload.campaignId, after: next }, app.now())
    })
    app.jobs.register(REPAIR_JOB, async () => {
      await rewards.repair()
      await checks.resendStale()
      return { rescheduleAt: new Date(app.now().getTime() + REPAIR_EVERY_MS) }
    })
    await app.jobs.schedule(REPAIR_JOB, REPAIR_JOB, {}, new Date(app.now().getTime() + REPAIR_EVERY_MS), { maxAttempts: 1_000 })
    app.jobs.register(SWEEP_JOB, async () => {
      await photos.sweepOrphans()
      return { rescheduleAt: new Date(app.now().getTime() + 86_400_000) }
    })
    await app.jobs.schedule(SWEEP_JOB, SWEEP_JOB, {}, new Date(app.now().getTime() + 3_600_000), { maxAttempts: 1_000 })
    app.events.consume('reviews.invitations', ['order.delivered', 'order.paid'], (event) => invitations.onOrderReceived(event))
    // WeChat's verdict on a photo arrives as a message push
    app.messaging.push.onMiniProgramEvent('wxa_media_check', (message) => checks.onMediaVerdict(message))

    const reconcile = () => reconcileReviews(models, app.ledger, app.now())
    app.decorate('reviews', { photos, campaigns, submissions, checks, moderation, rewards, invitations, followUps, showcase, reconcile })

    await app.register(photoRoutes, { prefix: '/api/reviews', photos })
    await app.register(reviewRoutes, { prefix: '/api' })
    await app.register(meRoutes, { prefix: '/api/me' })
    await app.register(staffRoutes, { prefix: '/api/staff' })
    await app.register(adminRoutes, { prefix: '/api/admin' })
    await app.register(productRoutes, { prefix: '/api' })
  },
  { name: 'reviews', dependencies: ['core', 'members', 'loyalty', 'coupons', 'messaging', 'staff'] },
)
