import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CouponListQuerySchema, CouponListSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/me/coupons — the member's wallet. */
const meCoupons: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/coupons',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['coupons'],
        summary: "The member's coupons: usable (soonest to expire first), used or expired (newest first)",
        security: [{ bearer: [] }],
        querystring: CouponListQuerySchema,
        response: { 200: CouponListSchema, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => ({ items: await app.coupons.usage.wallet(request.user.sub, request.query.state ?? 'usable', request.query.limit ?? 100) }),
  )
}
export default meCoupons
