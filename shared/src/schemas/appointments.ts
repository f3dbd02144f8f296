import { Type, type Static } from '@sinclair/typebox'
import { ObjectIdString } from './common.js'

/**
 * Appointments (issue 12): the brand's stores, each with its opening hours cut into slots of a fixed length, a number
 * of visits per slot (some kept for tiers whose benefits include priority appointments, 优先预约), and how far ahead
 * members book. A member books a visit (store, slot, purpose) in the mini-program; staff of that store confirm,
 * reschedule, cancel, and mark it done or missed in the staff tab; the member is told each change (message kind
 * `appointment`). A slot is never booked beyond its capacity, under any concurrency.
 *
 * Times: a slot's start and end are instants (date-time); the store's hours and a date are Shanghai's wall clock.
 */

const closed = { additionalProperties: false } as const

// the purposes, their words and the statuses: shared/src/appointments.ts (no TypeBox: the mini-program imports it)
export { APPOINTMENT_PURPOSES, APPOINTMENT_PURPOSE_LABELS, APPOINTMENT_STATUSES, type AppointmentPurpose, type AppointmentStatus } from '../appointments.js'
import { APPOINTMENT_PURPOSES, APPOINTMENT_STATUSES } from '../appointments.js'

/** The benefit icon (shared/src/tiers.ts) that gives a tier priority appointments: the reserved places, 7 more days ahead. */
export const PRIORITY_BENEFIT_ICON = 'priority'
/** How many days further ahead than the store's bookingDays a priority tier books. */
export const PRIORITY_EXTRA_DAYS = 7
/** How many upcoming appointments (requested or confirmed, not started) one member may hold at once. */
export const MAX_UPCOMING_APPOINTMENTS = 2

const Purpose = Type.Union(
  APPOINTMENT_PURPOSES.map((p) => Type.Literal(p)),
  { description: 'cleaning 清洗保养, resizing 改圈, custom 定制设计, viewing 到店看款' },
)
const Status = Type.Union(APPOINTMENT_STATUSES.map((s) => Type.Literal(s)))

/** A store's code: capitals, digits and dashes, 2–16 characters (no separators like | or $: it is part of keys). */
export const StoreCode = Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{1,15}$', minLength: 2, maxLength: 16, description: 'e.g. SH-IFC' })
const ClockTime = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', minLength: 5, maxLength: 5, description: 'HH:MM, Shanghai' })
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', minLength: 10, maxLength: 10, description: 'a Shanghai calendar date YYYY-MM-DD' })
/** An instant as the client sends it (RFC 3339, with Z or an offset). */
const TimeInput = Type.String({ format: 'date-time', minLength: 16, maxLength: 40, description: 'RFC 3339, e.g. 2026-03-12T10:00:00+08:00' })
const Time = Type.String({ format: 'date-time' })

const storeFields = {
  name: Type.String({ minLength: 1, maxLength: 40 }),
  address: Type.String({ minLength: 1, maxLength: 120 }),
  phone: Type.String({ pattern: '^[0-9+][0-9 -]{2,19}$', minLength: 3, maxLength: 20, description: 'digits, spaces, dashes, a leading +' }),
  hours: Type.Object(
    { open: ClockTime, close: ClockTime },
    { ...closed, description: 'opening hours, Shanghai: close after open, with room for at least one slot; slots start at open, every slotMinutes' },
  ),
  slotMinutes: Type.Union([Type.Literal(30), Type.Literal(60), Type.Literal(90), Type.Literal(120)], { description: 'the length of a slot' }),
  capacity: Type.Integer({ minimum: 1, maximum: 20, description: 'visits per slot' }),
  priorityCapacity: Type.Integer({
    minimum: 0,
    maximum: 20,
    description: 'of capacity, the visits kept for tiers whose benefits include priority appointments (at most capacity)',
  }),
  bookingDays: Type.Integer({ minimum: 1, maximum: 60, description: 'members book up to this many days after today; priority tiers 7 more' }),
  purposes: Type.Array(Purpose, { minItems: 1, maxItems: APPOINTMENT_PURPOSES.length, uniqueItems: true, description: 'what the store takes appointments for' }),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')], { description: 'closed: not listed, no new appointments (those made stay)' }),
}

/** A store (GET /api/stores, /api/admin/stores; PUT /api/admin/stores/:code). */
export const StoreSchema = Type.Object({ code: StoreCode, ...storeFields }, closed)
export type Store = Static<typeof StoreSchema>

/** PUT /api/admin/stores/:code — the whole store (create or replace); `code` may be left out (the path's), else must equal it. */
export const PutStoreSchema = Type.Object({ code: Type.Optional(StoreCode), ...storeFields }, closed)
export type PutStore = Static<typeof PutStoreSchema>

export const StoreParamsSchema = Type.Object({ code: StoreCode }, closed)
export const StoreListSchema = Type.Object({ items: Type.Array(StoreSchema) })
export type StoreList = Static<typeof StoreListSchema>

/** GET /api/appointments/slots?store=&date= (member token). */
export const SlotsQuerySchema = Type.Object({ store: StoreCode, date: DateText }, closed)

export const SlotSchema = Type.Object({
  start: Time,
  end: Time,
  left: Type.Integer({ description: 'places this member could book (the reserved ones count only for priority tiers)' }),
  priority: Type.Boolean({ description: 'only places kept for priority tiers remain' }),
  full: Type.Boolean({ description: 'nothing left for this member (left is 0)' }),
})
export type Slot = Static<typeof SlotSchema>

export const SlotsSchema = Type.Object({
  store: Type.String(),
  date: Type.String(),
  slots: Type.Array(SlotSchema, {
    description: 'the day’s slots within the hours, not started yet, within the member’s booking horizon (empty outside it), in order; full ones included',
  }),
  priorityMember: Type.Boolean({ description: 'the member’s tier has priority appointments: the reserved places and 7 more days ahead' }),
})
export type Slots = Static<typeof SlotsSchema>

/** POST /api/me/appointments */
export const CreateAppointmentSchema = Type.Object(
  {
    store: StoreCode,
    start: TimeInput,
    purpose: Purpose,
    note: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()], { description: 'for the store, e.g. the piece to bring' })),
    idempotencyKey: Type.String({ minLength: 8, maxLength: 64, pattern: '^[\\x21-\\x7e]+$', description: 'the same key again answers the same appointment (printable ASCII)' }),
  },
  closed,
)
export type CreateAppointment = Static<typeof CreateAppointmentSchema>

export const AppointmentSchema = Type.Object({
  id: Type.String(),
  memberId: Type.String(),
  store: Type.String(),
  storeName: Type.String(),
  start: Time,
  end: Time,
  purpose: Purpose,
  note: Type.Union([Type.String(), Type.Null()]),
  status: Status,
  cancelledBy: Type.Union([Type.Literal('member'), Type.Literal('staff'), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'why it was cancelled (told to the member)' }),
  createdAt: Time,
  updatedAt: Time,
})
export type Appointment = Static<typeof AppointmentSchema>

export const AppointmentListSchema = Type.Object({
  items: Type.Array(AppointmentSchema, { description: 'upcoming (requested or confirmed, not over) soonest first, then the others newest first; at most 50' }),
})
export type AppointmentList = Static<typeof AppointmentListSchema>

export const AppointmentParamsSchema = Type.Object({ id: ObjectIdString }, closed)

/** POST /api/me/appointments/:id/cancel */
export const CancelMyAppointmentSchema = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 200 })) }, closed)
export type CancelMyAppointment = Static<typeof CancelMyAppointmentSchema>

/** GET /api/staff/appointments — staff and managers see their own store's (store may be left out); admins name the store. */
export const StaffAppointmentsQuerySchema = Type.Object(
  {
    date: Type.Optional(DateText),
    status: Type.Optional(Status),
    store: Type.Optional(StoreCode),
  },
  closed,
)
export type StaffAppointmentsQuery = Static<typeof StaffAppointmentsQuerySchema>

export const StaffAppointmentSchema = Type.Composite([
  AppointmentSchema,
  Type.Object({
    member: Type.Object({
      nickname: Type.String(),
      phone: Type.Union([Type.String(), Type.Null()], { description: 'masked: 138****8000; null when the member shared none' }),
      tier: Type.Object({ code: Type.String(), name: Type.String() }),
    }),
  }),
])
export type StaffAppointment = Static<typeof StaffAppointmentSchema>

export const StaffAppointmentListSchema = Type.Object({
  items: Type.Array(StaffAppointmentSchema, { description: 'the store’s appointments that day, in order of their start' }),
})
export type StaffAppointmentList = Static<typeof StaffAppointmentListSchema>

/** POST /api/staff/appointments/:id/confirm, …/complete, …/no-show — an empty body ({}) or none. */
export const StaffAppointmentActionSchema = Type.Object({}, closed)
/** POST /api/staff/appointments/:id/reschedule */
export const RescheduleAppointmentSchema = Type.Object({ start: TimeInput }, closed)
export type RescheduleAppointment = Static<typeof RescheduleAppointmentSchema>
/** POST /api/staff/appointments/:id/cancel — the reason is told to the member. */
export const StaffCancelAppointmentSchema = Type.Object({ reason: Type.String({ minLength: 2, maxLength: 200 }) }, closed)
export type StaffCancelAppointment = Static<typeof StaffCancelAppointmentSchema>
