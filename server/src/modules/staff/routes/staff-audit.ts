import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { StaffAuditPageSchema, StaffAuditQuerySchema } from '@member-center/shared'
import { Forbidden } from '../../../core/errors.js'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/staff/audit — the audit log: a manager's store's entries, or (admin) every store's. */
const staffAudit: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: 'The audit log, newest first: who did what to whom and when',
        description:
          'A manager reads the entries of their store (store, when given, must be theirs); an admin reads every entry, or one ' +
          'store’s with store. actor: one actor’s entries. Staff: 403.',
        security: [{ bearer: [] }],
        querystring: StaffAuditQuerySchema,
        response: { 200: StaffAuditPageSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const staff = request.staff!
      const { limit = 50, cursor, actor, store } = request.query
      if (staff.role === 'staff') throw new Forbidden('the audit log is for managers and admins')
      let scope: string | undefined = store
      if (staff.role === 'manager') {
        if (!staff.store) throw new Forbidden('this manager token names no store')
        if (store !== undefined && store !== staff.store) throw new Forbidden('a manager reads their own store’s log only')
        scope = staff.store
      }
      const page = await app.audit.page({ store: scope, actor }, limit, cursor)
      return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor }
    },
  )
}
export default staffAudit
