import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ColleagueListSchema, ColleaguesQuerySchema } from '@member-center/shared'
import { Forbidden } from '../../../../core/errors.js'
import { errorResponses } from '../../../../core/responses.js'
import { actingOf, storeFor } from '../acting.js'

/** GET /api/staff/colleagues — a store's active staff: whom a manager may pick as a member's dedicated advisor. */
const counterColleagues: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/colleagues',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: "A store's active staff and managers (managers and admins): the advisors to pick from",
        description:
          'Managers: their own store (store, if given, must be theirs: 403 otherwise); admins name the store (400 without). Staff: 403. ' +
          'Active records only (invited and deactivated ones cannot advise), by name.',
        security: [{ bearer: [] }],
        querystring: ColleaguesQuerySchema,
        response: { 200: ColleagueListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const acting = actingOf(request)
      if (acting.staff.role === 'staff') throw new Forbidden('a manager or an admin picks advisors')
      const store = storeFor(acting, request.query.store, 'querystring.store')
      const records = await app.staff.records.list({ store, status: 'active' })
      return { store, items: records.map((r) => ({ id: r.id, name: r.name, role: r.role, store: r.store })) }
    },
  )
}
export default counterColleagues
