import { Type, type Static } from '@sinclair/typebox'

/**
 * The KPIs the brand steers by (issue 14, DESIGN.md §2 "KPIs"): GET /api/admin/kpis?from&to&store. Every figure comes
 * with the counts it is made from; the rolling-year figures also with a month-by-month series. A rolling-year value
 * "at" a day E is over the purchase days from E − 12 months + 1 day to E (Shanghai days); each month of the series is
 * valued at its last day, the last month at `to`. Purchases exclude fully refunded, zero-value and points-mall gift
 * orders; orders paid on the same Shanghai day are one purchase day.
 */

const closed = { additionalProperties: false } as const
const DateTime = Type.String({ format: 'date-time' })
const DAY = { pattern: '^\\d{4}-\\d{2}-\\d{2}$', minLength: 10, maxLength: 10 }
const Day = Type.String({ ...DAY, description: 'YYYY-MM-DD, Shanghai' })
const Month = Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM, Shanghai' })
const STORE_CODE = { pattern: '^[A-Z0-9][A-Z0-9-]{1,15}$', minLength: 2, maxLength: 16 }
const Count = Type.Integer({ minimum: 0 })
/** a share in [0, 1]; null when its denominator is 0 (or the window has not elapsed) */
const Ratio = Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()])

export const KpiQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ ...DAY, description: 'first day of the series (default: 11 months before `to`, first of the month)' })),
    to: Type.Optional(Type.String({ ...DAY, description: 'last day (default: today, Shanghai); the headline values are the rolling year ending on it' })),
    store: Type.Optional(Type.String({ ...STORE_CODE, description: 'a store code (managers: forced to their own store)' })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')], { description: 'csv: the same figures as text/csv' })),
  },
  closed,
)
export type KpiQuery = Static<typeof KpiQuerySchema>

/** customers: distinct members with a purchase day in the rolling year (客户数量). */
export const CustomersPointSchema = Type.Object({ month: Month, at: Day, customers: Count })
/** old-customer ratio (老客户比例): of those customers, the share with two or more purchase days ever (up to `at`). */
export const OldCustomerPointSchema = Type.Object({ month: Month, at: Day, customers: Count, oldCustomers: Count, ratio: Ratio })
/** in-year repeat rate: of those customers, the share with two or more purchase days inside the window. */
export const RepeatPointSchema = Type.Object({ month: Month, at: Day, customers: Count, repeatCustomers: Count, rate: Ratio })

/** 1→2 conversion of the members whose first purchase day fell in `month`; a rate is null until its days have elapsed for the whole cohort. */
export const CohortSchema = Type.Object({
  month: Month,
  firstBuyers: Count,
  within30: Count,
  within90: Count,
  within180: Count,
  rate30: Ratio,
  rate90: Ratio,
  rate180: Ratio,
})

export const KpiReportSchema = Type.Object({
  from: Day,
  to: Day,
  store: Type.Union([Type.String(), Type.Null()]),
  customers: Type.Object({ value: Count, window: Type.Object({ from: Day, to: Day }), series: Type.Array(CustomersPointSchema) }),
  oldCustomerRatio: Type.Object({ value: Ratio, customers: Count, oldCustomers: Count, series: Type.Array(OldCustomerPointSchema) }),
  repeatRate: Type.Object({ value: Ratio, customers: Count, repeatCustomers: Count, series: Type.Array(RepeatPointSchema) }),
  cohorts: Type.Array(CohortSchema),
  members: Type.Object({
    /** members who had joined by `to` (with store: whose home store it is) */
    total: Count,
    /** opened the mini-program (logged in) in the 30 days up to `to` */
    active30: Count,
    newByMonth: Type.Array(Type.Object({ month: Month, members: Count })),
  }),
  tierMix: Type.Array(Type.Object({ level: Type.Integer({ minimum: 1 }), name: Type.String(), members: Count })),
  pointsLiability: Type.Object({
    available: Count,
    pending: Count,
    /** the configured value of one point in fen (KPI policy) */
    fenPerPoint: Type.Number({ minimum: 0 }),
    availableFen: Type.Number({ minimum: 0 }),
    pendingFen: Type.Number({ minimum: 0 }),
  }),
  /** coupons issued and used between from and to */
  coupons: Type.Object({ issued: Count, used: Count, byMonth: Type.Array(Type.Object({ month: Month, issued: Count, used: Count })) }),
  /** messages between from and to: written, pushed (sent), delivered (no failure report), read in the inbox */
  messages: Type.Object({ total: Count, sent: Count, delivered: Count, read: Count, byChannel: Type.Record(Type.String(), Count) }),
  /** each outreach that started between from and to, with its lift against the holdout */
  outreach: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      treated: Count,
      holdout: Count,
      treatedRate: Ratio,
      holdoutRate: Ratio,
      /** treatedRate − holdoutRate and its 95% interval; null without members in either group */
      lift: Type.Union([Type.Number(), Type.Null()]),
      liftLow: Type.Union([Type.Number(), Type.Null()]),
      liftHigh: Type.Union([Type.Number(), Type.Null()]),
      incrementalRevenueFen: Type.Union([Type.Number(), Type.Null()]),
    }),
  ),
  at: DateTime,
})
export type KpiReport = Static<typeof KpiReportSchema>

/** The KPI policy (GET/PUT /api/admin/kpis/policy): what one point is worth in fen when the liability is valued. */
export const KpiPolicySchema = Type.Object(
  {
    /** fen per point (default 1: 100 points = 1 yuan); up to 10,000 fen (100 yuan) a point, fractions allowed */
    fenPerPoint: Type.Number({ minimum: 0, maximum: 10_000, description: 'the value of one point in fen (default 1)' }),
  },
  closed,
)
export type KpiPolicy = Static<typeof KpiPolicySchema>
