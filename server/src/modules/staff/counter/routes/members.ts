import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  AdvisorAssignmentSchema,
  AssignAdvisorSchema,
  ClientelingSchema,
  CreateStaffNoteSchema,
  MemberGlanceSchema,
  MemberIdParamsSchema,
  MemberLookupQuerySchema,
  PhoneRevealSchema,
  RevealPhoneSchema,
  StaffNoteSchema,
  UpdateClientelingSchema,
} from '@member-center/shared'
import { ValidationFailed } from '../../../../core/errors.js'
import { errorResponses } from '../../../../core/responses.js'
import { actingOf } from '../acting.js'
import { PHONE_REVEALS_PER_HOUR } from '../phone-reveals.js'

/**
 * /api/staff/members/… — the member at a glance (by the member code, by phone, by id), the whole phone number for a
 * call, notes, clienteling and the dedicated advisor. Brand-wide: staff of any store see and note any member (a member shops anywhere); every
 * look-up and every change is audited.
 */
const counterMembers: FastifyPluginAsyncTypebox = async (app) => {
  const glanceDescription =
    'The member: tier and growth (as their card shows them), points, birthday, home store and advisor, purchases; usable coupons; ' +
    'the 10 latest orders; the 50 latest notes staff of every store wrote; ring size, anniversaries and preferences.'

  app.get(
    '/members/lookup',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: 'Look a member up by the member code on their card, or by phone (audited)',
        description:
          'Exactly one of code (scanned from the card: it rotates every minute, the previous minute’s still passes) and phone ' +
          '(11 digits, mainland). An expired or forged code: 400 MEMBER_CODE_INVALID; no member with the phone: 404. ' +
          glanceDescription +
          ' Every look-up is written to the audit log (staff.lookup, with how), including those that found no one.',
        security: [{ bearer: [] }],
        querystring: MemberLookupQuerySchema,
        response: { 200: MemberGlanceSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      const { code, phone } = request.query
      if ((code === undefined) === (phone === undefined)) throw new ValidationFailed('querystring: give either code or phone (exactly one)')
      reply.header('cache-control', 'no-store')
      const acting = actingOf(request)
      return code !== undefined ? app.staffCounter.glances.byCode(code, acting) : app.staffCounter.glances.byPhone(phone!, acting)
    },
  )

  app.get(
    '/members/:memberId',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: 'The member at a glance, by id (audited)',
        description: glanceDescription + ' Audited (staff.lookup, how: id).',
        security: [{ bearer: [] }],
        params: MemberIdParamsSchema,
        response: { 200: MemberGlanceSchema, ...errorResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return app.staffCounter.glances.byId(request.params.memberId, actingOf(request))
    },
  )

  app.post(
    '/members/:memberId/phone-reveals',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: "The member's whole phone number, to call them (audited, rate-limited per staff member)",
        description:
          'The glance and the tasks show the number masked; this answers it whole, for Taro.makePhoneCall. Staff of any store, like the ' +
          'glance. taskId: the task the call is for, kept in the audit entry (staff.phone-reveal, with who and whom). No such member: 404; ' +
          `a member who bound no phone: 409 CONFLICT; more than ${PHONE_REVEALS_PER_HOUR} numbers an hour by one staff member: 429 RATE_LIMITED.`,
        security: [{ bearer: [] }],
        params: MemberIdParamsSchema,
        body: RevealPhoneSchema,
        response: { 200: PhoneRevealSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return app.staffCounter.phones.reveal(request.params.memberId, actingOf(request), request.body)
    },
  )

  app.post(
    '/members/:memberId/notes',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: 'Write a note about a member (audited)',
        description:
          'Notes are visible to staff of every store: a member shops anywhere, so write what any colleague should know. ' +
          'The author and their store are kept with it. Audited (staff.note).',
        security: [{ bearer: [] }],
        params: MemberIdParamsSchema,
        body: CreateStaffNoteSchema,
        response: { 201: StaffNoteSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.staffCounter.notes.addNote(request.params.memberId, request.body.text, actingOf(request))),
  )

  app.put(
    '/members/:memberId/clienteling',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: "Set a member's ring size, anniversaries and preferences (audited)",
        description:
          'The fields given replace what was kept (a list replaces the list; ringSize null clears it); the others stay. At most 10 ' +
          'anniversaries (label, MM-DD) and 10 preferences, each at most 40 characters. Brand-wide, like notes. Audited (staff.clienteling).',
        security: [{ bearer: [] }],
        params: MemberIdParamsSchema,
        body: UpdateClientelingSchema,
        response: { 200: ClientelingSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => app.staffCounter.notes.updateClienteling(request.params.memberId, request.body, actingOf(request)),
  )

  app.put(
    '/members/:memberId/advisor',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: "Assign a member's dedicated advisor (managers and admins; audited)",
        description:
          'advisorId: an active staff record (404 unknown, 409 deactivated); a manager assigns advisors of their own store (403 ' +
          'otherwise). Staff: 403. The member’s home store, if none yet, becomes the advisor’s store. Audited (staff.advisor-assign).',
        security: [{ bearer: [] }],
        params: MemberIdParamsSchema,
        body: AssignAdvisorSchema,
        response: { 200: AdvisorAssignmentSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.staffCounter.advisors.assign(request.params.memberId, request.body.advisorId, actingOf(request)),
  )
}
export default counterMembers
