import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ActivateStaffResultSchema, ActivateStaffSchema, StaffMeSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** /api/staff/activate (a member redeems an invitation) and /api/staff/me (who a staff token is). */
const staffIdentity: FastifyPluginAsyncTypebox<{ activateRateLimitPerMinute: number }> = async (app, opts) => {
  app.post(
    '/activate',
    {
      onRequest: app.authenticateMember,
      // per member, counted once the request is valid (a malformed body is a 400 that costs nothing): with 74 bits in
      // a code, guessing one at this pace takes longer than the universe has
      config: { rateLimit: { max: opts.activateRateLimitPerMinute, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (request) => `staff-activate:${request.user.sub}` } },
      schema: {
        tags: ['staff'],
        summary: 'Redeem a staff invitation with a member token: binds this WeChat user to the staff record',
        description:
          'Answers the staff token (as later logins do in `staff`). An unknown, used, replaced or expired code, or a deactivated record: ' +
          '409 INVITATION_INVALID. This WeChat user bound to another active record: 409 CONFLICT. Binding again (a new phone) replaces ' +
          'the WeChat user bound before.',
        security: [{ bearer: [] }],
        body: ActivateStaffSchema,
        response: { 200: ActivateStaffResultSchema, ...errorResponses(400, 401, 404, 409, 413, 415, 429, 503) },
      },
    },
    async (request) => ({ staff: await app.staff.records.activate(request.body.inviteCode, request.user.sub) }),
  )

  app.get(
    '/me',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: 'Who this staff token is: the record, role and store (an operator’s scripting token: id null)',
        security: [{ bearer: [] }],
        response: { 200: StaffMeSchema, ...errorResponses(401, 403, 503) },
      },
    },
    async (request) => request.staff!,
  )
}
export default staffIdentity
