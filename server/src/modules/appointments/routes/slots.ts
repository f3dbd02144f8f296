import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { SlotsQuerySchema, SlotsSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/appointments/slots — a store's slots on a date, as the member asking can book them. */
const slots: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/appointments/slots',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['appointments'],
        summary: 'A store’s slots on a date, with the places this member could book',
        description:
          'The slots within the store’s hours (Shanghai) that have not started, when the date is within the member’s horizon (today to ' +
          'today + bookingDays; 7 more days for a tier with priority appointments) — otherwise none. `left` counts the places kept for ' +
          'priority tiers only for such a member; `priority` says only those remain. Unknown store: 404; a closed one: 409 NOT_AVAILABLE.',
        security: [{ bearer: [] }],
        querystring: SlotsQuerySchema,
        response: { 200: SlotsSchema, ...errorResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request) => app.appointments.book.slots(request.user.sub, request.query.store, request.query.date),
  )
}
export default slots
