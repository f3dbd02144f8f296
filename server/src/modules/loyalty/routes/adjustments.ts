import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AdjustmentResultSchema, CreateAdjustmentSchema, ObjectIdString } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../core/responses.js'

/** POST /api/admin/members/:memberId/adjustments — an operator grants or deducts points or growth, with a reason. */
const adjustments: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/members/:memberId/adjustments',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Adjust a member\'s points or growth (audited)',
        description:
          'Deductions take the soonest-expiring points first and never go below zero (409 INSUFFICIENT_POINTS). `requestId` is an ' +
          'idempotency key per member: a retry with the same body answers `duplicate`, the same requestId with another body is a 409 ' +
          'CONFLICT. |delta| is at most 100,000,000; a change that would take a balance past 9,007,199,254,740,991 is a 409 CONFLICT.',
        security: [{ bearer: [] }],
        params: Type.Object({ memberId: ObjectIdString }, { additionalProperties: false }),
        body: CreateAdjustmentSchema,
        response: { 200: AdjustmentResultSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.adjustments.adjust(request.params.memberId, request.body, { actor: request.user.sub, role: request.user.role }),
  )
}
export default adjustments
