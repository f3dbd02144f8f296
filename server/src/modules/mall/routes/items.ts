import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MallItemIdParamsSchema, MemberMallItemListSchema, MemberMallItemQuerySchema, MemberMallItemSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** /api/mall/items — the mall as this member sees it: each item marked with whether they can redeem it now. */
const items: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/items',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member', 'mall'],
        summary: 'The mall\'s items, with what this member can redeem',
        description:
          'Active items not past their window, newest first. `redeemable` false comes with `reason`: NOT_AVAILABLE, TIER_NOT_ELIGIBLE, ' +
          'OUT_OF_STOCK, LIMIT_REACHED or INSUFFICIENT_POINTS (the refusal a redemption would get). `points`: the member\'s available points.',
        security: [{ bearer: [] }],
        querystring: MemberMallItemQuerySchema,
        response: { 200: MemberMallItemListSchema, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => app.mall.items.forMember(request.user.sub, request.query),
  )

  app.get(
    '/items/:id',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member', 'mall'],
        summary: 'One item, with whether this member can redeem it',
        security: [{ bearer: [] }],
        params: MallItemIdParamsSchema,
        response: { 200: MemberMallItemSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => app.mall.items.oneForMember(request.user.sub, request.params.id),
  )
}
export default items
