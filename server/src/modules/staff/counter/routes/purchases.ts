import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PurchaseRecordedSchema, RecordPurchaseSchema } from '@member-center/shared'
import { errorResponses } from '../../../../core/responses.js'
import { actingOf } from '../acting.js'

/** POST /api/staff/purchases — record an in-store sale for a member (audited; once per store and receipt). */
const counterPurchases: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/purchases',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff'],
        summary: "Record an in-store sale for a member: points, tier, member-day multiplier, coupons and care apply (audited)",
        description:
          'The sale goes through the shop’s event path as an order.paid of channel store (final at once), order id STORE_{store}_{receiptNo}. ' +
          'Staff and managers record for their own store (store, if given, must be theirs: 403 otherwise); admins name the store. ' +
          'paidAt: default now; not in the future, at most 30 days ago. couponCodes: the member’s usable coupons (404 unknown, ' +
          '409 COUPON_NOT_USABLE for another member’s or an unusable one). advisorId: who served the member (an active staff record; ' +
          'default the caller) — the first store sale naming an advisor makes them the member’s dedicated advisor, and the store their home store. ' +
          '201: recorded; 200 created=false: this receipt was recorded before with the same content (nothing changed); 409 CONFLICT: ' +
          'with other content. The answer waits a moment for the sale to be applied (status applied, with the points it earned).',
        security: [{ bearer: [] }],
        body: RecordPurchaseSchema,
        response: { 201: PurchaseRecordedSchema, 200: PurchaseRecordedSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    async (request, reply) => {
      const recorded = await app.staffCounter.purchases.record(request.body, actingOf(request))
      return reply.code(recorded.created ? 201 : 200).send(recorded)
    },
  )
}
export default counterPurchases
