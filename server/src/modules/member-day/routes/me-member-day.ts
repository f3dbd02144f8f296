import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberDayVisitBodySchema, MemberDayVisitSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** POST /api/me/member-day/visits — the mini-program opened: the visit counts, and the day's coupons arrive when due. */
const meMemberDay: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/member-day/visits',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member-day'],
        summary: 'Record that the member opened the mini-program (and issue the member day’s coupons when due)',
        description:
          'On a member day (the program on) the visit is counted for the day’s report and, with issueMode on-open, the member’s tier ' +
          'coupons are issued — once per member, day and template, however many calls arrive at once. `issued` lists the coupons this ' +
          'call issued (empty when they were issued before). On another day: isMemberDay false, date null. The body is {}.',
        security: [{ bearer: [] }],
        body: MemberDayVisitBodySchema,
        response: { 200: MemberDayVisitSchema, ...errorResponses(400, 401, 404, 413, 415, 503) },
      },
    },
    async (request) => app.memberDay.days.visit(request.user.sub),
  )
}
export default meMemberDay
