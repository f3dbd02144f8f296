import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PointsHistoryPageSchema, PointsHistoryQuerySchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/me/points/history — the member's points ledger, newest first, a page at a time. */
const pointsHistory: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/points/history',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member'],
        summary: "The member's points history",
        security: [{ bearer: [] }],
        querystring: PointsHistoryQuerySchema,
        response: { 200: PointsHistoryPageSchema, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => app.pointsHistory.pointsHistory(request.user.sub, request.query.limit ?? 20, request.query.cursor),
  )
}
export default pointsHistory
