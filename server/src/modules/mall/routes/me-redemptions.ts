import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CancelRedemptionSchema, RedemptionIdParamsSchema, RedemptionPageQuerySchema, RedemptionPageSchema, RedemptionSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** /api/me/redemptions — the member's own redemptions: history, one, and cancelling a gift before it ships. */
const meRedemptions: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/redemptions',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member', 'mall'],
        summary: "The member's redemptions, newest first",
        security: [{ bearer: [] }],
        querystring: RedemptionPageQuerySchema,
        response: { 200: RedemptionPageSchema, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => app.mall.redemptions.history(request.user.sub, request.query.limit ?? 20, request.query.cursor),
  )

  app.get(
    '/redemptions/:id',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member', 'mall'],
        summary: 'One of the member\'s redemptions',
        security: [{ bearer: [] }],
        params: RedemptionIdParamsSchema,
        response: { 200: RedemptionSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => app.mall.redemptions.get(request.params.id, request.user.sub),
  )

  app.post(
    '/redemptions/:id/cancel',
    {
      onRequest: app.authenticateMember,
      config: { rateLimit: { max: 20, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (request) => `mall-cancel:${request.user.sub}` } },
      schema: {
        tags: ['member', 'mall'],
        summary: 'Cancel a gift before it ships',
        description: 'The points and the unit of stock come back. A gift already shipped is a 409, so is a coupon redemption. Body: {} (or a reason).',
        security: [{ bearer: [] }],
        params: RedemptionIdParamsSchema,
        body: CancelRedemptionSchema,
        response: { 200: RedemptionSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 429, 503) },
      },
    },
    async (request) =>
      app.mall.redemptions.cancel(request.params.id, { memberId: request.user.sub, actor: request.user.sub, role: 'member', reason: request.body.reason }),
  )
}
export default meRedemptions
