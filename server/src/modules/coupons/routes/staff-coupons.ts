import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { CouponCodeParamsSchema, CouponSchema, UseCouponInStoreSchema } from '@member-center/shared'
import { Type } from '@sinclair/typebox'
import { staffActor } from '../../../core/audit.js'
import { errorResponses } from '../../../core/responses.js'

/** /api/staff/coupons/{code} — staff check and use a member's coupon at the counter (staff, manager or admin). */
const staffCoupons: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/coupons/:code',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff', 'coupons'],
        summary: 'Verify a coupon by its code: whose it is, and whether it can be used now',
        security: [{ bearer: [] }],
        params: CouponCodeParamsSchema,
        response: {
          200: Type.Object({ coupon: CouponSchema, memberId: Type.String(), usable: Type.Boolean(), reason: Type.Union([Type.String(), Type.Null()]) }),
          ...errorResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => app.coupons.usage.byCode(request.params.code),
  )

  app.post(
    '/coupons/:code/use',
    {
      onRequest: app.authenticateStaff,
      schema: {
        tags: ['staff', 'coupons'],
        summary: "Use a member's coupon in store (once; audited)",
        description:
          'memberId must be the coupon’s owner. A coupon used, expired, withdrawn or another member’s is a 409 COUPON_NOT_USABLE. ' +
          'The store recorded is the staff member’s own (an admin, who has none, may name it in `store`).',
        security: [{ bearer: [] }],
        params: CouponCodeParamsSchema,
        body: UseCouponInStoreSchema,
        response: { 200: CouponSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 415, 503) },
      },
    },
    // staff of a store use coupons for their store, whatever the body says
    async (request) => app.coupons.usage.useInStore(request.params.code, { ...request.body, store: request.staff?.store ?? request.body.store }, staffActor(request)),
  )
}
export default staffCoupons
