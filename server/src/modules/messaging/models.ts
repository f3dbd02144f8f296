import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/**
 * A message to a member: the outbox entry the dispatcher pushes, and the member's inbox entry whatever becomes of
 * the push. `dedupeKey` is the business fact it tells (shipped:{orderId}, tier:{key}…): the same fact twice is one
 * message.
 */
export const messageSchema = new Schema(
  {
    dedupeKey: { type: String, required: true },
    kind: { type: String, required: true },
    category: { type: String, enum: ['service', 'marketing'], required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    data: { type: Schema.Types.Mixed, default: {} },
    title: { type: String, required: true },
    body: { type: String, required: true },
    page: { type: String, default: null },
    /** not pushed before (quiet hours, a reminder's delay) */
    notBefore: { type: Date, required: true },
    /**
     * queued → sending (a push under way) → sent (pushed on `channel`) | inbox (not pushed, `reason` says why) |
     * failed (a permanent WeChat error, `reason`; the inbox keeps it) | unconfirmed (a worker died during the push:
     * not sent again — see the README's delivery guarantee)
     */
    status: { type: String, enum: ['queued', 'sending', 'sent', 'inbox', 'failed', 'unconfirmed'], required: true, default: 'queued' },
    channel: { type: String, default: null },
    reason: { type: String, default: null },
    attempts: { type: Number, default: 0 },
    /** the push attempt under way (a worker's lease owner): a takeover finds it and does not push again */
    sendingBy: { type: String, default: null },
    /** when the last push began, and the window of the channel's send rate it took (rate:{channel}:{epoch second}) */
    pushStartedAt: { type: Date, default: null },
    rateWindow: { type: String, default: null },
    msgid: { type: String, default: null },
    sentAt: { type: Date, default: null },
    /** WeChat's later report on the delivery (subscribe_msg_sent_event) */
    deliveryReport: { type: String, default: null },
    read: { type: Boolean, default: false },
    readAt: { type: Date, default: null },
    /** who asked for it: system, or the staff member (staff care) */
    sender: { type: String, default: 'system' },
    /** a marketing message that may go by SMS when no WeChat channel carries it (the writer asked: MessageDraft.sms) */
    sms: { type: Boolean, default: false },
  },
  { collection: 'messages', versionKey: false, timestamps: true },
)
// the same fact twice (a replayed shop event, the same shipment under two event ids) is one message
messageSchema.index({ dedupeKey: 1 }, { unique: true })
// the inbox: a member's messages, newest first, and the unread count
messageSchema.index({ memberId: 1, createdAt: -1 })
messageSchema.index({ memberId: 1, read: 1 })
// the admin view and stats: by status and kind over time
messageSchema.index({ status: 1, kind: 1, createdAt: -1 })
// subscribe_msg_sent_event names the message by WeChat's msgid
messageSchema.index({ msgid: 1 })
// reports (messaging/stats.ts, the KPI report): the messages written in a period
messageSchema.index({ createdAt: 1 })

/** How many subscribe messages with one template a member has paid for with "allow" taps and not yet used. */
export const subscriptionSchema = new Schema(
  {
    /** JSON [memberId, templateId] */
    _id: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    templateId: { type: String, required: true },
    balance: { type: Number, required: true, default: 0, min: 0 },
    lastResult: { type: String, default: null },
  },
  { collection: 'message_subscriptions', versionKey: false, timestamps: true },
)
// the member's balances
subscriptionSchema.index({ memberId: 1 })

/**
 * One "allow" a member gave a template, as the mini-program reported it or WeChat pushed it
 * (subscribe_msg_popup_event). The same tap reported both ways counts once: a report pairs with an unpaired one of
 * the other source for the same member and template within a few minutes.
 */
export const acceptSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, required: true },
    templateId: { type: String, required: true },
    source: { type: String, enum: ['client', 'push'], required: true },
    at: { type: Date, required: true },
    paired: { type: Boolean, default: false },
  },
  { collection: 'message_accepts', versionKey: false },
)
// pairing a report with the other source's
acceptSchema.index({ memberId: 1, templateId: 1, source: 1, paired: 1, at: 1 })

/** A member's message preferences: marketing on or off, and kinds turned off. */
export const preferenceSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    marketing: { type: Boolean, default: true },
    /** marketing may come by SMS (the member's own switch; a 回T退订 reply is kept by phone number in sms_opt_outs) */
    sms: { type: Boolean, default: true },
    kindsOff: { type: [String], default: [] },
  },
  { collection: 'message_preferences', versionKey: false, timestamps: true },
)

/** The operator's template for a kind on a push channel, and which template key each field goes to. */
export const templateMappingSchema = new Schema(
  {
    /** JSON [kind, channel] */
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    channel: { type: String, required: true },
    templateId: { type: String, required: true },
    title: { type: String, default: null },
    /** field → template key (thing1, character_string2, …) */
    keys: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'message_templates', versionKey: false, timestamps: true },
)

/** A follower of the brand's Official Account, joined to members by unionid (captured at follow time). */
export const followerSchema = new Schema(
  {
    /** the follower's openid in the Official Account */
    _id: { type: String, required: true },
    unionid: { type: String, default: null },
    followedAt: { type: Date, required: true },
  },
  { collection: 'oa_followers', versionKey: false },
)
// a member's OA openid, by their unionid
followerSchema.index({ unionid: 1 })

/** A counter of one window (a channel's second, a member's marketing day or week): limits that hold across processes. */
export const counterSchema = new Schema(
  { _id: { type: String, required: true }, count: { type: Number, required: true }, expiresAt: { type: Date, required: true } },
  { collection: 'message_counters', versionKey: false },
)
// old windows are dropped by the daily job
counterSchema.index({ expiresAt: 1 })

/** WeChat pushes already handled (it retries a push not answered in 5 s): one document per push. */
export const pushReceiptSchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'wechat_push_receipts', versionKey: false },
)

/**
 * A phone number that no marketing SMS may reach: the member replied 回T退订 (T, TD, 退订) to an SMS, or the provider
 * refused the number as blacklisted. By number, not member: a reply names only the number, the number may belong to
 * no member (or change hands), and one document stops every marketing SMS to it at once — the channel reads it at
 * send time, so messages already queued stop too. Removed when the member turns SMS on again.
 */
export const smsOptOutSchema = new Schema(
  {
    /** the number in normalisePhone's spelling: as _id, a second reply finds the first */
    _id: { type: String, required: true },
    /** reply (回T退订), provider (its blacklist), member (turned off in the preferences — kept on the member instead) */
    source: { type: String, enum: ['reply', 'provider'], required: true },
    /** the reply that asked for it (sms_replies), or the provider's error code */
    ref: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'sms_opt_outs', versionKey: false },
)

/**
 * A member's reply to an SMS (上行短信) as the provider's callback delivered it, once: `_id` is the reply's id (the
 * provider sends none, so a hash of number, time and text: the provider's retry of the same reply is the same id).
 * Kept whatever the text says and whether or not the number is a member's.
 */
export const smsReplySchema = new Schema(
  {
    _id: { type: String, required: true },
    phone: { type: String, required: true },
    text: { type: String, required: true },
    /** when the member sent it (the provider's time) and when it arrived here */
    sentAt: { type: Date, required: true },
    receivedAt: { type: Date, required: true },
    sign: { type: String, default: null },
    unsubscribe: { type: Boolean, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
  },
  { collection: 'sms_replies', versionKey: false },
)
// a number's replies, newest first (support looking into a complaint)
smsReplySchema.index({ phone: 1, sentAt: -1 })

export function messagingModels(connection: Connection) {
  return {
    Message: connection.model('Message', messageSchema),
    Subscription: connection.model('MessageSubscription', subscriptionSchema),
    Accept: connection.model('MessageAccept', acceptSchema),
    Preference: connection.model('MessagePreference', preferenceSchema),
    TemplateMapping: connection.model('MessageTemplate', templateMappingSchema),
    Follower: connection.model('OaFollower', followerSchema),
    Counter: connection.model('MessageCounter', counterSchema),
    PushReceipt: connection.model('WechatPushReceipt', pushReceiptSchema),
    SmsOptOut: connection.model('SmsOptOut', smsOptOutSchema),
    SmsReply: connection.model('SmsReply', smsReplySchema),
  }
}
export type MessagingModels = ReturnType<typeof messagingModels>
export type MessageDoc = InferSchemaType<typeof messageSchema> & { _id: Types.ObjectId; createdAt: Date }
