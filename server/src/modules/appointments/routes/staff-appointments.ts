import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AppointmentParamsSchema,
  AppointmentSchema,
  RescheduleAppointmentSchema,
  StaffAppointmentActionSchema,
  StaffAppointmentListSchema,
  StaffAppointmentsQuerySchema,
  StaffCancelAppointmentSchema,
} from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'
import { staffActorOf } from '../staff-actor.js'
import { noBodyIsEmpty } from './no-body.js'

/**
 * /api/staff/appointments — staff (staff, manager: their own store; admin: every store) see a store's appointments
 * on a day and confirm, move, cancel, complete them or mark them missed. Another store's appointment is a 404.
 * Every change is audited; the member is told of a confirmation, a new time and a cancellation.
 */
const staffAppointments: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['staff', 'appointments']
  const security = [{ bearer: [] }]
  const action = (summary: string, description: string) => ({
    onRequest: app.authenticateStaff,
    preValidation: noBodyIsEmpty,
    schema: {
      tags,
      summary,
      description,
      security,
      params: AppointmentParamsSchema,
      body: StaffAppointmentActionSchema,
      response: { 200: AppointmentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
    },
  })

  app.get(
    '/appointments',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'A store’s appointments on a day (default today, Shanghai), in order, with who is coming',
        description:
          'Staff and managers: their own store (`store` may be left out; another store: 403). Admins: `store` is required (400; unknown: 404). ' +
          '`status` filters. The member’s phone is masked.',
        security,
        querystring: StaffAppointmentsQuerySchema,
        response: { 200: StaffAppointmentListSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => ({ items: await app.appointments.desk.list(staffActorOf(request), request.query) }),
  )

  app.post(
    '/appointments/:id/confirm',
    action('Confirm a requested appointment (audited; the member is told)', 'Already confirmed: answered as it is. Cancelled, completed or missed: 409 CONFLICT.'),
    async (request) => app.appointments.desk.confirm(staffActorOf(request), request.params.id),
  )

  app.post(
    '/appointments/:id/reschedule',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'Move an appointment to another slot of its store (audited; the member is told)',
        description:
          'start: a slot of the store, not started, within bookingDays + 7 days (400). The new slot must have a place for the member’s tier ' +
          '(409 SLOT_FULL — the appointment stays where it was) and no other appointment of the member at that time (409 CONFLICT). The ' +
          'appointment is confirmed at its new time. Only a requested or confirmed one moves (409 CONFLICT).',
        security,
        params: AppointmentParamsSchema,
        body: RescheduleAppointmentSchema,
        response: { 200: AppointmentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.appointments.desk.reschedule(staffActorOf(request), request.params.id, request.body.start),
  )

  app.post(
    '/appointments/:id/cancel',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags,
        summary: 'Cancel an appointment for the store (audited; the member is told the reason)',
        description: 'Already cancelled: answered as it is (the place went back once). Completed or missed: 409 CONFLICT.',
        security,
        params: AppointmentParamsSchema,
        body: StaffCancelAppointmentSchema,
        response: { 200: AppointmentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.appointments.desk.cancel(staffActorOf(request), request.params.id, request.body.reason),
  )

  app.post(
    '/appointments/:id/complete',
    action('Mark the visit done (audited)', 'From the appointment’s day on (409 before). Already completed: answered as it is. Cancelled or missed: 409 CONFLICT.'),
    async (request) => app.appointments.desk.complete(staffActorOf(request), request.params.id),
  )

  app.post(
    '/appointments/:id/no-show',
    action('Mark that the member did not come (audited)', 'Once the slot has started (409 before). Already marked: answered as it is. Cancelled or completed: 409 CONFLICT.'),
    async (request) => app.appointments.desk.noShow(staffActorOf(request), request.params.id),
  )
}
export default staffAppointments
