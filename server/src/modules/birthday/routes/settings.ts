import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BirthdaySettingsSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** GET/PUT /api/admin/birthday-settings — the birthday program's settings (audited). */
const birthdaySettings: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/birthday-settings',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'birthday'],
        summary: 'The birthday program: on/off, days before, the gift per tier, coupon validity, the birthday-month multiplier',
        security: [{ bearer: [] }],
        response: { 200: BirthdaySettingsSchema, ...errorResponses(401, 403, 503) },
      },
    },
    async () => app.birthday.settings.current(),
  )

  app.put(
    '/birthday-settings',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin', 'birthday'],
        summary: 'Replace the birthday program settings (audited)',
        description:
          'The whole settings. gifts: one per tier code of the program (an unknown or repeated tier is a 400), each with up to 5 coupon ' +
          'templates (an unknown one is a 404) and points. Gifts already decided keep what they were decided with.',
        security: [{ bearer: [] }],
        body: BirthdaySettingsSchema,
        response: { 200: BirthdaySettingsSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => app.birthday.settings.replace(request.body, { actor: request.user.sub, role: request.user.role }),
  )
}
export default birthdaySettings
