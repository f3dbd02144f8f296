import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ConsumerStatusListSchema } from '@member-center/shared'
import { errorResponses } from '../responses.js'

/** GET /api/admin/event-consumers — each consumer's waiting and failed deliveries, with the latest errors. */
const eventConsumers: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/event-consumers',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Domain-event consumers and their unfinished deliveries',
        description: 'A delivery that failed every attempt stays `failed` with its last error until an operator looks at it.',
        security: [{ bearer: [] }],
        response: { 200: ConsumerStatusListSchema, ...errorResponses(401, 403) },
      },
    },
    async () => ({ consumers: await app.events.status() }),
  )
}
export default eventConsumers
