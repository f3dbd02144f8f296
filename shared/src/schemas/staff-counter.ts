import { Type, type Static } from '@sinclair/typebox'
import { MONTH_DAY_PATTERN } from '../birthday.js'
import { MAX_FEN, ObjectIdString } from './common.js'
import { CareMessageSchema } from './messaging.js'
import { CouponSchema } from './coupons.js'
import { GlanceLifecycleSchema } from './insights.js'

/**
 * The staff counter (issue 12): look a member up, see them at a glance, keep clienteling notes, record an in-store
 * purchase, preview a care message, and work through today's tasks for the store.
 */

const DateTime = Type.String({ format: 'date-time' })
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()])
const MonthDay = Type.String({ pattern: MONTH_DAY_PATTERN, minLength: 5, maxLength: 5, description: 'MM-DD' })
/** YYYY-MM-DD (a Shanghai calendar date; the server checks it is a real one) */
const DateOnly = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', minLength: 10, maxLength: 10, description: 'YYYY-MM-DD (Asia/Shanghai)' })
/** A store's code, as the staff module spells them (schemas/staff.ts): SH-01 */
const STORE_CODE = { pattern: '^[A-Z0-9][A-Z0-9-]{1,15}$', minLength: 2, maxLength: 16 }
/** A staff record's id (the staff module's) */
const STAFF_REF = { pattern: '^[0-9a-f]{24}$', minLength: 24, maxLength: 24 }
/** Short free text (clienteling): no newlines, bounded */
const Short = Type.String({ minLength: 1, maxLength: 40, pattern: '^(?=.*\\S)[^\\u0000-\\u001F\\u007F]+$' })

export const MemberIdParamsSchema = Type.Object({ memberId: ObjectIdString }, { additionalProperties: false })

// ---- the member at a glance ---------------------------------------------------------------------------------------

export const StaffNoteSchema = Type.Object({
  id: Type.String(),
  text: Type.String({ minLength: 1, maxLength: 500 }),
  /** who wrote it: the staff record (null for an operator token without one) and the name shown */
  author: Type.Object({ id: Nullable(Type.String()), name: Type.String() }),
  /** the store the author was acting for (null: an operator, every store) */
  store: Nullable(Type.String()),
  at: DateTime,
})
export type StaffNote = Static<typeof StaffNoteSchema>

export const CreateStaffNoteSchema = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 500, description: 'what staff want colleagues to know (visible to staff of every store)' }) },
  { additionalProperties: false },
)
export type CreateStaffNote = Static<typeof CreateStaffNoteSchema>

export const AnniversarySchema = Type.Object(
  { label: Short, date: MonthDay },
  { additionalProperties: false, description: 'a date the member celebrates (wedding, engagement…): a label and MM-DD' },
)
export type Anniversary = Static<typeof AnniversarySchema>

/** What a jewelry counter keeps about a member: ring size, anniversaries, preferences (structured, not free notes). */
export const ClientelingSchema = Type.Object({
  ringSize: Nullable(Type.String()),
  anniversaries: Type.Array(Type.Object({ label: Type.String(), date: Type.String() })),
  preferences: Type.Array(Type.String()),
})
export type Clienteling = Static<typeof ClientelingSchema>

export const UpdateClientelingSchema = Type.Object(
  {
    ringSize: Type.Optional(Type.Union([Short, Type.Null()], { description: 'e.g. 12 (HK) or 52 (EU); null clears it' })),
    anniversaries: Type.Optional(Type.Array(AnniversarySchema, { maxItems: 10, description: 'replaces the list' })),
    preferences: Type.Optional(Type.Array(Short, { maxItems: 10, description: 'replaces the list, e.g. 18K 玫瑰金, 简约款' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateClienteling = Static<typeof UpdateClientelingSchema>

export const AdvisorSchema = Type.Object({
  /** the staff record's id (null: an advisor named only by a shop's sale, or by an operator token) */
  id: Nullable(Type.String()),
  name: Type.String(),
})
export type Advisor = Static<typeof AdvisorSchema>

export const GlanceOrderSchema = Type.Object({
  orderId: Type.String(),
  paidAt: DateTime,
  /** what the order's lines paid */
  paidFen: Type.Integer({ minimum: 0 }),
  /** paid less refunded (0 once cancelled) */
  netFen: Type.Integer({ minimum: 0 }),
  channel: Nullable(Type.String()),
  store: Nullable(Type.String()),
  /** the first 20 lines */
  lines: Type.Array(Type.Object({ name: Type.String(), paidFen: Type.Integer({ minimum: 0 }) })),
})
export type GlanceOrder = Static<typeof GlanceOrderSchema>

export const MemberGlanceSchema = Type.Object({
  member: Type.Object({
    id: ObjectIdString,
    nickname: Type.String(),
    /** masked: 138****8000 */
    phone: Nullable(Type.String()),
    tier: Type.Object({ code: Type.String(), name: Type.String(), level: Type.Integer({ minimum: 1 }) }),
    /** the growth the policy counts for tiers (as the member's card shows it) */
    growth: Type.Integer({ minimum: 0 }),
    points: Type.Object({ available: Type.Integer(), pending: Type.Integer() }),
    birthday: Nullable(Type.String({ description: 'MM-DD' })),
    homeStore: Nullable(Type.String()),
    advisor: Type.Union([AdvisorSchema, Type.Null()]),
    joinedAt: DateTime,
    purchases: Type.Object({
      days: Type.Integer({ minimum: 0 }),
      totalPaidFen: Type.Integer({ minimum: 0 }),
      lastAt: Nullable(DateTime),
    }),
  }),
  /** the member's usable coupons, soonest to expire first */
  coupons: Type.Array(CouponSchema),
  /** at most 10, newest first */
  recentOrders: Type.Array(GlanceOrderSchema, { maxItems: 10 }),
  /** at most 50, newest first, from staff of every store */
  notes: Type.Array(StaffNoteSchema, { maxItems: 50 }),
  clienteling: ClientelingSchema,
  /** the member's lifecycle stage and since when (null: no purchase yet — a prospect) */
  lifecycle: GlanceLifecycleSchema,
})
export type MemberGlance = Static<typeof MemberGlanceSchema>

export const MemberLookupQuerySchema = Type.Object(
  {
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "the rotating member code scanned from the member's card" })),
    phone: Type.Optional(Type.String({ pattern: '^1\\d{10}$', minLength: 11, maxLength: 11, description: 'an 11-digit mainland mobile number' })),
  },
  { additionalProperties: false },
)
export type MemberLookupQuery = Static<typeof MemberLookupQuerySchema>

// ---- advisors ------------------------------------------------------------------------------------------------------

export const AssignAdvisorSchema = Type.Object(
  { advisorId: Type.String({ ...STAFF_REF, description: "the advisor's staff record id (an active staff member; a manager's own store)" }) },
  { additionalProperties: false },
)
export type AssignAdvisor = Static<typeof AssignAdvisorSchema>

export const AdvisorAssignmentSchema = Type.Object({ advisor: AdvisorSchema, homeStore: Nullable(Type.String()) })
export type AdvisorAssignment = Static<typeof AdvisorAssignmentSchema>

export const MyCustomersSchema = Type.Object({
  items: Type.Array(
    Type.Object({
      memberId: ObjectIdString,
      nickname: Type.String(),
      tier: Type.Object({ code: Type.String(), name: Type.String() }),
      lastPurchaseAt: Nullable(DateTime),
      birthday: Nullable(Type.String({ description: 'MM-DD' })),
    }),
  ),
})
export type MyCustomers = Static<typeof MyCustomersSchema>

// ---- in-store purchases --------------------------------------------------------------------------------------------

export const RECEIPT_NO_PATTERN = '^[A-Za-z0-9-]{1,32}$'

export const RecordPurchaseSchema = Type.Object(
  {
    memberId: ObjectIdString,
    receiptNo: Type.String({ pattern: RECEIPT_NO_PATTERN, maxLength: 32, description: "the store's receipt number: the same receipt in the same store is recorded once" }),
    paidAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'default now; not in the future, not older than 30 days' })),
    lines: Type.Array(
      Type.Object(
        {
          sku: Type.String({ minLength: 1, maxLength: 64 }),
          name: Type.String({ minLength: 1, maxLength: 100 }),
          quantity: Type.Integer({ minimum: 1, maximum: 99 }),
          paidFen: Type.Integer({ minimum: 0, maximum: MAX_FEN, description: 'what the line paid, in fen' }),
          category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50 },
    ),
    couponCodes: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z0-9 -]{1,32}$', maxLength: 32 }), { maxItems: 5, description: "the member's coupons used on the sale (checked before the sale is recorded)" }),
    ),
    advisorId: Type.Optional(Type.String({ ...STAFF_REF, description: 'the advisor who served the member, a staff record id (default: the staff member recording it)' })),
    store: Type.Optional(Type.String({ ...STORE_CODE, description: 'the store of the sale: required for admins; staff and managers may only name their own' })),
  },
  { additionalProperties: false },
)
export type RecordPurchase = Static<typeof RecordPurchaseSchema>

export const PurchaseRecordedSchema = Type.Object({
  /** STORE_{store}_{receiptNo} */
  orderId: Type.String(),
  eventId: Type.String(),
  status: Type.Union([Type.Literal('applied'), Type.Literal('queued'), Type.Literal('parked')], {
    description: 'applied: points and tier are up to date; queued: accepted and applied within moments',
  }),
  /** the points this sale earned: available at once in a store (its return window is 0), else pending */
  points: Type.Object({ pending: Type.Integer({ minimum: 0 }), available: Type.Integer({ minimum: 0 }) }),
  /** false: this receipt was recorded before with the same content, and nothing changed */
  created: Type.Boolean(),
})
export type PurchaseRecorded = Static<typeof PurchaseRecordedSchema>

// ---- care message preview ------------------------------------------------------------------------------------------

/** POST /api/staff/care-messages's body without its requestId. */
export const CarePreviewRequestSchema = Type.Object(
  { memberId: CareMessageSchema.properties.memberId, kind: CareMessageSchema.properties.kind, fields: CareMessageSchema.properties.fields },
  { additionalProperties: false },
)
export type CarePreviewRequest = Static<typeof CarePreviewRequestSchema>

export const CarePreviewSchema = Type.Object({
  /** what the member's inbox shows */
  title: Type.String(),
  body: Type.String(),
  /** the mini-program page the message opens */
  page: Type.String(),
  /** what would carry it now: the push channel the dispatcher would pick (subscribe, official_account), then inbox */
  channels: Type.Array(Type.Union([Type.Literal('subscribe'), Type.Literal('official_account'), Type.Literal('inbox')])),
  /** why it would not be sent at all (the member turned the kind off, the hourly limit…), or null */
  blocked: Nullable(Type.String()),
  /** the push as WeChat would show it: the template's values, fitted to their types (20 characters for a thing…) */
  push: Type.Union([
    Type.Object({ channel: Type.String(), templateId: Type.String(), data: Type.Record(Type.String(), Type.Object({ value: Type.String() })) }),
    Type.Null(),
  ]),
})
export type CarePreview = Static<typeof CarePreviewSchema>

// ---- today's tasks -------------------------------------------------------------------------------------------------

export const STAFF_TASK_KINDS = ['appointment', 'birthday', 'logistics_exception', 'at_risk'] as const
export type StaffTaskKind = (typeof STAFF_TASK_KINDS)[number]
export const STAFF_TASK_ACTIONS = ['call', 'care', 'note'] as const
export type StaffTaskAction = (typeof STAFF_TASK_ACTIONS)[number]

/** {kind}:{YYYY-MM-DD}:{ref} — the date is the fact's (the appointment's, the birthday's, the exception's, the last purchase's) */
export const STAFF_TASK_ID_PATTERN = `^(${STAFF_TASK_KINDS.join('|')}):\\d{4}-\\d{2}-\\d{2}:[A-Za-z0-9_.~-]{1,64}$`

export const StaffTaskSchema = Type.Object({
  id: Type.String(),
  kind: Type.Union(STAFF_TASK_KINDS.map((k) => Type.Literal(k))),
  memberId: Type.String(),
  memberName: Type.String(),
  /** masked */
  phone: Nullable(Type.String()),
  title: Type.String(),
  detail: Type.String(),
  due: Nullable(DateTime),
  done: Type.Boolean(),
  actions: Type.Array(Type.Union(STAFF_TASK_ACTIONS.map((a) => Type.Literal(a)))),
})
export type StaffTask = Static<typeof StaffTaskSchema>

export const StaffTaskListSchema = Type.Object({ date: Type.String(), store: Type.String(), items: Type.Array(StaffTaskSchema) })
export type StaffTaskList = Static<typeof StaffTaskListSchema>

export const StaffTasksQuerySchema = Type.Object(
  {
    date: Type.Optional(DateOnly),
    store: Type.Optional(Type.String({ ...STORE_CODE, description: 'required for admins; staff and managers may only name their own store' })),
  },
  { additionalProperties: false },
)
export type StaffTasksQuery = Static<typeof StaffTasksQuerySchema>

export const StaffTaskParamsSchema = Type.Object({ id: Type.String({ pattern: STAFF_TASK_ID_PATTERN, maxLength: 96 }) }, { additionalProperties: false })
export const StaffTaskStoreQuerySchema = Type.Object(
  { store: Type.Optional(Type.String({ ...STORE_CODE, description: 'required for admins; staff and managers may only name their own store' })) },
  { additionalProperties: false },
)
export const StaffTaskDoneSchema = Type.Object({ id: Type.String(), done: Type.Boolean() })
export type StaffTaskDone = Static<typeof StaffTaskDoneSchema>

// ---- calling a member ----------------------------------------------------------------------------------------------

/** POST /api/staff/members/{memberId}/phone-reveals: what the number is wanted for (kept in the audit entry). */
export const RevealPhoneSchema = Type.Object(
  {
    taskId: Type.Optional(
      Type.String({ pattern: STAFF_TASK_ID_PATTERN, maxLength: 96, description: "the task the call is for (today's tasks), if any" }),
    ),
  },
  { additionalProperties: false },
)
export type RevealPhone = Static<typeof RevealPhoneSchema>

export const PhoneRevealSchema = Type.Object({
  /** the member's whole number, as bound: 11 digits in the mainland, +E.164 elsewhere */
  phoneNumber: Type.String({ pattern: '^\\+?\\d{6,15}$' }),
})
export type PhoneReveal = Static<typeof PhoneRevealSchema>

// ---- colleagues (the advisor picker) ---------------------------------------------------------------------------------

export const ColleaguesQuerySchema = Type.Object(
  { store: Type.Optional(Type.String({ ...STORE_CODE, description: 'required for admins; managers may only name their own store' })) },
  { additionalProperties: false },
)
export type ColleaguesQuery = Static<typeof ColleaguesQuerySchema>

export const ColleagueSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('staff'), Type.Literal('manager'), Type.Literal('admin')]),
  store: Nullable(Type.String()),
})
export type Colleague = Static<typeof ColleagueSchema>

export const ColleagueListSchema = Type.Object({ store: Type.String(), items: Type.Array(ColleagueSchema) })
export type ColleagueList = Static<typeof ColleagueListSchema>
