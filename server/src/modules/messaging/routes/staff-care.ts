import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CareMessageSchema } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { staffActor } from '../../../core/audit.js'
import { errorResponses } from '../../../core/responses.js'

/** POST /api/staff/care-messages — staff send an approved care message to one member (staff, manager or admin). */
const staffCare: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/care-messages',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff', 'messages'],
        summary: 'Send a care message to one member (audited; 30 an hour per staff member; the member’s preferences apply)',
        description:
          'Only the approved kinds, with only the fields their template allows. requestId: the same requestId sends once (200 duplicate). ' +
          'A member who turned this kind off: 409 CONFLICT. Over the staff member’s hourly limit: 429 RATE_LIMITED.',
        security: [{ bearer: [] }],
        body: CareMessageSchema,
        response: {
          201: Type.Object({ status: Type.Literal('queued') }),
          200: Type.Object({ status: Type.Literal('duplicate') }),
          ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const result = await app.messaging.care.send(request.body, staffActor(request))
      return reply.code(result === 'queued' ? 201 : 200).send({ status: result })
    },
  )
}
export default staffCare
