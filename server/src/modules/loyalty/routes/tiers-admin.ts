import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ReplaceTierTableSchema, TierTableUpdateSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** PUT /api/admin/tiers — the whole tier table with its benefits (admin; audited). */
const tiersAdmin: FastifyPluginAsyncTypebox = async (app) => {
  app.put(
    '/tiers',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Replace the tier table and its benefits',
        description:
          'The whole table, entry tier first (a tier\'s position is its level): 1–10 tiers, the first at growth 0, ' +
          'thresholds strictly ascending, codes and names unique (400 naming the problem). A table may drop a tier ' +
          'only if nobody holds it (409). Members the new table lets up are upgraded at once (a job, `recompute.job`); ' +
          'nobody is moved down by the edit: a raised threshold puts its tier on hold for a year — under the lifetime ' +
          'policy nobody holding it loses it before `holdUntil`, when a review moves down those whose total no longer ' +
          'reaches it; under the rolling policy each member\'s annual review decides. Audited (tier-table.replace, and ' +
          'tier-recompute when the job has run).',
        security: [{ bearer: [] }],
        body: ReplaceTierTableSchema,
        response: { 200: TierTableUpdateSchema, ...errorResponses(400, 401, 403, 409, 413, 415, 503) },
      },
    },
    async (request) => app.tierRules.replaceTable(request.body, { actor: request.user.sub, role: request.user.role }),
  )
}
export default tiersAdmin
