import { Schema, type Connection, type InferSchemaType, type Types } from 'mongoose'

/** A store of the brand: its hours, slots and places (shared/src/schemas/appointments.ts StoreSchema). */
export const storeSchema = new Schema(
  {
    /** the store's code (SH-IFC): every read is by code, through the primary key */
    _id: { type: String, required: true },
    name: { type: String, required: true },
    address: { type: String, required: true },
    phone: { type: String, required: true },
    hours: { open: { type: String, required: true }, close: { type: String, required: true } },
    slotMinutes: { type: Number, required: true },
    capacity: { type: Number, required: true },
    priorityCapacity: { type: Number, required: true },
    bookingDays: { type: Number, required: true },
    purposes: { type: [String], default: [] },
    status: { type: String, enum: ['open', 'closed'], required: true },
    updatedBy: { type: String, default: null },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'stores', versionKey: false },
)
// (_id is the code; the list of stores is the whole collection, a few hundred documents at most)

/**
 * An appointment. Its `_id` is derived from the member and the idempotency key (appointmentIdFor): a repeated request
 * finds it by primary key and two at once collide on insert. `pending` while the booking takes the member's place and
 * the slot's unit (never shown); `unit` says which of the slot counter's pools holds this appointment's place (null:
 * none — not taken yet, or given back after a cancellation).
 */
export const appointmentSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    store: { type: String, required: true },
    start: { type: Date, required: true },
    end: { type: Date, required: true },
    purpose: { type: String, required: true },
    note: { type: String, default: null },
    status: { type: String, enum: ['pending', 'requested', 'confirmed', 'cancelled', 'completed', 'no_show'], required: true },
    cancelledBy: { type: String, enum: ['member', 'staff', null], default: null },
    reason: { type: String, default: null },
    /** the booking's content (store, start, purpose, note): a retry with the key matches it, another body does not */
    requestHash: { type: String, required: true },
    /** the slot counter (`{store}|{start ISO}`) whose unit this appointment holds, or will */
    slotKey: { type: String, required: true },
    unit: { type: String, enum: ['general', 'priority', null], default: null },
    /** +1 on every change: messages of a change are keyed by it, staff changes are conditional on it */
    rev: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'appointments', versionKey: false },
)
// a member's appointments (GET /api/me/appointments)
appointmentSchema.index({ memberId: 1, start: -1 })
// a store's day (the staff list, today's tasks: forStoreOn)
appointmentSchema.index({ store: 1, start: 1 })
// the repair sweep: bookings left pending by a crash, cancellations whose unit was not given back yet
appointmentSchema.index({ status: 1, unit: 1 })

/**
 * One slot of one store: the units taken, in two pools — `booked` of the general places (capacity − priorityCapacity)
 * and `priorityBooked` of the reserved ones — and which appointments hold them. A unit is taken by one conditional
 * update (`booked < limit`, the appointment not already a holder: `$inc` and `$push`) and given back by one
 * (`holders` contains it: `$inc −1` and `$pull`), so the count never passes the limit under any concurrency, and
 * neither taking nor giving back can happen twice for one appointment.
 */
export const slotCounterSchema = new Schema(
  {
    /** `{store}|{start ISO}` (a store code has no `|`): every read and write by primary key */
    _id: { type: String, required: true },
    store: { type: String, required: true },
    start: { type: Date, required: true },
    booked: { type: Number, required: true, default: 0 },
    priorityBooked: { type: Number, required: true, default: 0 },
    /** appointment ids holding a general unit, and a reserved one */
    holders: { type: [String], default: [] },
    priorityHolders: { type: [String], default: [] },
  },
  { collection: 'appointment_slots', versionKey: false },
)
// (_id is the slot: a day's counters are read by their ids)

/**
 * A member's upcoming appointments (their ids, starts and ends), rewritten as a whole under a revision: the limit of
 * upcoming appointments and "never two at the same time" hold however many bookings arrive at once.
 */
export const memberHoldSchema = new Schema(
  {
    /** the member's id */
    _id: { type: String, required: true },
    holds: { type: [{ _id: false, id: { type: String, required: true }, start: { type: Date, required: true }, end: { type: Date, required: true } }], default: [] },
    rev: { type: Number, required: true, default: 0 },
  },
  { collection: 'appointment_member_holds', versionKey: false },
)
// (_id is the member: read and written by primary key)

export function appointmentModels(connection: Connection) {
  return {
    Store: connection.model('Store', storeSchema),
    Appointment: connection.model('Appointment', appointmentSchema),
    SlotCounter: connection.model('AppointmentSlot', slotCounterSchema),
    MemberHold: connection.model('AppointmentMemberHold', memberHoldSchema),
  }
}
export type AppointmentModels = ReturnType<typeof appointmentModels>
export type StoreDoc = InferSchemaType<typeof storeSchema> & { _id: string }
export type AppointmentDoc = InferSchemaType<typeof appointmentSchema> & { _id: Types.ObjectId; memberId: Types.ObjectId }
export type SlotCounterDoc = InferSchemaType<typeof slotCounterSchema> & { _id: string }
export interface Hold {
  id: string
  start: Date
  end: Date
}
export type MemberHoldDoc = { _id: string; holds: Hold[]; rev: number }
