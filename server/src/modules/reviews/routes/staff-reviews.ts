import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ApproveReviewSchema,
  FollowUpListSchema,
  FollowUpReportQuerySchema,
  FollowUpReportSchema,
  FollowUpSchema,
  FollowUpsQuerySchema,
  RejectReviewSchema,
  RemoveReviewSchema,
  ReplyReviewSchema,
  ReviewParamsSchema,
  StaffReviewListSchema,
  StaffReviewSchema,
  StaffReviewsQuerySchema,
  UpdateFollowUpSchema,
} from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'
import { staffActorOf } from '../../appointments/staff-actor.js'
import { noBodyIsEmpty } from '../../appointments/routes/no-body.js'

/**
 * /api/staff/reviews — managers (and admins) moderate: the queue, one review with its checks' verdicts and photos,
 * approve, reject, remove, reply. Staff: 403. /api/staff/review-follow-ups — the follow-up log of reviews rated 1–3:
 * staff and managers their store's, admins every store's; the monthly report by class.
 */
const staffReviews: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['reviews', 'staff']
  const security = [{ bearer: [] }]
  const one = { 200: StaffReviewSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) }

  app.get(
    '/reviews',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'The moderation queue: reviews checking, pending and held, oldest first (or one state’s, newest first)',
        description: 'Managers and admins (staff: 403). Reviews are the brand’s, not a store’s: managers moderate every store’s.',
        security,
        querystring: StaffReviewsQuerySchema,
        response: { 200: StaffReviewListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ items: await app.reviews.moderation.queue(staffActorOf(request), request.query) }),
  )

  app.get(
    '/reviews/:id',
    {
      onRequest: app.authenticateStaff,
      schema: { tags, summary: 'One review with its photos and the content checks’ verdicts', security, params: ReviewParamsSchema, response: { 200: StaffReviewSchema, ...errorResponses(400, 401, 403, 404, 503) } },
    },
    async (request) => app.reviews.moderation.get(staffActorOf(request), request.params.id),
  )

  app.post(
    '/reviews/:id/approve',
    {
      onRequest: app.authenticateStaff,
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: 'Approve a review (audited): published when it has photos; the campaign’s reward granted whatever the rating, within the budget',
        description:
          '409 CHECKS_PENDING while a content check has not answered; a held review (a check found it risky) needs confirmRisky: true after a person looked ' +
          '(409 CONTENT_RISKY otherwise). Rejected or removed: 409 CONFLICT. Approving again answers the review as it is.',
        security,
        params: ReviewParamsSchema,
        body: ApproveReviewSchema,
        response: one,
      },
    },
    async (request) => app.reviews.moderation.approve(staffActorOf(request), request.params.id, request.body),
  )

  app.post(
    '/reviews/:id/reject',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'Reject a review with a reason about its content (audited; the member sees the reason)',
        description: 'Reasons: no_product_photo, not_own_photo, ads_or_contact, abuse, privacy — never the rating. An approved review is removed instead (409).',
        security,
        params: ReviewParamsSchema,
        body: RejectReviewSchema,
        response: one,
      },
    },
    async (request) => app.reviews.moderation.reject(staffActorOf(request), request.params.id, request.body),
  )

  app.post(
    '/reviews/:id/removal',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'Remove a review (audited): unpublished, photos deleted, the reward reversed through the ledger (an unused coupon voided, a used one recorded)',
        description: 'Removing again changes nothing more.',
        security,
        params: ReviewParamsSchema,
        body: RemoveReviewSchema,
        response: one,
      },
    },
    async (request) => app.reviews.moderation.remove(staffActorOf(request), request.params.id, request.body),
  )

  app.put(
    '/reviews/:id/reply',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'The brand’s reply to a published review (评价解释; audited)',
        description: 'Only approved reviews (409 otherwise). A new reply replaces the last.',
        security,
        params: ReviewParamsSchema,
        body: ReplyReviewSchema,
        response: one,
      },
    },
    async (request) => app.reviews.moderation.reply(staffActorOf(request), request.params.id, request.body.text),
  )

  app.get(
    '/review-follow-ups',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'The follow-up log: reviews rated 1–3, newest first',
        description: 'Staff and managers: their store’s (another store: 403). Admins: every store’s, or `store`’s. Online orders belong to the shop’s store code.',
        security,
        querystring: FollowUpsQuerySchema,
        response: { 200: FollowUpListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ items: await app.reviews.followUps.list(staffActorOf(request), request.query) }),
  )

  app.get(
    '/review-follow-ups/report',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'Follow-ups opened in a month (Shanghai), by class and status',
        security,
        querystring: FollowUpReportQuerySchema,
        response: { 200: FollowUpReportSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => app.reviews.followUps.report(staffActorOf(request), request.query.month, request.query.store),
  )

  // PATCH, and POST for the mini-program: wx.request has no PATCH
  const updateFollowUp = (method: 'PATCH' | 'POST') =>
    app.route({
      method,
      url: '/review-follow-ups/:id',
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: `Classify, assign, move along (open → contacted → resolved) or note a follow-up (audited)${method === 'POST' ? ' — the same as PATCH, for wx.request' : ''}`,
        description: 'assigneeId: an active staff member (of the store, for staff and managers). Another store’s follow-up: 404.',
        security,
        params: ReviewParamsSchema,
        body: UpdateFollowUpSchema,
        response: { 200: FollowUpSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
      handler: async (request) => app.reviews.followUps.update(staffActorOf(request), request.params.id, request.body),
    })
  updateFollowUp('PATCH')
  updateFollowUp('POST')
}
export default staffReviews
