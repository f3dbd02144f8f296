import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AppointmentListSchema, AppointmentParamsSchema, AppointmentSchema, CancelMyAppointmentSchema, CreateAppointmentSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'
import { noBodyIsEmpty } from './no-body.js'

/** /api/me/appointments — the member books a visit, lists their appointments, cancels one. */
const meAppointments: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['member', 'appointments']
  const security = [{ bearer: [] }]

  app.get(
    '/appointments',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags,
        summary: 'The member’s appointments: upcoming soonest first, then the others newest first (at most 50)',
        security,
        response: { 200: AppointmentListSchema, ...errorResponses(401, 503) },
      },
    },
    async (request) => ({ items: await app.appointments.book.mine(request.user.sub) }),
  )

  app.post(
    '/appointments',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags,
        summary: 'Book a visit to a store (201; the same idempotencyKey again answers 200 with the same appointment)',
        description:
          'start must begin one of the store’s slots (its hours, every slotMinutes, Shanghai), not have started, and be within the member’s ' +
          'horizon (400 otherwise); the purpose one the store takes (400). A slot with no place left for the member’s tier: 409 SLOT_FULL. ' +
          'A member holds at most 2 upcoming appointments (409 LIMIT_REACHED) and never two at the same time (409 CONFLICT). The key with ' +
          'another store, time, purpose or note: 409 CONFLICT. Unknown store: 404; closed: 409 NOT_AVAILABLE. The member is told (message ' +
          '`appointment`); the appointment is `requested` until the store confirms it.',
        security,
        body: CreateAppointmentSchema,
        response: { 200: AppointmentSchema, 201: AppointmentSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const { created, appointment } = await app.appointments.book.book(request.user.sub, request.body)
      return reply.code(created ? 201 : 200).send(appointment)
    },
  )

  app.post(
    '/appointments/:id/cancel',
    {
      onRequest: app.authenticateMember,
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary: 'Cancel one of the member’s appointments before it starts',
        description:
          'Another member’s appointment is a 404. Already cancelled: answered as it is. Completed, missed or started: 409 CONFLICT. The place ' +
          'goes back to the slot once, however many cancellations arrive.',
        security,
        params: AppointmentParamsSchema,
        body: CancelMyAppointmentSchema,
        response: { 200: AppointmentSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.appointments.book.cancel(request.user.sub, request.params.id, request.body?.reason?.trim() || null),
  )
}
export default meAppointments
