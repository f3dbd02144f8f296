import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CreateRedemptionSchema, RedemptionSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** POST /api/mall/redemptions — a member redeems an item for points. */
const redemptions: FastifyPluginAsyncTypebox<{ rateLimitPerMinute: number }> = async (app, opts) => {
  app.post(
    '/redemptions',
    {
      onRequest: app.authenticateMember,
      // per member, counted once the request is valid
      config: { rateLimit: { max: opts.rateLimitPerMinute, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (request) => `mall:${request.user.sub}` } },
      schema: {
        tags: ['member', 'mall'],
        summary: 'Redeem an item for points',
        description:
          'Points are deducted (soonest-expiring first), a unit of stock taken, and the coupon issued (see /api/me/coupons) or a gift order ' +
          'created (address required) — entirely, or not at all. 201 with the new redemption; the same idempotencyKey again answers 200 ' +
          'with the same redemption (with another item or address: 409 CONFLICT). Refusals are 409 with OUT_OF_STOCK, ' +
          'INSUFFICIENT_POINTS, LIMIT_REACHED, TIER_NOT_ELIGIBLE or NOT_AVAILABLE.',
        security: [{ bearer: [] }],
        body: CreateRedemptionSchema,
        response: { 200: RedemptionSchema, 201: RedemptionSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const { created, redemption } = await app.mall.redemptions.redeem(request.user.sub, request.body)
      return reply.code(created ? 201 : 200).send(redemption)
    },
  )
}
export default redemptions
