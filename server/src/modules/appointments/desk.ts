import { isDateText, shanghaiDate, type Appointment, type AppointmentPurpose, type AppointmentStatus, type StaffAppointment, type StaffAppointmentsQuery } from '@member-center/shared'
import { Conflict, Forbidden, NotAvailable, NotFound, SlotFull, ValidationFailed } from '../../core/errors.js'
import { exactInstant } from '../../core/times.js'
import { maskPhone } from '../members/profile.js'
import type { AppointmentDoc } from './models.js'
import { type AppointmentDeps, AppointmentRecords, UPCOMING } from './records.js'
import { horizonDays, slotEnd, slotKey, slotProblem } from './rules.js'
import { type StaffActor, auditEntry, storeScope } from './staff-actor.js'
import { storeView } from './stores.js'

const DAY_MS = 86_400_000
/** The most appointments a store's day lists (20 places × 48 slots, with room for cancellations). */
const DAY_LIMIT = 2_000

/** One of a store's appointments on a day, as today's tasks at the counter show it (`app.appointments.forStoreOn`). */
export interface StoreDayAppointment {
  id: string
  memberId: string
  memberName: string
  start: Date
  purpose: AppointmentPurpose
  status: AppointmentStatus
}

const isUpcoming = (status: string) => (UPCOMING as readonly string[]).includes(status)

/** The first instant of a Shanghai date. */
function startOfDate(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00+08:00`))
}

/**
 * The staff side: a store's appointments on a day (with who is coming), and the changes staff make — confirm,
 * reschedule (into a slot with room, never two of the member's at once), cancel (with the reason told to the member),
 * completed, no-show. Staff and managers act for their own store only: another store's appointment is a 404, as if
 * it did not exist; admins act for every store. Every change is audited (who, what, whom, when, which store); the
 * member is told of a confirmation, a new time and a cancellation (message kind `appointment`).
 */
export class StaffDesk {
  constructor(
    private readonly deps: AppointmentDeps,
    private readonly records: AppointmentRecords,
  ) {}

  /** GET /api/staff/appointments */
  async list(by: StaffActor, query: StaffAppointmentsQuery): Promise<StaffAppointment[]> {
    const scope = storeScope(by)
    let store: string
    if (scope === null) {
      if (!query.store) throw new ValidationFailed('querystring.store: is required for an admin (the store whose appointments to list)')
      if (!(await this.deps.stores.exists(query.store))) throw new NotFound(`store ${query.store} not found`)
      store = query.store
    } else {
      if (query.store && query.store !== scope) throw new Forbidden(`you act for store ${scope} only`)
      store = scope
    }
    const date = query.date ?? shanghaiDate(this.deps.now())
    if (!isDateText(date)) throw new ValidationFailed(`querystring.date: ${date} is not a calendar date`)
    const docs = await this.day(store, date, query.status)
    const views = await this.records.views(docs)
    const members = await this.deps.members.findManyByRefKeys(docs.map((d) => `memberId:${d.memberId.toString()}`))
    const tiers = await this.deps.tiers.current()
    return views.map((view) => {
      const member = members.get(`memberId:${view.memberId}`)
      const tier = tiers.find((t) => t.level === (member?.tierLevel ?? 1))
      return {
        ...view,
        member: {
          nickname: member?.nickname ?? '',
          phone: member?.phone ? maskPhone(member.phone) : null,
          tier: { code: tier?.code ?? '', name: tier?.name ?? '' },
        },
      }
    })
  }

  /** Today's tasks at the counter: a store's appointments on a Shanghai date (every status), in order. */
  async forStoreOn(store: string, date: string): Promise<StoreDayAppointment[]> {
    if (typeof store !== 'string' || !isDateText(date)) return []
    const docs = await this.day(store, date)
    const members = await this.deps.members.findManyByRefKeys(docs.map((d) => `memberId:${d.memberId.toString()}`))
    return docs.map((d) => ({
      id: d._id.toString(),
      memberId: d.memberId.toString(),
      memberName: members.get(`memberId:${d.memberId.toString()}`)?.nickname ?? '',
      start: d.start,
      purpose: d.purpose as AppointmentPurpose,
      status: d.status as AppointmentStatus,
    }))
  }

  /** POST …/:id/confirm: a requested appointment becomes confirmed (again: answered as it is). */
  async confirm(by: StaffActor, id: string): Promise<Appointment> {
    const doc = await this.load(by, id)
    if (doc.status === 'confirmed') {
      await this.records.notify(doc, 'confirmed')
      return this.records.view(doc)
    }
    if (doc.status !== 'requested') throw new Conflict(`the appointment is ${doc.status}; only a requested one can be confirmed`)
    const now = this.deps.now()
    const after = await this.deps.models.Appointment.findOneAndUpdate(
      { _id: doc._id, status: 'requested' },
      { $set: { status: 'confirmed', updatedAt: now }, $inc: { rev: 1 } },
      { returnDocument: 'after', lean: true },
    )
    if (!after) return this.settledAs(id, 'confirmed')
    const confirmed = after as unknown as AppointmentDoc
    await this.audit(by, 'appointment.confirm', confirmed, {}, now)
    await this.records.notify(confirmed, 'confirmed')
    return this.records.view(confirmed)
  }

  /**
   * POST …/:id/reschedule: moves an upcoming appointment to another slot of its store — on the grid, not started,
   * within the longest horizon (bookingDays + 7) — with room for the member's tier, and not at the time of another
   * of the member's appointments. The new unit is taken before the old one is given back, so a refusal keeps the
   * appointment where it was. The appointment is confirmed at its new time (the store chose it).
   */
  async reschedule(by: StaffActor, id: string, startText: string): Promise<Appointment> {
    const doc = await this.load(by, id)
    if (!isUpcoming(doc.status)) throw new Conflict(`the appointment is ${doc.status}; only a requested or confirmed one can be moved`)
    const at = exactInstant(startText)
    if (at === null) throw new ValidationFailed(`body.start: ${startText} is not a real date and time`)
    const start = new Date(at)
    if (start.getTime() === doc.start.getTime()) throw new ValidationFailed('body.start: the appointment is at that time already')
    const store = await this.deps.stores.doc(doc.store)
    if (!store) throw new NotFound(`store ${doc.store} not found`)
    if (store.status !== 'open') throw new NotAvailable(`store ${doc.store} is not taking appointments`)
    const rules = storeView(store)
    const now = this.deps.now()
    const problem = slotProblem(rules, start, now, horizonDays(rules, true))
    if (problem) throw new ValidationFailed(`body.start: ${problem}`)
    const priority = (await this.records.member(doc.memberId))?.priority ?? false
    const end = slotEnd(rules, start)
    const key = slotKey(doc.store, start)
    const appointmentId = doc._id.toString()
    const memberId = doc.memberId.toString()
    const { counters, holds } = this.deps

    // the member's place moves first (refused when another of theirs is at the new time)
    await holds.claim(memberId, { id: appointmentId, start, end }, now)
    const restoreHold = async () => {
      if (doc.start.getTime() > now.getTime()) await holds.claim(memberId, { id: appointmentId, start: doc.start, end: doc.end }, now).catch(() => undefined)
      else await holds.release(memberId, appointmentId)
    }
    let unit: 'general' | 'priority' | null
    try {
      unit = await counters.take(key, { store: doc.store, start }, appointmentId, rules, priority)
    } catch (error) {
      await restoreHold()
      throw error
    }
    if (!unit) {
      await restoreHold()
      throw new SlotFull(`the slot at ${start.toISOString()} is full; the appointment stays at ${doc.start.toISOString()}`)
    }
    const after = await this.deps.models.Appointment.findOneAndUpdate(
      { _id: doc._id, rev: doc.rev, status: { $in: [...UPCOMING] } },
      { $set: { start, end, slotKey: key, unit, status: 'confirmed', updatedAt: now }, $inc: { rev: 1 } },
      { returnDocument: 'after', lean: true },
    )
    if (!after) {
      await counters.giveBack(key, appointmentId)
      await restoreHold()
      throw new Conflict('the appointment changed meanwhile; look at it again')
    }
    await counters.giveBack(doc.slotKey, appointmentId)
    const moved = after as unknown as AppointmentDoc
    await this.audit(by, 'appointment.reschedule', moved, { from: doc.start.toISOString(), to: start.toISOString() }, now)
    await this.records.notify(moved, 'rescheduled')
    return this.records.view(moved)
  }

  /** POST …/:id/cancel: an upcoming appointment is cancelled by the store, the reason told to the member. */
  async cancel(by: StaffActor, id: string, reason: string): Promise<Appointment> {
    const doc = await this.load(by, id)
    if (doc.status === 'cancelled') {
      await this.records.notify(doc, 'cancelled')
      return this.records.view(doc)
    }
    if (!isUpcoming(doc.status)) throw new Conflict(`the appointment is ${doc.status}; it can no longer be cancelled`)
    const result = await this.records.cancel(doc, 'staff', reason.trim())
    if (!result.cancelled) {
      if (result.doc.status === 'cancelled') return this.records.view(result.doc)
      throw new Conflict(`the appointment is ${result.doc.status}; it can no longer be cancelled`)
    }
    await this.audit(by, 'appointment.cancel', result.doc, { reason: reason.trim() }, this.deps.now())
    await this.records.notify(result.doc, 'cancelled')
    return this.records.view(result.doc)
  }

  /** POST …/:id/complete: the visit took place (from its day on). */
  async complete(by: StaffActor, id: string): Promise<Appointment> {
    const doc = await this.load(by, id)
    const now = this.deps.now()
    if (doc.status !== 'completed' && isUpcoming(doc.status) && shanghaiDate(doc.start) > shanghaiDate(now)) {
      throw new Conflict(`the appointment is on ${shanghaiDate(doc.start)}; it can be completed from that day on`)
    }
    return this.finish(by, doc, 'completed', now)
  }

  /** POST …/:id/no-show: the member did not come (once the time has come). */
  async noShow(by: StaffActor, id: string): Promise<Appointment> {
    const doc = await this.load(by, id)
    const now = this.deps.now()
    if (doc.status !== 'no_show' && isUpcoming(doc.status) && doc.start.getTime() > now.getTime()) {
      throw new Conflict(`the appointment starts at ${doc.start.toISOString()}; it can be marked as missed after that`)
    }
    return this.finish(by, doc, 'no_show', now)
  }

  /** Completed or missed: the slot's unit stays counted (the visit had its place), the member's place is free. */
  private async finish(by: StaffActor, doc: AppointmentDoc, status: 'completed' | 'no_show', now: Date): Promise<Appointment> {
    if (doc.status === status) return this.records.view(doc)
    if (!isUpcoming(doc.status)) throw new Conflict(`the appointment is ${doc.status}; only a requested or confirmed one can be marked ${status}`)
    const after = await this.deps.models.Appointment.findOneAndUpdate(
      { _id: doc._id, status: { $in: [...UPCOMING] } },
      { $set: { status, updatedAt: now }, $inc: { rev: 1 } },
      { returnDocument: 'after', lean: true },
    )
    if (!after) return this.settledAs(doc._id.toString(), status)
    const done = after as unknown as AppointmentDoc
    await this.deps.holds.release(done.memberId.toString(), done._id.toString())
    await this.audit(by, status === 'completed' ? 'appointment.complete' : 'appointment.no-show', done, {}, now)
    return this.records.view(done)
  }

  /** After a conditional change found the appointment changed: it is in the wanted state (another call did it), or 409. */
  private async settledAs(id: string, status: AppointmentStatus): Promise<Appointment> {
    const now = await this.records.byId(id)
    if (now?.status === status) return this.records.view(now)
    throw new Conflict(`the appointment is ${now?.status ?? 'gone'} now; look at it again`)
  }

  /** An appointment the caller may act on: another store's (for staff and managers) is not found. */
  private async load(by: StaffActor, id: string): Promise<AppointmentDoc> {
    const scope = storeScope(by)
    const doc = await this.records.byId(id)
    if (!doc || doc.status === 'pending' || (scope !== null && doc.store !== scope)) throw new NotFound(`appointment ${id} not found`)
    return doc
  }

  /** A store's appointments on a Shanghai date (none pending), in order of their start. */
  private async day(store: string, date: string, status?: AppointmentStatus): Promise<AppointmentDoc[]> {
    const from = startOfDate(date)
    return this.deps.models.Appointment.find({ store, start: { $gte: from, $lt: new Date(from.getTime() + DAY_MS) }, status: status ?? { $ne: 'pending' } })
      .sort({ start: 1, _id: 1 })
      .limit(DAY_LIMIT)
      .lean<AppointmentDoc[]>()
  }

  private async audit(by: StaffActor, action: string, doc: AppointmentDoc, details: Record<string, unknown>, at: Date): Promise<void> {
    await this.deps.audit.record(
      auditEntry(by, action, doc.memberId, { appointmentId: doc._id.toString(), start: doc.start.toISOString(), purpose: doc.purpose, status: doc.status, ...details }, at, doc.store),
    )
  }
}
