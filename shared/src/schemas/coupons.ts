import { Type, type Static } from '@sinclair/typebox'
import { MAX_FEN, ObjectIdString } from './common.js'

/**
 * Coupons: templates an operator keeps, coupons issued from them by every program (the mall, birthday, member day,
 * campaigns, staff, the API) under a business key, used once — online through the shop's order.paid, in store by
 * staff. A coupon copies its template's rules when issued: editing a template never changes coupons already issued.
 */

const Fen = Type.Integer({ minimum: 1, maximum: MAX_FEN })
const Time = Type.String({ format: 'date-time', maxLength: 64 })
const Code = Type.String({ minLength: 1, maxLength: 32 })

export const COUPON_SOURCES = ['mall', 'birthday', 'member-day', 'campaign', 'staff', 'api'] as const
export type CouponSource = (typeof COUPON_SOURCES)[number]

export const CouponScopeSchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('all') }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('skus'), skus: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 200 }) }, { additionalProperties: false }),
    Type.Object(
      { kind: Type.Literal('categories'), categories: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 50 }) },
      { additionalProperties: false },
    ),
  ],
  { description: 'which order lines the coupon applies to: all, these SKUs, or lines of these categories' },
)
export type CouponScope = Static<typeof CouponScopeSchema>

export const CouponValiditySchema = Type.Union(
  [
    Type.Object({ days: Type.Integer({ minimum: 1, maximum: 3650 }) }, { additionalProperties: false, description: 'N days from issue' }),
    Type.Object({ from: Time, to: Time }, { additionalProperties: false, description: 'a fixed window' }),
  ],
  { description: '{days}: valid N days after issue; {from, to}: a fixed window' },
)
export type CouponValidity = Static<typeof CouponValiditySchema>

const templateFields = {
  name: Type.String({ minLength: 1, maxLength: 40, description: 'the display name, e.g. 满 2000 减 200' }),
  kind: Type.Union([Type.Literal('amount'), Type.Literal('percent')]),
  amountFen: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FEN, description: 'kind amount: the amount off, in fen' })),
  percentOff: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: 'kind percent: the percentage off' })),
  capFen: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FEN, description: 'kind percent: the most it takes off, in fen' })),
  thresholdFen: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_FEN, description: 'the least the applicable lines must come to (0: none)' })),
  scope: Type.Optional(CouponScopeSchema),
  validity: CouponValiditySchema,
  tiers: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 20, description: 'tier codes that may have it (absent: every tier)' })),
  stock: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'how many may be issued in all (absent: unlimited)' })),
  perMemberLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'how many one member may have in all (absent: no limit)' })),
  notes: Type.Optional(Type.String({ maxLength: 500, description: 'usage notes shown with the coupon' })),
  returnOnRefund: Type.Optional(Type.Boolean({ description: 'a full refund or cancellation of the order returns the coupon if still valid (default true)' })),
}

export const CreateCouponTemplateSchema = Type.Object(templateFields, { additionalProperties: false })
export type CreateCouponTemplate = Static<typeof CreateCouponTemplateSchema>

/** What an operator may change on a live template (coupons already issued keep their rules). */
export const UpdateCouponTemplateSchema = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('paused')])),
    name: Type.Optional(templateFields.name),
    notes: templateFields.notes,
    stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'the new total stock; not below what was issued' })),
    perMemberLimit: templateFields.perMemberLimit,
    tiers: templateFields.tiers,
    validity: Type.Optional(CouponValiditySchema),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateCouponTemplate = Static<typeof UpdateCouponTemplateSchema>

export const CouponTemplateSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
  name: Type.String(),
  kind: Type.Union([Type.Literal('amount'), Type.Literal('percent')]),
  amountFen: Type.Union([Type.Integer(), Type.Null()]),
  percentOff: Type.Union([Type.Integer(), Type.Null()]),
  capFen: Type.Union([Type.Integer(), Type.Null()]),
  thresholdFen: Type.Integer(),
  scope: CouponScopeSchema,
  validity: CouponValiditySchema,
  tiers: Type.Union([Type.Array(Type.String()), Type.Null()]),
  stock: Type.Union([Type.Integer(), Type.Null()]),
  /** issued so far (not counting coupons voided before use) */
  issued: Type.Integer(),
  stockLeft: Type.Union([Type.Integer(), Type.Null()]),
  perMemberLimit: Type.Union([Type.Integer(), Type.Null()]),
  notes: Type.String(),
  returnOnRefund: Type.Boolean(),
  /** the rules in words, as members read them */
  rulesText: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
})
export type CouponTemplate = Static<typeof CouponTemplateSchema>

export const COUPON_STATES = ['usable', 'used', 'expired', 'void'] as const
export type CouponState = (typeof COUPON_STATES)[number]

export const CouponSchema = Type.Object({
  id: Type.String(),
  /** hard to guess; staff scan or type it at the counter (shown as a QR code and a barcode) */
  code: Type.String(),
  templateId: Type.String(),
  name: Type.String(),
  kind: Type.Union([Type.Literal('amount'), Type.Literal('percent')]),
  amountFen: Type.Union([Type.Integer(), Type.Null()]),
  percentOff: Type.Union([Type.Integer(), Type.Null()]),
  capFen: Type.Union([Type.Integer(), Type.Null()]),
  thresholdFen: Type.Integer(),
  scope: CouponScopeSchema,
  notes: Type.String(),
  rulesText: Type.String({ description: 'the rules in words: amount, threshold, scope, validity' }),
  state: Type.Union(COUPON_STATES.map((s) => Type.Literal(s))),
  source: Type.Union(COUPON_SOURCES.map((s) => Type.Literal(s))),
  validFrom: Type.String({ format: 'date-time' }),
  validUntil: Type.String({ format: 'date-time' }),
  issuedAt: Type.String({ format: 'date-time' }),
  usedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** where it was used: an online order, or a store (with the staff member) */
  usedBy: Type.Union([
    Type.Object({ orderId: Type.String() }),
    Type.Object({ store: Type.Union([Type.String(), Type.Null()]), staff: Type.String() }),
    Type.Null(),
  ]),
})
export type Coupon = Static<typeof CouponSchema>

export const CouponListQuerySchema = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('usable'), Type.Literal('used'), Type.Literal('expired')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
)
export const CouponListSchema = Type.Object({ items: Type.Array(CouponSchema) })

/** An operator (or a program acting through the API) issues a coupon to a member. */
export const IssueCouponSchema = Type.Object(
  {
    memberId: ObjectIdString,
    requestId: Type.String({ minLength: 1, maxLength: 128, description: 'idempotency key: the same requestId issues once' }),
  },
  { additionalProperties: false },
)
export const IssueResultSchema = Type.Object({
  status: Type.Union([Type.Literal('issued'), Type.Literal('duplicate')], { description: 'duplicate: issued before under this key; the coupon then issued' }),
  coupon: CouponSchema,
})

/** In store: staff consume a member's coupon at the counter. */
export const UseCouponInStoreSchema = Type.Object(
  {
    memberId: ObjectIdString,
    store: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    orderRef: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: "the store's receipt number" })),
  },
  { additionalProperties: false },
)
export const CouponCodeParamsSchema = Type.Object({ code: Code }, { additionalProperties: false })

/** What became of each coupon code an order.paid carried (the shop event's status reports it). */
export const CouponUseResultSchema = Type.Object({
  code: Type.String(),
  status: Type.Union([Type.Literal('used'), Type.Literal('problem')]),
  reason: Type.Optional(
    Type.String({ description: 'problem: unknown, not-this-members, already-used, expired, not-yet-valid, void, member-unknown' }),
  ),
})
export type CouponUseResult = Static<typeof CouponUseResultSchema>
