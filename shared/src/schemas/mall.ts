import { Type, type Static } from '@sinclair/typebox'
import { MAX_FEN, ObjectIdString } from './common.js'

/**
 * The points mall: items (a coupon template, or a physical gift) members redeem for points, the redemptions, and the
 * gift orders a gift redemption creates (shipped through the shop: pending → shipped → delivered, or cancelled before
 * it ships). Gift orders are not purchases: they earn nothing and never count in sales.
 */

const Time = Type.String({ format: 'date-time', maxLength: 64 })
const TierCodes = Type.Array(Type.String({ minLength: 1, maxLength: 16 }), { maxItems: 20, description: 'tier codes that may redeem it (absent or null: every tier)' })
const ImageUrl = Type.String({ minLength: 1, maxLength: 512, pattern: '^(https?://|/)[^\\s]+$', description: 'an https URL (or a path on this server)' })

export const MALL_ITEM_KINDS = ['coupon', 'gift'] as const
export type MallItemKind = (typeof MALL_ITEM_KINDS)[number]
const Kind = Type.Union([Type.Literal('coupon'), Type.Literal('gift')])
const ItemStatus = Type.Union([Type.Literal('active'), Type.Literal('paused')])

/** Why a member cannot redeem an item now (the 409 codes of POST /api/mall/redemptions). */
export const REDEEM_REFUSALS = ['NOT_AVAILABLE', 'TIER_NOT_ELIGIBLE', 'OUT_OF_STOCK', 'LIMIT_REACHED', 'INSUFFICIENT_POINTS'] as const
export type RedeemRefusal = (typeof REDEEM_REFUSALS)[number]
const Refusal = Type.Union(REDEEM_REFUSALS.map((r) => Type.Literal(r)))

/** The most points one item may cost, and the most stock it may have. */
export const MAX_POINTS_PRICE = 100_000_000
export const MAX_ITEM_STOCK = 100_000_000

const itemFields = {
  name: Type.String({ minLength: 1, maxLength: 40 }),
  description: Type.String({ maxLength: 1000 }),
  images: Type.Array(ImageUrl, { maxItems: 9 }),
  pointsPrice: Type.Integer({ minimum: 1, maximum: MAX_POINTS_PRICE }),
  cashFen: Type.Integer({ minimum: 1, maximum: MAX_FEN, description: 'a cash part the shop collects with the gift, in fen (recorded, not charged here)' }),
  stock: Type.Integer({ minimum: 0, maximum: MAX_ITEM_STOCK, description: 'how many may be redeemed in all' }),
  tiers: TierCodes,
  perMemberLimit: Type.Integer({ minimum: 1, maximum: 1000, description: 'how many one member may redeem (absent: no limit)' }),
  availableFrom: Time,
  availableTo: Time,
  status: ItemStatus,
}

export const CreateMallItemSchema = Type.Object(
  {
    kind: Kind,
    name: itemFields.name,
    description: Type.Optional(itemFields.description),
    images: Type.Optional(itemFields.images),
    pointsPrice: itemFields.pointsPrice,
    cashFen: Type.Optional(itemFields.cashFen),
    stock: itemFields.stock,
    /** kind coupon: the template a redemption issues from (required) */
    couponTemplateId: Type.Optional(ObjectIdString),
    tiers: Type.Optional(itemFields.tiers),
    perMemberLimit: Type.Optional(itemFields.perMemberLimit),
    availableFrom: Type.Optional(itemFields.availableFrom),
    availableTo: Type.Optional(itemFields.availableTo),
    status: Type.Optional(itemFields.status),
  },
  { additionalProperties: false },
)
export type CreateMallItem = Static<typeof CreateMallItemSchema>

/** What an operator may change on an item (its kind and coupon template are fixed). null clears an optional field. */
export const UpdateMallItemSchema = Type.Object(
  {
    name: Type.Optional(itemFields.name),
    description: Type.Optional(itemFields.description),
    images: Type.Optional(itemFields.images),
    pointsPrice: Type.Optional(itemFields.pointsPrice),
    cashFen: Type.Optional(Type.Union([itemFields.cashFen, Type.Null()])),
    stock: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ITEM_STOCK, description: 'the new total stock; not below what was redeemed' })),
    tiers: Type.Optional(Type.Union([itemFields.tiers, Type.Null()])),
    perMemberLimit: Type.Optional(Type.Union([itemFields.perMemberLimit, Type.Null()])),
    availableFrom: Type.Optional(Type.Union([itemFields.availableFrom, Type.Null()])),
    availableTo: Type.Optional(Type.Union([itemFields.availableTo, Type.Null()])),
    status: Type.Optional(itemFields.status),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateMallItem = Static<typeof UpdateMallItemSchema>

const itemView = {
  id: Type.String(),
  kind: Kind,
  name: Type.String(),
  description: Type.String(),
  images: Type.Array(Type.String()),
  pointsPrice: Type.Integer(),
  cashFen: Type.Union([Type.Integer(), Type.Null()]),
  stockLeft: Type.Integer(),
  tiers: Type.Union([Type.Array(Type.String()), Type.Null()]),
  perMemberLimit: Type.Union([Type.Integer(), Type.Null()]),
  availableFrom: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  availableTo: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  status: ItemStatus,
  couponTemplateId: Type.Union([Type.String(), Type.Null()]),
}

/** An item as operators see it. */
export const MallItemSchema = Type.Object({
  ...itemView,
  stock: Type.Integer(),
  /** redeemed and not given back (stock − stockLeft) */
  redeemed: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type MallItem = Static<typeof MallItemSchema>
export const MallItemListSchema = Type.Object({ items: Type.Array(MallItemSchema) })

export const MallItemIdParamsSchema = Type.Object({ id: ObjectIdString }, { additionalProperties: false })
export const AdminMallItemQuerySchema = Type.Object(
  { status: Type.Optional(ItemStatus), kind: Type.Optional(Kind) },
  { additionalProperties: false },
)

/** An item as a member sees it: whether this member can redeem it now, and if not, why. */
export const MemberMallItemSchema = Type.Object({
  ...itemView,
  /** kind coupon: the coupon's rules in words (from its template) */
  couponRules: Type.Union([Type.String(), Type.Null()]),
  /** items with a per-member limit: how many of it this member holds now (not cancelled or failed); 0 otherwise */
  redeemedByMe: Type.Integer(),
  redeemable: Type.Boolean(),
  reason: Type.Optional(Refusal),
})
export type MemberMallItem = Static<typeof MemberMallItemSchema>
export const MemberMallItemListSchema = Type.Object({ items: Type.Array(MemberMallItemSchema), points: Type.Integer({ description: "the member's available points" }) })
export type MemberMallItemList = Static<typeof MemberMallItemListSchema>
export const MemberMallItemQuerySchema = Type.Object(
  {
    kind: Type.Optional(Kind),
    redeemable: Type.Optional(Type.Boolean({ description: 'true: only what this member can redeem now' })),
  },
  { additionalProperties: false },
)

export const ShippingAddressSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 40 }),
    phone: Type.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+\\- ]{5,20}$' }),
    region: Type.String({ minLength: 1, maxLength: 100, description: 'province, city, district' }),
    detail: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)
export type ShippingAddress = Static<typeof ShippingAddressSchema>

export const CreateRedemptionSchema = Type.Object(
  {
    itemId: ObjectIdString,
    idempotencyKey: Type.String({ minLength: 1, maxLength: 128, description: 'the same key again answers the same redemption' }),
    address: Type.Optional(ShippingAddressSchema),
  },
  { additionalProperties: false },
)
export type CreateRedemption = Static<typeof CreateRedemptionSchema>

export const GIFT_ORDER_STATES = ['pending', 'shipped', 'delivered', 'cancelled'] as const
export type GiftOrderState = (typeof GIFT_ORDER_STATES)[number]

export const GiftOrderSchema = Type.Object({
  /** the id the shop ships it under (orderId in its order.shipped / order.delivered events) */
  id: Type.String(),
  redemptionId: Type.String(),
  memberId: Type.String(),
  itemId: Type.String(),
  itemName: Type.String(),
  cashFen: Type.Union([Type.Integer(), Type.Null()]),
  state: Type.Union(GIFT_ORDER_STATES.map((s) => Type.Literal(s))),
  address: ShippingAddressSchema,
  carrier: Type.Union([Type.String(), Type.Null()]),
  trackingNo: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  shippedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  cancelledAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type GiftOrder = Static<typeof GiftOrderSchema>

/** The coupon a redemption issued, as it was issued (the wallet shows its current state). */
export const RedeemedCouponSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  rulesText: Type.String(),
  validFrom: Type.String({ format: 'date-time' }),
  validUntil: Type.String({ format: 'date-time' }),
})

export const REDEMPTION_STATUSES = ['processing', 'done', 'failed', 'cancelled'] as const
export type RedemptionStatus = (typeof REDEMPTION_STATUSES)[number]

export const RedemptionSchema = Type.Object({
  id: Type.String(),
  /** processing (a step is under way, or being repaired), done, failed (everything given back), cancelled (a gift, before shipping) */
  status: Type.Union(REDEMPTION_STATUSES.map((s) => Type.Literal(s))),
  /** the saga's own state: created, points-taken, done, compensating, failed, cancelling, cancelled */
  step: Type.String(),
  itemId: Type.String(),
  kind: Kind,
  itemName: Type.String(),
  pointsPrice: Type.Integer(),
  cashFen: Type.Union([Type.Integer(), Type.Null()]),
  coupon: Type.Union([RedeemedCouponSchema, Type.Null()]),
  giftOrder: Type.Union([GiftOrderSchema, Type.Null()]),
  /** failed: why (one of the refusal codes), everything taken was given back */
  failure: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type Redemption = Static<typeof RedemptionSchema>

export const RedemptionIdParamsSchema = Type.Object({ id: ObjectIdString }, { additionalProperties: false })

export const RedemptionPageQuerySchema = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
    cursor: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$', maxLength: 200, description: 'nextCursor from the previous page' })),
  },
  { additionalProperties: false },
)
export const RedemptionPageSchema = Type.Object({
  items: Type.Array(RedemptionSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type RedemptionPage = Static<typeof RedemptionPageSchema>

export const CancelRedemptionSchema = Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
)

export const GiftOrderQuerySchema = Type.Object(
  {
    state: Type.Optional(Type.Union(GIFT_ORDER_STATES.map((s) => Type.Literal(s)))),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
)
export const GiftOrderListSchema = Type.Object({ items: Type.Array(GiftOrderSchema) })
