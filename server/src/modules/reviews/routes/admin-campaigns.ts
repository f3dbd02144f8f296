import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CreateReviewCampaignSchema, ReviewCampaignListSchema, ReviewCampaignParamsSchema, ReviewCampaignSchema } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { staffActor } from '../../../core/audit.js'
import { errorResponses } from '../../../core/responses.js'
import { noBodyIsEmpty } from '../../appointments/routes/no-body.js'

/** /api/admin/review-campaigns — operators create, read and end photo-review campaigns. */
const adminCampaigns: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['reviews', 'admin']
  const security = [{ bearer: [] }]

  app.post(
    '/review-campaigns',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Create a photo-review campaign (audited)',
        description:
          'products: SKUs and/or categories (at least one); purchaseWindow: orders paid in [from, to) (at most 400 days); audience: everyone who bought (default) ' +
          'or a selection (tier level, purchase days); inviteAfterDays (default 3) after delivery; minPhotos (default 1) and minTextLength (default 10) for the reward; ' +
          'reward: points and/or a coupon template (404 for an unknown one); budget: the most rewards; endsAt in the future (at most 400 days). ' +
          'The reward never depends on the rating.',
        security,
        body: CreateReviewCampaignSchema,
        response: { 201: ReviewCampaignSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.reviews.campaigns.create(request.body, staffActor(request))),
  )

  app.get(
    '/review-campaigns',
    {
      onRequest: app.authenticateAdmin,
      schema: { tags, summary: 'Every campaign, newest first (200), with its standing rewards', security, response: { 200: ReviewCampaignListSchema, ...errorResponses(401, 403, 503) } },
    },
    async () => ({ items: await app.reviews.campaigns.list() }),
  )

  app.get(
    '/review-campaigns/:id',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'One campaign with its figures: invitations sent, reviews by state',
        security,
        params: ReviewCampaignParamsSchema,
        response: { 200: ReviewCampaignSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => app.reviews.campaigns.get(request.params.id, await app.reviews.submissions.campaignStats(request.params.id)),
  )

  app.post(
    '/review-campaigns/:id/end',
    {
      onRequest: app.authenticateAdmin,
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: 'End a campaign now (audited): no new reviews earn its reward, no invitations go; reviews written before keep theirs',
        security,
        params: ReviewCampaignParamsSchema,
        body: Type.Object({}, { additionalProperties: false }),
        response: { 200: ReviewCampaignSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => app.reviews.campaigns.end(request.params.id, staffActor(request)),
  )
}
export default adminCampaigns
