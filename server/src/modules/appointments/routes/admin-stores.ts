import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PutStoreSchema, StoreListSchema, StoreParamsSchema, StoreSchema } from '@member-center/shared'
import { errorResponses } from '../../../core/responses.js'
import { staffActorOf } from '../staff-actor.js'

/** /api/admin/stores — operators keep the brand's stores (create or replace, audited) and list them all. */
const adminStores: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['admin', 'appointments']
  const security = [{ bearer: [] }]

  app.get(
    '/stores',
    { onRequest: app.authenticateAdmin, schema: { tags, summary: 'Every store, open or closed', security, response: { 200: StoreListSchema, ...errorResponses(401, 403, 503) } } },
    async () => ({ items: await app.stores.list() }),
  )

  app.put(
    '/stores/:code',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags,
        summary: 'Create or replace a store (audited)',
        description:
          'The whole store; `code` in the body may be left out (the path’s) or must equal it. hours.close must be after hours.open with room ' +
          'for at least one slot; priorityCapacity at most capacity (400 otherwise). Booked appointments stay as they are when the hours, ' +
          'slots or places change; a closed store takes no new appointments.',
        security,
        params: StoreParamsSchema,
        body: PutStoreSchema,
        response: { 200: StoreSchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => app.stores.put(request.params.code, request.body, staffActorOf(request)),
  )
}
export default adminStores
