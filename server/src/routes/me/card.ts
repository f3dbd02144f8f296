import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberCardSchema } from '@member-center/shared'
import { NotFound } from '../../errors.js'
import { buildCard } from '../../services/card.js'
import { errorResponses } from '../responses.js'

/** GET /api/me/card — tier, growth progress, points and the rotating member code. */
const card: FastifyPluginAsyncTypebox<{ memberCodeSecret: string }> = async (app, opts) => {
  app.get(
    '/card',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member'],
        summary: "The logged-in member's card",
        description: 'The member code rotates every 60 seconds; fetch the card again after `memberCode.expiresAt`.',
        security: [{ bearer: [] }],
        response: { 200: MemberCardSchema, ...errorResponses(401, 404) },
      },
    },
    async (request, reply) => {
      const [member, tiers] = await Promise.all([app.repos.members.findById(request.user.sub), app.tierTable.current()])
      if (!member) throw new NotFound('this member no longer exists')
      reply.header('cache-control', 'no-store')
      return buildCard(member, tiers, opts.memberCodeSecret, app.now())
    },
  )
}
export default card
