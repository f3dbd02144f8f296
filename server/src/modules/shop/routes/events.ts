import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ShopEventBatchResultSchema,
  ShopEventBatchSchema,
  ShopEventResultSchema,
  ShopEventSchema,
  ShopEventStatusSchema,
  type ShopEvent,
} from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { NotFound, ServiceUnavailable, Unauthorized } from '../../../core/errors.js'
import { checkShopSignature } from '../signature.js'
import { errorResponses } from '../../../core/responses.js'

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string
  }
}

const SIGNATURE_HEADERS = {
  type: 'object',
  properties: {
    'x-shop-signature': { type: 'string', description: 'hex HMAC-SHA256 of `timestamp + "." + rawBody` with SHOP_WEBHOOK_SECRET' },
    'x-shop-timestamp': { type: 'string', description: 'unix seconds; more than 5 minutes off is rejected' },
  },
} as const

/**
 * POST /api/integrations/shop/events (and /batch) — the brand's shop or ERP reports orders. Signed; an event is
 * recorded and answered at once, then applied within moments; a replayed eventId changes nothing and answers
 * `duplicate`. GET /events/:eventId says where an event stands.
 */
const shopEvents: FastifyPluginAsyncTypebox<{ secret?: string }> = async (app, opts) => {
  // the signature covers the exact bytes sent, so keep them (this parser applies to these routes only)
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (request, body, done) => {
    request.rawBody = body as string
    try {
      done(null, JSON.parse(body as string))
    } catch {
      const error = new Error('the body is not valid JSON') as Error & { statusCode: number }
      error.statusCode = 400
      done(error, undefined)
    }
  })

  // before schema validation: an unsigned request learns nothing about the schema
  app.addHook('preValidation', async (request: FastifyRequest) => {
    if (!opts.secret) throw new ServiceUnavailable('the shop webhook is not configured (SHOP_WEBHOOK_SECRET)')
    const problem = checkShopSignature(
      opts.secret,
      { signature: request.headers['x-shop-signature'] as string | undefined, timestamp: request.headers['x-shop-timestamp'] as string | undefined },
      request.rawBody ?? '',
      new Date(),
    )
    if (problem === 'missing') throw new Unauthorized('x-shop-signature and x-shop-timestamp headers are required')
    if (problem === 'stale') throw new Unauthorized('x-shop-timestamp is more than 5 minutes off; sign the request again')
    if (problem === 'mismatch') throw new Unauthorized('the signature does not match the body')
  })

  app.post(
    '/events',
    {
      schema: {
        tags: ['integrations'],
        summary: 'Report one shop event',
        description:
          'Types: order.paid, order.shipped, order.logistics_update, order.delivered, order.refunded, order.cancelled. ' +
          'Events may repeat and arrive in any order. Unknown fields are ignored; a wrong type is a 400 naming the field. ' +
          '202 `accepted`: recorded, and applied within moments (see GET /events/{eventId}); 200 `duplicate`: this eventId was accepted before.',
        headers: SIGNATURE_HEADERS,
        body: ShopEventSchema,
        response: { 200: ShopEventResultSchema, 202: ShopEventResultSchema, ...errorResponses(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const result = await app.shopEvents.accept(request.body as ShopEvent)
      return reply.code(result.status === 'accepted' ? 202 : 200).send(result)
    },
  )

  app.post(
    '/events/batch',
    {
      schema: {
        tags: ['integrations'],
        summary: 'Report up to 500 shop events at once (backfills)',
        description: 'Each answers like a single event (`accepted` or `duplicate`), or `rejected` with its error; the end state is the same in any order.',
        headers: SIGNATURE_HEADERS,
        body: ShopEventBatchSchema,
        response: { 200: ShopEventBatchResultSchema, ...errorResponses(400, 401, 503) },
      },
    },
    async (request) => ({ results: await app.shopEvents.acceptMany(request.body.events as ShopEvent[]) }),
  )

  app.get(
    '/events/:eventId',
    {
      schema: {
        tags: ['integrations'],
        summary: 'Where an accepted event stands: queued, applied or parked',
        description: 'Signed like the POSTs, over an empty body: HMAC-SHA256 of `timestamp + "."`. 404 if the eventId was never accepted.',
        headers: SIGNATURE_HEADERS,
        params: Type.Object({ eventId: Type.String({ minLength: 1, maxLength: 128 }) }),
        response: { 200: ShopEventStatusSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => {
      const status = await app.shopEvents.status(request.params.eventId)
      if (!status) throw new NotFound(`event ${request.params.eventId} was never accepted`)
      return status
    },
  )
}
export default shopEvents
