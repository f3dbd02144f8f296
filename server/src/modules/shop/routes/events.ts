import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ShopEventBatchResultSchema,
  ShopEventBatchSchema,
  ShopEventResultSchema,
  ShopEventSchema,
  ShopEventStatusSchema,
} from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import type { FastifyRequest } from 'fastify'
import { NotFound, ServiceUnavailable, Unauthorized } from '../../../core/errors.js'
import { checkShopSignature } from '../signature.js'
import { errorResponses } from '../../../core/responses.js'

const SIGNATURE_HEADERS = Type.Object({
  'x-shop-signature': Type.Optional(Type.String({ description: 'hex HMAC-SHA256 of `timestamp + "." + rawBody` with SHOP_WEBHOOK_SECRET' })),
  'x-shop-timestamp': Type.Optional(Type.String({ description: 'unix seconds; more than 5 minutes off is rejected' })),
})

const EventIdSchema = Type.String({ minLength: 1, maxLength: 128 })

/**
 * The bodies as the shop sends them: JSON only (any other type is 415, before the signature is looked at), kept
 * exactly as sent for the signature, and bounded — a single event at 1 MiB, a batch at 5 MiB, nesting at 32 levels
 * (unknown fields may nest a little; the schemas' own fields need 6). Unknown fields are ignored: the service stores
 * only the fields the schemas know.
 */
const ONE_EVENT = { bodyLimit: 1024 * 1024, config: { rawBody: true, maxBodyDepth: 32, acceptsUnknownFields: true } }
const BATCH = { bodyLimit: 5 * 1024 * 1024, config: { rawBody: true, maxBodyDepth: 32, acceptsUnknownFields: true } }

/**
 * POST /api/integrations/shop/events (and /batch) — the brand's shop or ERP reports orders. Signed; an event is
 * recorded and answered at once, then applied within moments; a replayed eventId changes nothing and answers
 * `duplicate`. GET /events/:eventId says where an event stands.
 */
const shopEvents: FastifyPluginAsyncTypebox<{ secret?: string }> = async (app, opts) => {
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
      ...ONE_EVENT,
      schema: {
        tags: ['integrations'],
        summary: 'Report one shop event',
        description:
          'Types: order.paid, order.shipped, order.logistics_update, order.delivered, order.refunded, order.cancelled. ' +
          'Events may repeat and arrive in any order. Unknown fields are ignored; a wrong type is a 400 naming the field. ' +
          '202 `accepted`: recorded, and applied within moments (see GET /events/{eventId}); 200 `duplicate`: this eventId was accepted before.',
        headers: SIGNATURE_HEADERS,
        body: ShopEventSchema,
        response: { 200: ShopEventResultSchema, 202: ShopEventResultSchema, ...errorResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const result = await app.shopEvents.accept(request.body)
      return reply.code(result.status === 'accepted' ? 202 : 200).send(result)
    },
  )

  app.post(
    '/events/batch',
    {
      ...BATCH,
      schema: {
        tags: ['integrations'],
        summary: 'Report up to 500 shop events at once (backfills)',
        description: 'Each answers like a single event (`accepted` or `duplicate`), or `rejected` with its error; the end state is the same in any order.',
        headers: SIGNATURE_HEADERS,
        body: ShopEventBatchSchema,
        response: { 200: ShopEventBatchResultSchema, ...errorResponses(400, 401, 413, 415, 503) },
      },
    },
    async (request) => ({ results: await app.shopEvents.acceptMany(request.body.events) }),
  )

  const eventStatus = async (eventId: string) => {
    const status = await app.shopEvents.status(eventId)
    if (!status) throw new NotFound(`event ${eventId} was never accepted`)
    return status
  }

  app.get(
    '/events/:eventId',
    {
      schema: {
        tags: ['integrations'],
        summary: 'Where an accepted event stands: queued, applied or parked',
        description: 'Signed like the POSTs, over an empty body: HMAC-SHA256 of `timestamp + "."`. 404 if the eventId was never accepted.',
        headers: SIGNATURE_HEADERS,
        params: Type.Object({ eventId: EventIdSchema }, { additionalProperties: false }),
        response: { 200: ShopEventStatusSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => eventStatus(request.params.eventId),
  )
  // the router reads a path parameter up to maxParamLength (100 by default) and an eventId may be 128 long: longer
  // ids reach the same lookup through a wildcard, which the router does not bound (the schema does)
  app.get(
    '/events/*',
    {
      schema: {
        hide: true,
        headers: SIGNATURE_HEADERS,
        params: Type.Object({ '*': EventIdSchema }, { additionalProperties: false }),
        response: { 200: ShopEventStatusSchema, ...errorResponses(400, 401, 404, 503) },
      },
    },
    async (request) => eventStatus(request.params['*']),
  )
}
export default shopEvents
