import { Type, type Static } from '@sinclair/typebox'
import { LIFECYCLE_STAGES, MAX_LIFECYCLE_BOUNDARY_DAYS } from '../lifecycle.js'

/**
 * Insights (issue 14), first slice: lifecycle stages. The policy (the day boundaries), the report (counts per stage
 * and the measured median gap between purchase days) and the per-store counts managers see.
 */

const closed = { additionalProperties: false } as const
const DateTime = Type.String({ format: 'date-time' })
const STORE_CODE = { pattern: '^[A-Z0-9][A-Z0-9-]{1,15}$', minLength: 2, maxLength: 16 }
const Days = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_LIFECYCLE_BOUNDARY_DAYS, description })

export const LifecycleStageSchema = Type.Union(LIFECYCLE_STAGES.map((s) => Type.Literal(s)))

/** GET/PUT /api/admin/lifecycle/policy: each boundary is the first day (since the last purchase) of its stage. */
export const LifecyclePolicySchema = Type.Object(
  {
    newCare: Days('first day of new_5_30 (default 5)'),
    newOffer: Days('first day of new_30_45 (default 30)'),
    atRisk: Days('first day of at_risk; new and repeat are younger (default 45)'),
    lapsed: Days('first day of lapsed (default 90)'),
    dormant: Days('first day of dormant (default 180)'),
  },
  closed,
)
export type LifecyclePolicy = Static<typeof LifecyclePolicySchema>

export const LifecycleStoreQuerySchema = Type.Object(
  { store: Type.Optional(Type.String({ ...STORE_CODE, description: 'a store code: only members whose home store it is' })) },
  closed,
)
export type LifecycleStoreQuery = Static<typeof LifecycleStoreQuerySchema>

export const LifecycleCountSchema = Type.Object({ stage: LifecycleStageSchema, label: Type.String(), members: Type.Integer({ minimum: 0 }) })

/** GET /api/staff/lifecycle: a store's members (home store) per stage, prospect included. */
export const LifecycleCountsSchema = Type.Object({
  store: Type.Union([Type.String(), Type.Null()]),
  members: Type.Integer({ minimum: 0 }),
  stages: Type.Array(LifecycleCountSchema),
})
export type LifecycleCounts = Static<typeof LifecycleCountsSchema>

/** GET /api/admin/lifecycle/report: the counts, and the brand's measured median days between purchase days. */
export const LifecycleReportSchema = Type.Object({
  store: Type.Union([Type.String(), Type.Null()]),
  members: Type.Integer({ minimum: 0 }),
  stages: Type.Array(LifecycleCountSchema),
  policy: LifecyclePolicySchema,
  purchaseGap: Type.Object({
    /** the median of the gaps between consecutive purchase days, null with no gap */
    medianDays: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    /** how many gaps the median is made from */
    gaps: Type.Integer({ minimum: 0 }),
    /** over how many members (two or more purchase days) */
    members: Type.Integer({ minimum: 0 }),
  }),
  at: DateTime,
})
export type LifecycleReport = Static<typeof LifecycleReportSchema>

/** The stage in the staff member glance. */
export const GlanceLifecycleSchema = Type.Union([
  Type.Object({ stage: LifecycleStageSchema, label: Type.String(), since: DateTime }),
  Type.Null(),
])
