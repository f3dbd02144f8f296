import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StoreListSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/stores — the stores taking appointments (anyone, no token: the mini-program lists them before login). */
const stores: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/stores',
    {
      schema: {
        tags: ['appointments'],
        summary: 'The open stores: hours, slots, places and what each takes appointments for',
        response: { 200: StoreListSchema, ...errorResponses(503) },
      },
    },
    async () => ({ items: await app.stores.list({ openOnly: true }) }),
  )
}
export default stores
