import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { TierListSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'

/** GET /api/tiers — the tier table and how growth counts (public: the benefits page shows it before login too). */
const tiers: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/',
    { schema: { tags: ['member'], summary: 'The tier table', response: { 200: TierListSchema, ...errorResponses(503) } } },
    async () => ({ policy: (await app.policies.current()).tiers.kind, tiers: await app.tierTable.current() }),
  )
}
export default tiers
