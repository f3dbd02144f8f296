import { Type, type Static } from '@sinclair/typebox'
import { MIN_BIRTH_YEAR, MONTH_DAY_PATTERN } from '../birthday.js'
import { ObjectIdString } from './common.js'
import { CouponSchema } from './coupons.js'

/**
 * The birthday (issue 11): the member sets a date-only birthday once (staff correct it, audited); the gift an operator
 * configures per tier (coupons and/or points) is issued a few days before, once per member per year; an optional
 * points multiplier for purchases in the birthday month. Rules: shared/src/birthday.ts.
 */

const closed = { additionalProperties: false } as const
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()])

const MonthDay = Type.String({
  minLength: 5,
  maxLength: 5,
  pattern: MONTH_DAY_PATTERN,
  description: 'MM-DD, a real calendar day (02-29 allowed; 02-30 and 04-31 are refused)',
})
const BirthYear = Type.Integer({ minimum: MIN_BIRTH_YEAR, maximum: 2100, description: `the birth year, ${MIN_BIRTH_YEAR} to this year (02-29 needs a leap year)` })
const Time = Type.String({ format: 'date-time' })

/** PUT /api/me/birthday: the member sets the birthday, once. */
export const SetBirthdaySchema = Type.Object({ birthday: MonthDay, year: Type.Optional(BirthYear) }, closed)
export type SetBirthday = Static<typeof SetBirthdaySchema>

/** PUT /api/staff/members/:memberId/birthday: staff correct it, with the reason (audited). */
export const StaffSetBirthdaySchema = Type.Object(
  { birthday: MonthDay, year: Type.Optional(BirthYear), reason: Type.String({ minLength: 2, maxLength: 200, description: 'why it is corrected (audited)' }) },
  closed,
)
export type StaffSetBirthday = Static<typeof StaffSetBirthdaySchema>

export const StaffBirthdayParamsSchema = Type.Object({ memberId: ObjectIdString }, closed)

export const BIRTHDAY_GIFT_STATUSES = ['unset', 'upcoming', 'issued', 'not_eligible'] as const
export type BirthdayGiftStatusValue = (typeof BIRTHDAY_GIFT_STATUSES)[number]
export const BIRTHDAY_REASON_CODES = ['SET_TOO_LATE', 'PROGRAM_OFF', 'NO_GIFT_FOR_TIER'] as const

/** The gift as issued: its coupons as the wallet shows them now (used, expired…), the points granted. */
export const BirthdayGiftSchema = Type.Object(
  {
    coupons: Type.Array(CouponSchema),
    points: Type.Integer({ minimum: 0 }),
    issuedAt: Time,
  },
  closed,
)
export type BirthdayGift = Static<typeof BirthdayGiftSchema>

/** GET /api/me/birthday-gift: what the mini-program's birthday page (and the card's banner) shows. */
export const BirthdayGiftStatusSchema = Type.Object(
  {
    status: Type.Union(BIRTHDAY_GIFT_STATUSES.map((s) => Type.Literal(s)), {
      description: 'unset: no birthday yet; upcoming: the gift comes on issueOn; issued: see gift; not_eligible: see reason',
    }),
    birthday: Nullable(Type.String({ description: 'MM-DD' })),
    celebratedOn: Nullable(
      Type.String({ description: "this year's celebration date (02-29 on 02-28 in common years), or next year's once this year's has passed and no gift is shown" }),
    ),
    issueOn: Nullable(Type.String({ description: 'upcoming: the day the gift will be issued; issued: the day it was (Shanghai)' })),
    birthdayWeek: Type.Boolean({ description: 'today is within 3 days of the celebration date (Shanghai): the card shows its birthday banner' }),
    reason: Nullable(Type.String({ description: 'not_eligible: why, in a sentence for the member' })),
    reasonCode: Nullable(Type.Union(BIRTHDAY_REASON_CODES.map((c) => Type.Literal(c)))),
    gift: Nullable(BirthdayGiftSchema),
    multiplier: Nullable(Type.Number({ description: 'the birthday-month points multiplier, when the program has one' })),
  },
  closed,
)
export type BirthdayGiftStatus = Static<typeof BirthdayGiftStatusSchema>

/** The birthday as stored (the members module keeps it), with the gift's status: PUT /api/me/birthday and the staff route. */
export const BirthdaySchema = Type.Object(
  {
    birthday: Type.Object(
      {
        birthday: Nullable(Type.String({ description: 'MM-DD' })),
        year: Nullable(Type.Integer()),
        setAt: Nullable(Type.String({ format: 'date-time', description: 'when it was last set or corrected (null: imported before)' })),
      },
      closed,
    ),
    gift: BirthdayGiftStatusSchema,
  },
  closed,
)
export type Birthday = Static<typeof BirthdaySchema>

export const BirthdayTierGiftSchema = Type.Object(
  {
    tier: Type.String({ minLength: 1, maxLength: 16, description: 'a tier code of the program (S1 …)' }),
    couponTemplateIds: Type.Array(ObjectIdString, { maxItems: 5, description: 'coupon templates issued, one coupon each' }),
    points: Type.Integer({ minimum: 0, maximum: 100_000, description: 'activity points granted (reason birthday); 0: none' }),
  },
  closed,
)
export type BirthdayTierGift = Static<typeof BirthdayTierGiftSchema>

/** GET/PUT /api/admin/birthday-settings: the program's settings (PUT replaces them whole; audited). */
export const BirthdaySettingsSchema = Type.Object(
  {
    enabled: Type.Boolean({ description: 'the program is on (off: no gifts are issued, no birthday-month multiplier)' }),
    daysBefore: Type.Integer({ minimum: 0, maximum: 30, description: 'the gift is issued this many days before the birthday (default 3)' }),
    couponsValidThroughMonthEnd: Type.Boolean({
      description: "the gift's coupons stay valid through the end of the birthday month (default true); false: each template's own validity",
    }),
    gifts: Type.Array(BirthdayTierGiftSchema, { maxItems: 20, description: 'the gift per tier; a tier not listed gets none' }),
    monthMultiplier: Type.Number({ minimum: 1, maximum: 10, description: 'points multiplier for purchases paid in the birthday month (1: off; default 1), under the cap' }),
  },
  closed,
)
export type BirthdaySettings = Static<typeof BirthdaySettingsSchema>

/** The settings before an operator changes them: off, no gifts, 3 days before, coupons through the month's end. */
export const DEFAULT_BIRTHDAY_SETTINGS: BirthdaySettings = { enabled: false, daysBefore: 3, couponsValidThroughMonthEnd: true, gifts: [], monthMultiplier: 1 }
