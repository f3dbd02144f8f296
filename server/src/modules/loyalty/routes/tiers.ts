import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { benefitsAdded, benefitView, includesTierBelow, TierListSchema, tierPolicyFacts } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'
import { tierView } from '../tier-rules.js'

/**
 * GET /api/tiers — the tier table with each tier's benefits, and how the active policy works (public: the tiers page
 * shows it before login too, and explains the program from `rules`).
 */
const tiers: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    { schema: { tags: ['member'], summary: 'The tier table, its benefits and how growth counts', response: { 200: TierListSchema, ...errorResponses(503) } } },
    async () => {
      const [policy, table] = await Promise.all([app.policies.current(), app.tierTable.current()])
      const now = app.now()
      const rules = tierPolicyFacts(policy, table, now)
      return {
        policy: policy.tiers.kind,
        rules: { ...rules, reviews: { ...rules.reviews, holdUntil: rules.reviews.holdUntil?.toISOString() ?? null } },
        tiers: table.map((t, i) => ({
          ...tierView(t, now),
          includesBelow: includesTierBelow(table, t.level),
          adds: i === 0 ? (t.benefits ?? []).map(benefitView) : benefitsAdded(table, table[i - 1]!.level, t.level),
        })),
      }
    },
  )
}
export default tiers
