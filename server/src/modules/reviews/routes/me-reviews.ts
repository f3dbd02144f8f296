import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ReviewableListSchema, ReviewListSchema, ReviewParamsSchema } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../core/responses.js'

/** /api/me/reviewables, /api/me/reviews — what the member can review, their reviews, deleting one. */
const meReviews: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['reviews']
  const security = [{ bearer: [] }]

  app.get(
    '/reviewables',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags,
        summary: 'The lines of my latest 30 received orders: campaign offers first (with the reward and what it asks), then the rest, then those reviewed',
        description: 'rewardsLeft false: the campaign’s budget is spent (a review is still welcome, without the reward).',
        security,
        response: { 200: ReviewableListSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => ({ items: await app.reviews.submissions.reviewables(request.user.sub) }),
  )

  app.get(
    '/reviews',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags,
        summary: 'My reviews, newest first (100), with their state, the rejection reason, the brand’s reply and the reward’s progress',
        security,
        response: { 200: ReviewListSchema, ...errorResponses(401, 503) },
      },
    },
    async (request) => ({ items: await app.reviews.submissions.mine(request.user.sub) }),
  )

  app.delete(
    '/reviews/:id',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags,
        summary: 'Delete my review: unpublished, its photos deleted, its reward taken back (points through the ledger, an unused coupon voided)',
        description: 'Another member’s review is a 404. Deleting again answers 204 too.',
        security,
        params: ReviewParamsSchema,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await app.reviews.moderation.removeOwn(request.user.sub, request.params.id)
      return reply.code(204).send(null)
    },
  )
}
export default meReviews
