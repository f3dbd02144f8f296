import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errorResponses } from '../../../core/responses.js'

// closed at every depth: the policy is stored as sent, and a field nobody reads is a mistake to point out
const closed = { additionalProperties: false } as const
const ExpirySchema = Type.Union([
  Type.Object({ kind: Type.Literal('end-of-next-year') }, closed),
  Type.Object({ kind: Type.Literal('days'), days: Type.Integer({ minimum: 1, maximum: 3650 }) }, closed),
  Type.Object({ kind: Type.Literal('never') }, closed),
])
const PolicySchema = Type.Object(
  {
    pointsPerYuan: Type.Number({ minimum: 0, maximum: 100 }),
    multiplierCap: Type.Number({ minimum: 1, maximum: 10, description: 'the most the combined multiplier (tier × member day × campaign) can be' }),
    growthPerYuan: Type.Number({ minimum: 0, maximum: 100 }),
    returnWindowDays: Type.Integer({ minimum: 0, maximum: 90 }),
    maxPendingDays: Type.Integer({ minimum: 0, maximum: 180 }),
    returnWindows: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.Integer({ minimum: 0, maximum: 90 }), {
      ...closed,
      maxProperties: 20,
      description: "days of a sales channel's return window (order.paid `channel`), after delivery or else after payment; 0: final at once. Replaced as a whole.",
    }),
    growthCountsAt: Type.Union([Type.Literal('confirm'), Type.Literal('payment')]),
    activityAddsGrowth: Type.Boolean({ description: 'activity points (reviews, birthday, campaigns, goodwill) also add as much growth' }),
    refundShortfall: Type.Union([Type.Literal('debt'), Type.Literal('absorb')]),
    expiry: ExpirySchema,
    expiryReminderDays: Type.Integer({ minimum: 0, maximum: 365 }),
    tiers: Type.Union([Type.Object({ kind: Type.Literal('lifetime') }, closed), Type.Object({ kind: Type.Literal('rolling-12-months') }, closed)]),
  },
  closed,
)

/** GET/PATCH /api/admin/loyalty-policy — the program's rules (DESIGN.md §2); changes are audited. */
const loyaltyPolicy: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/loyalty-policy',
    { onRequest: app.authenticateAdmin, schema: { tags: ['admin'], summary: 'The loyalty policy', security: [{ bearer: [] }], response: { 200: PolicySchema, ...errorResponses(401, 403, 503) } } },
    async () => app.policies.current(),
  )
  app.patch(
    '/loyalty-policy',
    {
      onRequest: app.authenticateAdmin,
      schema: {
        tags: ['admin'],
        summary: 'Change the loyalty policy',
        security: [{ bearer: [] }],
        body: Type.Partial(PolicySchema, { additionalProperties: false, minProperties: 1 }),
        description:
          'Applies to changes from now on: orders already paid keep the earning rates they were paid at. ' +
          'A change of `tiers.kind` recomputes every member (a job; audited as tier-recompute) and never moves anyone ' +
          'down by itself: lifetime → rolling gives every member above the entry tier without a review date one a ' +
          'year on; rolling → lifetime upgrades those whose total reaches higher and keeps every tier for a year, ' +
          'then reviews. `returnWindows` is replaced as a whole (channel → days; 0 = final at payment). ' +
          'Unknown fields, at any depth, are refused (400 naming them).',
        response: { 200: PolicySchema, ...errorResponses(400, 401, 403, 413, 415, 503) },
      },
    },
    async (request) => app.tierRules.updatePolicy(request.body, { actor: request.user.sub, role: request.user.role }),
  )
}
export default loyaltyPolicy
