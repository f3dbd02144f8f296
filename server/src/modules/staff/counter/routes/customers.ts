import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MyCustomersSchema } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../../core/responses.js'
import { actingOf } from '../acting.js'

/** GET /api/staff/customers — "my customers": the members whose dedicated advisor is the caller. */
const counterCustomers: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: 'My customers: the members whose dedicated advisor I am',
        description: 'The latest buyers first, at most 500. A member becomes yours with the first store sale you serve them in, or when a manager assigns you.',
        security: [{ bearer: [] }],
        querystring: Type.Object({}, { additionalProperties: false }),
        response: { 200: MyCustomersSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => app.staffCounter.advisors.customersOf(actingOf(request).actor),
  )
}
export default counterCustomers
