import { Type, type Static } from '@sinclair/typebox'
import { MESSAGE_KINDS } from '../messages.js'
import { ObjectIdString } from './common.js'

const Kind = Type.Union(MESSAGE_KINDS.map((k) => Type.Literal(k)))
const PushChannel = Type.Union([Type.Literal('subscribe'), Type.Literal('official_account')])

/** The operator's messaging policy (defaults where unset). */
export const MessagingPolicySchema = Type.Object(
  {
    /** no marketing push from `quietFrom` to `quietTo` o'clock, Asia/Shanghai (deferred to `quietTo`) */
    quietFrom: Type.Integer({ minimum: 0, maximum: 23 }),
    quietTo: Type.Integer({ minimum: 0, maximum: 23 }),
    /** marketing messages pushed to one member at most, per Shanghai day and per week (Monday to Sunday) */
    marketingPerDay: Type.Integer({ minimum: 0, maximum: 100 }),
    marketingPerWeek: Type.Integer({ minimum: 0, maximum: 500 }),
    /** pushes per second per channel, all processes together */
    ratePerSecond: Type.Object(
      {
        subscribe: Type.Integer({ minimum: 1, maximum: 10_000 }),
        official_account: Type.Integer({ minimum: 1, maximum: 10_000 }),
        /** marketing SMS through the provider (default 20) */
        sms: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
      },
      { additionalProperties: false },
    ),
    /** payment reminder: this many minutes after an order is placed and still unpaid */
    paymentReminderMinutes: Type.Integer({ minimum: 1, maximum: 10_080 }),
    /** logistics exception: no logistics update for this many hours after shipping */
    logisticsSilenceHours: Type.Integer({ minimum: 1, maximum: 2_160 }),
    /** a fact older than this many hours when its event is handled (a backfill, an imported history) sends no care message */
    staleAfterHours: Type.Integer({ minimum: 1, maximum: 8_760 }),
    /** attempts at a push that keeps failing for a passing reason (45011, −1, 5xx, timeouts) before it stays in the inbox */
    maxAttempts: Type.Integer({ minimum: 1, maximum: 50 }),
  },
  { additionalProperties: false },
)
export type MessagingPolicy = Static<typeof MessagingPolicySchema>

export const DEFAULT_MESSAGING_POLICY: MessagingPolicy = {
  quietFrom: 21,
  quietTo: 9,
  marketingPerDay: 1,
  marketingPerWeek: 3,
  ratePerSecond: { subscribe: 50, official_account: 50, sms: 20 },
  paymentReminderMinutes: 30,
  logisticsSilenceHours: 72,
  staleAfterHours: 72,
  maxAttempts: 8,
}

export const UpdateMessagingPolicySchema = Type.Partial(MessagingPolicySchema, { additionalProperties: false, minProperties: 1 })

/** One template an operator maps to a kind on a push channel. */
export const TemplateMappingSchema = Type.Object(
  {
    templateId: Type.String({ minLength: 1, maxLength: 128 }),
    title: Type.Optional(Type.String({ maxLength: 40 })),
    keys: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,39}$' }), Type.String({ pattern: '^[a-z_]{1,24}[0-9]{1,3}$' }), {
        additionalProperties: false,
        maxProperties: 10,
        description: 'field → template key (thing1, character_string2, …); absent: the catalogue’s default keys',
      }),
    ),
  },
  { additionalProperties: false },
)
export const TemplateMappingParamsSchema = Type.Object({ kind: Kind, channel: PushChannel }, { additionalProperties: false })

export const MessageTemplateRowSchema = Type.Object({
  kind: Type.String(),
  category: Type.String(),
  title: Type.String(),
  fields: Type.Array(Type.String()),
  channels: Type.Array(
    Type.Object({
      channel: Type.String(),
      templateId: Type.Union([Type.String(), Type.Null()]),
      keys: Type.Record(Type.String(), Type.String()),
      /** null when mapped; else what is wrong (not mapped: the kind is not pushed on this channel) */
      problem: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
})

export const SubscriptionsSchema = Type.Object({
  templates: Type.Array(
    Type.Object({ kind: Type.String(), templateId: Type.String(), title: Type.String(), balance: Type.Integer({ description: 'sends left from "allow" taps' }) }),
  ),
})
export const SubscriptionResultsSchema = Type.Object(
  {
    results: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' }), Type.Union([Type.Literal('accept'), Type.Literal('reject'), Type.Literal('ban'), Type.Literal('filter')]), {
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 3,
      description: 'one tap of wx.requestSubscribeMessage: templateId → its answer (at most three templates a tap)',
    }),
  },
  { additionalProperties: false },
)

export const InboxItemSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  body: Type.String(),
  page: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  read: Type.Boolean(),
})
export const InboxSchema = Type.Object({ items: Type.Array(InboxItemSchema), unread: Type.Integer(), nextCursor: Type.Union([Type.String(), Type.Null()]) })
export const InboxQuerySchema = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })), cursor: Type.Optional(ObjectIdString) },
  { additionalProperties: false },
)

export const MessagePreferencesSchema = Type.Object({
  marketing: Type.Boolean({ description: 'offers, member day, birthday, campaigns, review invitations' }),
  sms: Type.Boolean({
    description: 'marketing may also come by SMS to the member’s phone number: false after the member turned it off here or replied 回T退订 (T, TD, 退订) to an SMS; true again turns it back on',
  }),
  kindsOff: Type.Array(Kind, { maxItems: MESSAGE_KINDS.length, description: 'kinds the member turned off (a service kind still lands in the inbox)' }),
})
export const UpdateMessagePreferencesSchema = Type.Object(
  { marketing: Type.Optional(Type.Boolean()), sms: Type.Optional(Type.Boolean()), kindsOff: Type.Optional(Type.Array(Kind, { maxItems: MESSAGE_KINDS.length, uniqueItems: true })) },
  { additionalProperties: false, minProperties: 1 },
)

export const AdminMessageSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  category: Type.String(),
  memberId: Type.String(),
  status: Type.String(),
  channel: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  sentAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  sender: Type.String(),
})
export const AdminMessagesQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.Union(['queued', 'sending', 'sent', 'inbox', 'failed', 'unconfirmed'].map((s) => Type.Literal(s)))),
    kind: Type.Optional(Kind),
    memberId: Type.Optional(ObjectIdString),
    from: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
)

/** Staff send an approved care kind to one member, with the fields its template allows. */
export const CareMessageSchema = Type.Object(
  {
    memberId: ObjectIdString,
    kind: Type.Union([Type.Literal('staff_care')], { description: 'the kinds staff may send' }),
    fields: Type.Object({ content: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
    requestId: Type.String({ minLength: 1, maxLength: 128, description: 'idempotency key: the same requestId sends once' }),
  },
  { additionalProperties: false },
)

