import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/** A note staff wrote about a member: visible to staff of every store (a member shops anywhere). */
export const staffNoteSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, required: true },
    text: { type: String, required: true },
    author: { type: new Schema({ id: { type: String, default: null }, name: { type: String, required: true } }, { _id: false }), required: true },
    store: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'staff_counter_notes', versionKey: false },
)
// the member at a glance: a member's notes, newest first
staffNoteSchema.index({ memberId: 1, at: -1 })

/** A member's clienteling facts (one document per member, `_id` = the member id): ring size, anniversaries, preferences. */
export const clientelingSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    ringSize: { type: String, default: null },
    anniversaries: { type: [new Schema({ label: String, date: String }, { _id: false })], default: [] },
    preferences: { type: [String], default: [] },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'staff_counter_clienteling', versionKey: false },
)

/**
 * An advisor's claim on a member (`_id` = JSON [advisor, memberId]): written when a store sale names the advisor or a
 * manager assigns one, so "my customers" needn't scan every member. The member's own `advisor` field decides: a
 * link to a member who has another advisor by now is left out when read.
 */
export const advisorLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    advisor: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'staff_counter_advisor_links', versionKey: false },
)
// my customers: the links of one advisor
advisorLinkSchema.index({ advisor: 1 })

/**
 * The name to show for an advisor (`_id` = what members' `advisor` field holds: a staff record id, or the name an
 * operator token or a shop's sale gave): taken when a sale or an assignment names them.
 */
export const advisorNameSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** the staff record's id, or null when the advisor is known only by a name */
    staffId: { type: String, default: null },
    name: { type: String, required: true },
    store: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'staff_counter_advisor_names', versionKey: false },
)

/**
 * An in-store sale recorded at the counter, under its order id (`STORE_{store}_{receiptNo}`) as `_id`: the unique
 * key that makes the receipt count once — of two requests with one receipt, one inserts and the other finds it. It
 * keeps the shop event built from the first request (a retry re-sends exactly that one) and the fingerprint of the
 * request's content (the same receipt with other content is a 409).
 */
export const counterPurchaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    store: { type: String, required: true },
    receiptNo: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    fingerprint: { type: String, required: true },
    eventId: { type: String, required: true },
    event: { type: Schema.Types.Mixed, required: true },
    recordedBy: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'staff_counter_purchases', versionKey: false },
)

/** A task a store marked done (`_id` = JSON [store, taskId]); undoing it deletes the mark. */
export const taskMarkSchema = new Schema(
  {
    _id: { type: String, required: true },
    store: { type: String, required: true },
    taskId: { type: String, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'staff_counter_task_marks', versionKey: false },
)

/**
 * How many phone numbers a staff member had revealed in one hour (`_id` = JSON [actor, hour]): taken by one conditional
 * upsert below the limit, so no number of processes together reveals more. A staff member's passed hours are deleted
 * when their next hour starts.
 */
export const phoneRevealWindowSchema = new Schema(
  {
    _id: { type: String, required: true },
    actor: { type: String, required: true },
    count: { type: Number, required: true, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'staff_counter_phone_reveal_windows', versionKey: false },
)
// the clean-up when a staff member's new hour starts: their passed windows
phoneRevealWindowSchema.index({ actor: 1, expiresAt: 1 })

export function counterModels(connection: Connection) {
  return {
    StaffNote: connection.model('CounterStaffNote', staffNoteSchema),
    Clienteling: connection.model('CounterClienteling', clientelingSchema),
    AdvisorLink: connection.model('CounterAdvisorLink', advisorLinkSchema),
    AdvisorName: connection.model('CounterAdvisorName', advisorNameSchema),
    CounterPurchase: connection.model('CounterPurchase', counterPurchaseSchema),
    TaskMark: connection.model('CounterTaskMark', taskMarkSchema),
    PhoneRevealWindow: connection.model('CounterPhoneRevealWindow', phoneRevealWindowSchema),
  }
}
export type CounterModels = ReturnType<typeof counterModels>
export type StaffNoteDoc = InferSchemaType<typeof staffNoteSchema> & { _id: Types.ObjectId }
export type ClientelingDoc = InferSchemaType<typeof clientelingSchema>
export type CounterPurchaseDoc = InferSchemaType<typeof counterPurchaseSchema>
