import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BirthdaySchema, StaffBirthdayParamsSchema, StaffSetBirthdaySchema } from '@member-center/shared'
import { staffActor } from '../../../core/audit.js'
import { errorResponses } from '../../../core/responses.js'

/** PUT /api/staff/members/{memberId}/birthday — staff correct a member's birthday (staff, manager or admin; audited). */
const staffBirthday: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/members/:memberId/birthday',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff', 'birthday'],
        summary: "Correct (or set) a member's birthday, with the reason (audited)",
        description:
          'Replaces the birthday and year (absent: none). A change of the day counts as setting it: a birthday that then falls within 30 days ' +
          'is not rewarded that year; a gift already issued this year stays the only one.',
        security: [{ bearer: [] }],
        params: StaffBirthdayParamsSchema,
        body: StaffSetBirthdaySchema,
        response: { 200: BirthdaySchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.birthday.birthdays.correct(request.params.memberId, request.body, staffActor(request)),
  )
}
export default staffBirthday
