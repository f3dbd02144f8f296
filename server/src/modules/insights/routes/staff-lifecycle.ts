import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LifecycleCountsSchema, LifecycleStoreQuerySchema } from '@member-center/shared'
import { Forbidden } from '../../../core/errors.js'
import { errorResponses } from '../../../core/responses.js'
import { actingOf, storeFor } from '../../staff/counter/acting.js'

/** GET /api/staff/lifecycle — a store's members per lifecycle stage (managers: their store; admins: the one named). */
const staffLifecycle: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/lifecycle',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff', 'insights'],
        summary: "A store's members per lifecycle stage (managers and admins)",
        description:
          'Managers: their own store (store, if given, must be theirs: 403 otherwise); admins name the store (400 without). Staff: 403. ' +
          'Members whose home store it is; prospect = those without a purchase.',
        security: [{ bearer: [] }],
        querystring: LifecycleStoreQuerySchema,
        response: { 200: LifecycleCountsSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const acting = actingOf(request)
      if (acting.staff.role === 'staff') throw new Forbidden('a manager or an admin sees the counts per stage')
      return app.insights.lifecycle.counts(storeFor(acting, request.query.store, 'querystring.store'))
    },
  )
}
export default staffLifecycle
