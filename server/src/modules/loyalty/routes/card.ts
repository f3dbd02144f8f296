import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberCardSchema } from '@member-center/shared'
import { NotFound } from '../../../core/errors.js'
import { buildCard } from '../card.js'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/me/card — the held tier, its top benefits, growth progress, points and the rotating member code. */
const card: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/card',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member'],
        summary: "The logged-in member's card",
        description:
          'The tier is the one the member holds; growth progress is measured with the growth the active policy counts ' +
          '(lifetime total or the rolling window). The member code rotates every 60 seconds; fetch the card again after `memberCode.expiresAt`.',
        security: [{ bearer: [] }],
        response: { 200: MemberCardSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request, reply) => {
      const [member, tiers, policy] = await Promise.all([app.members.repo.findById(request.user.sub), app.tierTable.current(), app.policies.current()])
      if (!member) throw new NotFound('this member no longer exists')
      reply.header('cache-control', 'no-store')
      return buildCard(member, tiers, policy, app.now(), app.members.memberCode(member._id))
    },
  )
}
export default card
