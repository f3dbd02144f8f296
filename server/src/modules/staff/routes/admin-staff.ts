import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  CreateStaffResultSchema,
  CreateStaffSchema,
  InvitationSchema,
  StaffIdParamsSchema,
  StaffListQuerySchema,
  StaffListSchema,
  StaffRecordSchema,
  UpdateStaffSchema,
} from '@member-center/shared'
import { staffActor } from '../../../core/audit.js'
import { errorResponses } from '../../../core/responses.js'

/** /api/admin/staff — admins keep the staff records and their invitations (admin; audited). */
const adminStaff: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/staff',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'staff'],
        summary: 'Create a staff record and its one-time invitation',
        description:
          'role staff or manager: store is required (a store code such as SH-01); role admin: every store, store null or absent. ' +
          'The record is invited until a WeChat user redeems the invitation (POST /api/staff/activate): valid 7 days, once. ' +
          'The code is shown only here (stored hashed); qrSvg is a QR code of it.',
        security: [{ bearer: [] }],
        body: CreateStaffSchema,
        response: { 201: CreateStaffResultSchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.staff.records.create(request.body, staffActor(request))),
  )

  app.get(
    '/staff',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'staff'],
        summary: 'List staff records by store and name (at most 1,000; filter by store and status)',
        security: [{ bearer: [] }],
        querystring: StaffListQuerySchema,
        response: { 200: StaffListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ items: await app.staff.records.list(request.query) }),
  )

  app.patch(
    '/staff/:id',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'staff'],
        summary: "Change a staff record's name, role, store or status",
        description:
          'A change of role, store or status refuses the record’s outstanding staff tokens at once (401 on their next request). ' +
          'status deactivated also withdraws an outstanding invitation; status active enables a deactivated record again ' +
          '(active if it is still bound to a WeChat user, else invited). Becoming admin clears the store.',
        security: [{ bearer: [] }],
        params: StaffIdParamsSchema,
        body: UpdateStaffSchema,
        response: { 200: StaffRecordSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.staff.records.update(request.params.id, request.body, staffActor(request)),
  )

  app.post(
    '/staff/:id/invitations',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'staff'],
        summary: 'A new invitation for a staff record (replaces any outstanding one)',
        description:
          'For a record whose invitation expired, or to bind a new phone: redeeming it binds the new WeChat user in place of the old, ' +
          'whose tokens are then refused. A deactivated record: 409 (enable it first).',
        security: [{ bearer: [] }],
        params: StaffIdParamsSchema,
        response: { 201: InvitationSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, reply) => reply.code(201).send(await app.staff.records.invite(request.params.id, staffActor(request))),
  )
}
export default adminStaff
