import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CarePreviewRequestSchema, CarePreviewSchema } from '@member-center/shared'
import { NotFound } from '../../../../core/errors.js'
import { errorResponses } from '../../../../core/responses.js'
import { actingOf } from '../acting.js'

/** POST /api/staff/care-messages/preview — exactly what a care message would say, and whether and how it would go now. */
const carePreview: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/care-messages/preview',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff', 'messages'],
        summary: 'Preview a care message: what the member will read, the channel that would carry it, or why it would not go',
        description:
          'The body of POST /api/staff/care-messages without requestId. Nothing is sent or counted. title, body and page are what the ' +
          'member’s inbox will show; channels: the push the dispatcher would use now (a subscribe message while the member has an accept ' +
          'left, else the Official Account to a follower) and the inbox; push: the template values as WeChat shows them (cut to their ' +
          'limits); blocked: why sending would be refused (the member turned these messages off, your hourly limit).',
        security: [{ bearer: [] }],
        body: CarePreviewRequestSchema,
        response: { 200: CarePreviewSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => {
      const acting = actingOf(request)
      const member = await app.members.repo.findById(request.body.memberId)
      if (!member) throw new NotFound(`member ${request.body.memberId} not found`)
      const preview = await app.staffCounter.carePreview(request.body.kind, member, request.body.fields, acting)
      return { title: preview.title, body: preview.body, page: preview.page, channels: preview.channels, blocked: preview.blocked, push: preview.push }
    },
  )
}
export default carePreview
