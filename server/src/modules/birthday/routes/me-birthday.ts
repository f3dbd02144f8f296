import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BirthdayGiftStatusSchema, BirthdaySchema, SetBirthdaySchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** /api/me/birthday, /api/me/birthday-gift — the member sets the birthday once; the birthday page's status. */
const meBirthday: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/birthday',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['birthday'],
        summary: "Set the member's birthday (once)",
        description:
          'A date-only MM-DD (a real calendar day; 02-29 allowed) and an optional year (1900 to this year; 02-29 needs a leap year). ' +
          'Set once: a different birthday later is a 409 BIRTHDAY_ALREADY_SET (store staff correct it); the same birthday again answers as the first time. ' +
          'A birthday that falls within 30 days of being set is not rewarded that year (the gift status says so).',
        security: [{ bearer: [] }],
        body: SetBirthdaySchema,
        response: { 200: BirthdaySchema, ...errorResponses(400, 401, 404, 409, 413, 415, 503) },
      },
    },
    async (request) => app.birthday.birthdays.set(request.user.sub, request.body),
  )

  app.get(
    '/birthday-gift',
    {
      onRequest: app.authenticateMember,
      schema: {
        tags: ['birthday'],
        summary: "The member's birthday gift: unset, upcoming (with its date), issued (with the gift) or not eligible (with the reason)",
        description:
          'A gift due now (from its issue day through the birthday) that the daily job has not issued yet is issued by this call. ' +
          'birthdayWeek: today is within 3 days of the celebration date (Shanghai), when the card shows its birthday banner.',
        security: [{ bearer: [] }],
        response: { 200: BirthdayGiftStatusSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => app.birthday.gifts.status(request.user.sub),
  )
}
export default meBirthday
