import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { LifecyclePolicySchema, LifecycleReportSchema, LifecycleStoreQuerySchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'
import { LIFECYCLE_DAILY_JOB } from '../stages.js'

/** /api/admin/lifecycle — the stage boundaries (audited) and the report: counts per stage and the median purchase gap. */
const adminLifecycle: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin', 'insights']
  const security = [{ bearer: [] }]

  app.get(
    '/lifecycle/policy',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'The lifecycle stage boundaries (defaults until set)', security, response: { 200: LifecyclePolicySchema, ...errorResponses(401, 403, 503) } } },
    async () => app.insights.lifecycle.policy(),
  )

  app.put(
    '/lifecycle/policy',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Replace the lifecycle stage boundaries (audited)',
        description:
          'Days since the last purchase day (Shanghai calendar days); each boundary is the first day of its stage and they must increase ' +
          '(newCare < newOffer < atRisk < lapsed < dormant; 400 otherwise). Members are re-staged at once by the daily job, run now.',
        security,
        body: LifecyclePolicySchema,
        response: { 200: LifecyclePolicySchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => {
      const policy = await app.insights.lifecycle.setPolicy(request.body, { actor: request.user.sub, role: request.user.role })
      // every stored stage is due now: the daily job runs at once (and goes back to 00:15 after)
      await app.jobs.schedule(LIFECYCLE_DAILY_JOB, LIFECYCLE_DAILY_JOB, {}, app.now(), { move: true, maxAttempts: 1_000 })
      return policy
    },
  )

  app.get(
    '/lifecycle/report',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Members per lifecycle stage and the measured median days between purchases',
        description:
          'store: only members whose home store it is (without: every member). prospect = members without a purchase. ' +
          'purchaseGap: the median of the gaps between consecutive purchase days of members with two or more, with how many gaps and members it is made from.',
        security,
        querystring: LifecycleStoreQuerySchema,
        response: { 200: LifecycleReportSchema, ...errorResponses(400, 401, 403, 503) },
      },
    },
    async (request) => app.insights.lifecycle.report(request.query.store ?? null),
  )
}
export default adminLifecycle
