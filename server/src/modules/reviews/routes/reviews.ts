import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CreateReviewSchema, ReviewSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** POST /api/reviews — a member reviews one line of an order they received (once per line). */
const reviews: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/reviews',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['reviews'],
        summary: 'Review one received order line: a rating, text and photos (uploaded first)',
        description:
          'Only for the member’s own order lines that were delivered (in-store sales: at once) and not cancelled or refunded in full: ' +
          'another member’s order or an unknown line is a 404, an undelivered or returned one a 409 NOT_REVIEWABLE, a second review of the line a 409 REVIEW_EXISTS. ' +
          'photoIds: the member’s own photos from POST /api/reviews/photos not used by another review (404 PHOTO_NOT_FOUND, 409 PHOTO_IN_USE). ' +
          'The review starts in `checking` (WeChat’s content checks), then waits for a manager. A line under an open campaign for this member earns its reward ' +
          'on approval whatever the rating, when the campaign’s minimum photos and text length are met (`reward.note` says otherwise).',
        security: [{ bearer: [] }],
        body: CreateReviewSchema,
        response: { 201: ReviewSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.reviews.submissions.submit(request.user.sub, request.body)),
  )
}
export default reviews
