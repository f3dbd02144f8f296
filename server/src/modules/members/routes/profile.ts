import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberProfileSchema } from '@member-center/shared'
import { NotFound } from '../../../core/errors.js'
import { toProfile } from '../profile.js'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/me — the logged-in member's profile. */
const profile: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['member'],
        summary: "The logged-in member's profile",
        security: [{ bearer: [] }],
        response: { 200: MemberProfileSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => {
      const member = await app.members.repo.findById(request.user.sub)
      if (!member) throw new NotFound('this member no longer exists')
      return toProfile(member)
    },
  )
}
export default profile
