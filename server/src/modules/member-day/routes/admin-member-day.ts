import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  MemberDayPlanListSchema,
  MemberDayPlanParamsSchema,
  MemberDayPlanSchema,
  MemberDayPlansQuerySchema,
  MemberDayReportSchema,
  MemberDaySettingsSchema,
  PutMemberDayPlanSchema,
} from '@member-center/shared'
import { ValidationFailed } from '../../../core/errors.js'
import { errorResponses } from '../../../core/responses.js'
import { dayOfMonthProblem } from '../settings.js'

/**
 * /api/admin/member-day — the operator's side: the settings (audited), each member day's plan (theme and member
 * prices, audited), and a member day's results report.
 */
const adminMemberDay: FastifyPluginAsyncTypebox = async (app) => {
  const actor = (request: { user: { sub: string; role: string } }) => ({ actor: request.user.sub, role: request.user.role })
  const tags = ['admin', 'member-day']
  const security = [{ bearer: [] }]

  app.get(
    '/member-day/settings',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'The member-day settings (defaults until set)', security, response: { 200: MemberDaySettingsSchema, ...errorResponses(401, 403, 503) } } },
    async () => app.memberDay.settings.current(),
  )

  app.put(
    '/member-day/settings',
    {
      onRequest: app.authenticateAdmin,
      // a day of the month 29–31 is refused with the reason, before the schema's bare "at most 28"
      preValidation: async (request) => {
        const problem = dayOfMonthProblem((request.body as { days?: unknown } | null)?.days)
        if (problem) throw new ValidationFailed(`body.${problem}`)
      },
      schema: {
        tags,
        summary: 'Replace the member-day settings (audited)',
        description:
          'days: one to three distinct days of the month, 1–28 — 29, 30 and 31 are refused because not every month has them. ' +
          'issueMode on-open: a member gets the tier coupons on opening the mini-program that day; job: every member gets them at 00:05. ' +
          'multiplier 1–10 on purchases paid that day (Shanghai date of paidAt), combined with the tier’s under the policy’s cap. ' +
          'tierCoupons: each tier code once (unknown or repeated: 400), up to five coupon templates each (unknown: 404). ' +
          'reminder.hour: the Shanghai hour, 9–20, on the day before.',
        security,
        body: MemberDaySettingsSchema,
        response: { 200: MemberDaySettingsSchema, ...errorResponses(400, 401, 403, 404, 413, 415, 503) },
      },
    },
    async (request) => {
      const settings = await app.memberDay.settings.replace(request.body, actor(request))
      // the reminder job moves to the new hour and days
      await app.memberDay.reminders.schedule(true)
      return settings
    },
  )

  app.get(
    '/member-day/plans',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'The plans of a month’s member days',
        description: 'Each member day of the month under the configured days, in order, with its plan (theme null and no prices when not planned).',
        security,
        querystring: MemberDayPlansQuerySchema,
        response: { 200: MemberDayPlanListSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => ({ items: await app.memberDay.plans.month(request.query.month) }),
  )

  app.put(
    '/member-day/plans/:date',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Plan a member day: its theme and member prices (audited)',
        description:
          'The date must be a calendar date (400), one of the configured member days, today or later (409 otherwise). ' +
          'Each member price must be below its price, each SKU once (400). Replaces the day’s plan.',
        security,
        params: MemberDayPlanParamsSchema,
        body: PutMemberDayPlanSchema,
        response: { 200: MemberDayPlanSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
      },
    },
    async (request) => app.memberDay.plans.put(request.params.date, request.body, actor(request)),
  )

  app.get(
    '/member-day/reports/:date',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'A member day’s results',
        description:
          'For a past member day or today’s (figures so far): members who opened the mini-program, buyers, orders and sales (paid less ' +
          'refunded) against an ordinary day (the mean over the 28 days before, member days excluded), the day’s coupons issued and used, ' +
          'and the points its multiplier granted. A date that is not a member day: 404; one still to come: 409.',
        security,
        params: MemberDayPlanParamsSchema,
        response: { 200: MemberDayReportSchema, ...errorResponses(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request) => app.memberDay.reports.report(request.params.date),
  )
}
export default adminMemberDay
