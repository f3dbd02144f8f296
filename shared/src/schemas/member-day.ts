import { Type, type Static } from '@sinclair/typebox'
import { MAX_FEN, ObjectIdString } from './common.js'
import { CouponSchema } from './coupons.js'

/**
 * Member day (DESIGN.md §2 "Member day", issue 11): one to three fixed days each month (Asia/Shanghai dates) with
 * tier-specific coupons, a points multiplier on purchases paid that day, a reminder the day before, a theme and
 * member prices planned month by month, and a results report after the day.
 */

const closed = { additionalProperties: false } as const
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', minLength: 10, maxLength: 10, description: 'a Shanghai calendar date YYYY-MM-DD' })
const Time = Type.String({ format: 'date-time' })
const Fen = Type.Integer({ minimum: 1, maximum: MAX_FEN })
const BannerUrl = Type.String({ minLength: 1, maxLength: 512, pattern: '^(https://|/)[^\\s]+$', description: 'an https URL (or a path on this server)' })

export const MEMBER_DAY_ISSUE_MODES = ['on-open', 'job'] as const
export type MemberDayIssueMode = (typeof MEMBER_DAY_ISSUE_MODES)[number]

export const MemberDayTierCouponsSchema = Type.Object(
  {
    tier: Type.String({ minLength: 1, maxLength: 16, description: 'a tier code of the tier table (S1, S2, …)' }),
    couponTemplateIds: Type.Array(ObjectIdString, { maxItems: 5, uniqueItems: true, description: 'the coupon templates issued to members of this tier on the day' }),
  },
  closed,
)

/** GET/PUT /api/admin/member-day/settings (admin; a change is audited). PUT replaces the whole settings. */
export const MemberDaySettingsSchema = Type.Object(
  {
    enabled: Type.Boolean({ description: 'the program is on (off: no multiplier, no coupons, no reminder; the view has next null)' }),
    days: Type.Array(
      Type.Integer({
        minimum: 1,
        maximum: 28,
        description: 'a day of the month, 1–28: 29, 30 and 31 are refused because not every month has them (February has 28 days), and a member day must come every month',
      }),
      { minItems: 1, maxItems: 3, uniqueItems: true, description: 'one to three distinct days of the month' },
    ),
    issueMode: Type.Union([Type.Literal('on-open'), Type.Literal('job')], {
      description: 'on-open: a member gets the tier coupons when opening the mini-program that day; job: every member gets them at 00:05 that day',
    }),
    multiplier: Type.Number({ minimum: 1, maximum: 10, description: 'points multiplier for purchases paid on the day (Shanghai date of paidAt), combined with the tier’s under the policy’s cap' }),
    tierCoupons: Type.Array(MemberDayTierCouponsSchema, { maxItems: 20, description: 'the coupons of each tier (a tier not listed gets none)' }),
    reminder: Type.Object(
      {
        enabled: Type.Boolean(),
        hour: Type.Integer({ minimum: 9, maximum: 20, description: 'the Shanghai hour on the day before the member day (outside the quiet hours 21:00–09:00)' }),
      },
      closed,
    ),
  },
  closed,
)
export type MemberDaySettings = Static<typeof MemberDaySettingsSchema>

/** The settings before an operator sets any. */
export const DEFAULT_MEMBER_DAY_SETTINGS: MemberDaySettings = {
  enabled: true,
  days: [18],
  issueMode: 'on-open',
  multiplier: 2,
  tierCoupons: [],
  reminder: { enabled: true, hour: 10 },
}

export const MemberDayThemeSchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 30 }),
    banner: Type.Union([BannerUrl, Type.Null()]),
    description: Type.String({ maxLength: 200 }),
  },
  closed,
)
export type MemberDayTheme = Static<typeof MemberDayThemeSchema>

export const MemberPriceSchema = Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 40 }),
    priceFen: Fen,
    memberPriceFen: Type.Integer({ minimum: 1, maximum: MAX_FEN, description: 'the member price on the day, below priceFen (the shop charges it)' }),
  },
  closed,
)
export type MemberPrice = Static<typeof MemberPriceSchema>

/** PUT /api/admin/member-day/plans/:date — the plan of one member day (the date is the path's). */
export const PutMemberDayPlanSchema = Type.Object(
  {
    theme: Type.Union([MemberDayThemeSchema, Type.Null()]),
    memberPrices: Type.Array(MemberPriceSchema, { maxItems: 50, description: 'member prices for chosen products (distinct SKUs)' }),
  },
  closed,
)
export type PutMemberDayPlan = Static<typeof PutMemberDayPlanSchema>

/** One member day's plan: its theme (title, banner, description) and member prices. A day not planned has theme null, no prices. */
export const MemberDayPlanSchema = Type.Object({
  date: DateText,
  theme: Type.Union([MemberDayThemeSchema, Type.Null()]),
  memberPrices: Type.Array(MemberPriceSchema),
})
export type MemberDayPlan = Static<typeof MemberDayPlanSchema>

export const MemberDayPlanParamsSchema = Type.Object({ date: DateText }, closed)
export const MemberDayPlansQuerySchema = Type.Object(
  { month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', minLength: 7, maxLength: 7, description: 'YYYY-MM' }) },
  closed,
)
export const MemberDayPlanListSchema = Type.Object({ items: Type.Array(MemberDayPlanSchema, { description: 'each member day of the month (configured now), in order, planned or not' }) })

const OfferCouponSchema = Type.Object({ templateId: Type.String(), name: Type.String(), rulesText: Type.String() })

export const MemberDayOfferSchema = Type.Object({
  tier: Type.String(),
  tierName: Type.String(),
  coupons: Type.Array(OfferCouponSchema),
})
export type MemberDayOffer = Static<typeof MemberDayOfferSchema>

/** GET /api/member-day — public without a token; a member token adds `mine`. */
export const MemberDayViewSchema = Type.Object({
  days: Type.Array(Type.Integer(), { description: 'the configured days of the month' }),
  today: DateText,
  isToday: Type.Boolean({ description: 'today is a member day (and the program is on)' }),
  next: Type.Union(
    [
      Type.Object({
        date: Type.String({ description: 'the next member day; today when today is one' }),
        startsAt: Time,
        endsAt: Type.String({ format: 'date-time', description: 'the next day’s 00:00 Shanghai (exclusive)' }),
        theme: Type.Union([MemberDayThemeSchema, Type.Null()]),
        memberPrices: Type.Array(MemberPriceSchema),
        multiplier: Type.Number(),
      }),
      Type.Null(),
    ],
    { description: 'null when the program is off' },
  ),
  offers: Type.Array(MemberDayOfferSchema, { description: 'the coupons of each tier on the day' }),
  mine: Type.Union(
    [
      Type.Object({
        tier: Type.String(),
        tierName: Type.String(),
        coupons: Type.Array(OfferCouponSchema, { description: 'what this member’s tier gets' }),
        issued: Type.Array(CouponSchema, { description: 'this member’s coupons of the day, once issued' }),
        reminded: Type.Boolean({ description: 'the member can get the reminder: has accepted the member_day subscribe template' }),
      }),
      Type.Null(),
    ],
    { description: 'with a member token' },
  ),
})
export type MemberDayView = Static<typeof MemberDayViewSchema>

/** POST /api/me/member-day/visits — the body is empty. */
export const MemberDayVisitBodySchema = Type.Object({}, closed)
export const MemberDayVisitSchema = Type.Object({
  isMemberDay: Type.Boolean(),
  date: Type.Union([DateText, Type.Null()], { description: 'today, when it is a member day' }),
  issued: Type.Array(CouponSchema, { description: 'the coupons this call issued (empty when they were issued before, or none are due)' }),
})
export type MemberDayVisit = Static<typeof MemberDayVisitSchema>

/** GET /api/admin/member-day/reports/:date — a past or the current member day's results. */
export const MemberDayReportSchema = Type.Object({
  date: DateText,
  opened: Type.Integer({ description: 'distinct members who opened the mini-program that day' }),
  buyers: Type.Integer({ description: 'distinct members with an order paid that Shanghai day (not fully refunded, not zero)' }),
  orders: Type.Integer({ description: 'those orders' }),
  salesFen: Type.Integer({ description: 'what those orders paid, less refunds' }),
  ordinaryDay: Type.Object(
    {
      salesFen: Type.Integer({ description: 'mean sales per day over the 28 days before, member days excluded (rounded)' }),
      buyers: Type.Number({ description: 'mean distinct buyers per such day (two decimals)' }),
    },
    { description: 'an ordinary day, for comparison' },
  ),
  salesRatio: Type.Union([Type.Number(), Type.Null()], { description: 'salesFen ÷ ordinaryDay.salesFen (two decimals); null when ordinary days sold nothing' }),
  coupons: Type.Object({
    issued: Type.Integer({ description: 'member-day coupons issued for the day' }),
    used: Type.Integer({ description: 'those used so far' }),
  }),
  multiplierPoints: Type.Integer({
    description: 'points the member-day multiplier granted: the day’s orders’ points less what they would have earned without the member-day boost (a refund takes its share back)',
  }),
})
export type MemberDayReport = Static<typeof MemberDayReportSchema>
