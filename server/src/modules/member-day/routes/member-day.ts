import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberDayViewSchema } from '@member-center/shared'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/member-day — the member day as the mini-program shows it: public without a token, with `mine` for a member. */
const memberDay: FastifyPluginAsyncTypebox = async (app) => {
  // the token is optional; one that is sent must be a valid member token (401 otherwise)
  const optionalMember = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.headers.authorization !== undefined) await app.authenticateMember(request, reply)
  }

  app.get(
    '/member-day',
    {
      onRequest: optionalMember,
      schema: {
        tags: ['member-day'],
        summary: 'The member day: configured days, the next one (theme, member prices, multiplier), each tier’s coupons, and mine',
        description:
          'Without a token: the public part, `mine` null. With a member token: `mine` — the member’s tier and its coupons, the coupons ' +
          'issued to the member today (a member day), and `reminded` (the member accepted the member_day subscribe template). ' +
          'An invalid or non-member token is a 401. `next` is null when the program is off; it is today when today is a member day. ' +
          '`endsAt` is the next day’s 00:00 Shanghai (exclusive).',
        security: [{}, { bearer: [] }],
        response: { 200: MemberDayViewSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => app.memberDay.views.view(request.headers.authorization !== undefined ? request.user.sub : null),
  )
}
export default memberDay
