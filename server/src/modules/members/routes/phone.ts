import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { MemberProfileSchema } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../core/responses.js'

/** POST /api/me/phone — bind the phone number behind a getPhoneNumber button's code. */
const phone: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/phone',
    {
      onRequest: app.authenticateMember,
      // per member, not per address (members behind one address do not share it), and counted once the request is
      // valid: it guards WeChat's phone-number API, paid per success — a malformed body is a 400 that costs nothing
      config: { rateLimit: { max: 10, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (request) => `member:${request.user.sub}` } },
      schema: {
        tags: ['member'],
        summary: 'Bind a phone number (optional)',
        description: 'Shop events that named this member by phone before are applied afterwards.',
        security: [{ bearer: [] }],
        body: Type.Object({ code: Type.String({ minLength: 1, maxLength: 256, description: 'from the getPhoneNumber button' }) }, { additionalProperties: false }),
        response: { 200: MemberProfileSchema, ...errorResponses(400, 401, 409, 413, 415, 429, 503) },
      },
    },
    async (request) => app.members.phone.bind(request.user.sub, request.body.code),
  )
}
export default phone
