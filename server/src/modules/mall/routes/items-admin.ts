import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AdminMallItemQuerySchema,
  CancelRedemptionSchema,
  CreateMallItemSchema,
  GiftOrderListSchema,
  GiftOrderQuerySchema,
  MallItemIdParamsSchema,
  MallItemListSchema,
  MallItemSchema,
  RedemptionIdParamsSchema,
  RedemptionSchema,
  UpdateMallItemSchema,
} from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/**
 * /api/admin/mall — operators keep the mall's items (audited), see the gift orders to ship, and cancel a gift
 * redemption before it ships.
 */
const itemsAdmin: FastifyPluginAsyncTypebox = async (app) => {
  const actor = (request: { user: { sub: string; role: string } }) => ({ actor: request.user.sub, role: request.user.role })

  app.post(
    '/mall/items',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'mall'],
        summary: 'Create a mall item',
        description:
          'kind coupon: couponTemplateId (a redemption issues a coupon from that template); kind gift: a physical gift shipped through ' +
          'the shop (cashFen: a cash part the shop collects). stock: how many may be redeemed in all. tiers: tier codes that may redeem ' +
          'it; perMemberLimit; availableFrom/availableTo: the window; status active (default) or paused.',
        security: [{ bearer: [] }],
        body: CreateMallItemSchema,
        response: { 201: MallItemSchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.mall.items.create(request.body, actor(request))),
  )

  app.get(
    '/mall/items',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'mall'],
        summary: 'List mall items, newest first',
        security: [{ bearer: [] }],
        querystring: AdminMallItemQuerySchema,
        response: { 200: MallItemListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ items: await app.mall.items.list(request.query) }),
  )

  app.get(
    '/mall/items/:id',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'mall'],
        summary: 'One mall item',
        security: [{ bearer: [] }],
        params: MallItemIdParamsSchema,
        response: { 200: MallItemSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => app.mall.items.get(request.params.id),
  )

  app.patch(
    '/mall/items/:id',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'mall'],
        summary: 'Edit a mall item',
        description:
          'Any of name, description, images, pointsPrice, cashFen, stock (the new total: stockLeft moves by the difference; below what ' +
          'is redeemed is a 409), tiers, perMemberLimit, availableFrom/availableTo (null clears), status. kind and couponTemplateId are fixed.',
        security: [{ bearer: [] }],
        params: MallItemIdParamsSchema,
        body: UpdateMallItemSchema,
        response: { 200: MallItemSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.mall.items.update(request.params.id, request.body, actor(request)),
  )

  app.get(
    '/mall/gift-orders',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'mall'],
        summary: 'Gift orders by state, oldest first (what to ship)',
        description: 'Ship a gift through the shop under its id: the shop\'s order.shipped / order.delivered events for that orderId move it.',
        security: [{ bearer: [] }],
        querystring: GiftOrderQuerySchema,
        response: { 200: GiftOrderListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ items: await app.mall.giftOrders.list(request.query) }),
  )

  app.post(
    '/mall/redemptions/:id/cancel',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'mall'],
        summary: 'Cancel a gift redemption before it ships (audited)',
        description: 'The points and the unit of stock come back. A gift already shipped is a 409; a coupon redemption is a 409.',
        security: [{ bearer: [] }],
        params: RedemptionIdParamsSchema,
        body: CancelRedemptionSchema,
        response: { 200: RedemptionSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.mall.redemptions.cancel(request.params.id, { ...actor(request), reason: request.body.reason }),
  )
}
export default itemsAdmin
