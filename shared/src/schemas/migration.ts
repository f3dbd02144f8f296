import { Type, type Static } from '@sinclair/typebox'
import { MAX_FEN } from './common.js'
import { MemberRefSchema, OrderLineSchema } from './shop.js'

/**
 * The records of a migration from an old CRM (`npm run import`), one JSON object per line. A migration carries each
 * member's balances as they were — opening entries, not purchases — and loads their orders as history: nothing is
 * earned again. See the README, "Migrating from another CRM".
 */

/** at most 10¹² points or growth in one opening figure: exact integers, far above any real balance */
export const MAX_OPENING = 1_000_000_000_000

const Time = Type.String({ format: 'date-time', maxLength: 64 })
const Id = Type.String({ minLength: 1, maxLength: 128 })
const Amount = Type.Integer({ minimum: 0, maximum: MAX_OPENING })

/** A member's balances in the old CRM, as of the migration. */
export const MigrationMemberSchema = Type.Object(
  {
    kind: Type.Literal('member'),
    member: MemberRefSchema,
    /** the member's available points, lot by lot, each with the date it expires (null: never) */
    points: Type.Optional(
      Type.Object(
        {
          lots: Type.Array(Type.Object({ points: Type.Integer({ minimum: 1, maximum: MAX_OPENING }), expiresAt: Type.Union([Time, Type.Null()]) }), {
            maxItems: 100,
          }),
        },
        { description: 'available points; pending points come with the orders they are pending for' },
      ),
    ),
    /** the member's total growth value in the old CRM */
    growth: Type.Optional(Amount),
    /**
     * growth by Shanghai day, for the rolling 12-month tier policy; when absent, it is worked out from the member's
     * history orders in the file (paid less refunded, at the current growth rate), never more than `growth`
     */
    growthByDay: Type.Optional(
      Type.Array(Type.Object({ day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }), value: Amount }), { maxItems: 400 }),
    ),
    /** the tier the member holds and since when; `reviewAt`: their next tier review (rolling policy) */
    tier: Type.Optional(Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }), since: Time, reviewAt: Type.Optional(Time) })),
  },
  { additionalProperties: false },
)
export type MigrationMember = Static<typeof MigrationMemberSchema>

/** One order from the old CRM, as history: it earns nothing here, except points still pending for it. */
export const MigrationOrderSchema = Type.Object(
  {
    kind: Type.Literal('order'),
    member: MemberRefSchema,
    orderId: Id,
    paidAt: Time,
    channel: Type.Optional(Type.String({ maxLength: 64 })),
    store: Type.Optional(Type.String({ maxLength: 128 })),
    advisor: Type.Optional(Type.String({ maxLength: 64 })),
    lines: Type.Array(OrderLineSchema, { minItems: 1, maxItems: 500 }),
    /** refunds made before the migration (the old CRM's balances already reflect them) */
    refunds: Type.Optional(
      Type.Array(
        Type.Object({
          refundId: Id,
          refundedAt: Time,
          lines: Type.Array(Type.Object({ lineId: Id, refundFen: Type.Integer({ minimum: 1, maximum: MAX_FEN }) }), { minItems: 1, maxItems: 500 }),
        }),
        { maxItems: 100 },
      ),
    ),
    cancelledAt: Type.Optional(Time),
    deliveredAt: Type.Optional(Time),
    /**
     * points the old CRM holds pending for this order (its return window still open) and when they confirm; they
     * confirm here then, and a refund after the migration takes them back
     */
    pendingPoints: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_OPENING })),
    confirmsAt: Type.Optional(Time),
  },
  { additionalProperties: false },
)
export type MigrationOrder = Static<typeof MigrationOrderSchema>

export const MigrationRecordSchema = Type.Union([MigrationMemberSchema, MigrationOrderSchema])
export type MigrationRecord = Static<typeof MigrationRecordSchema>
