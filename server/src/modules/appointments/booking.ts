import { isDateText, shanghaiDate, type Appointment, type CreateAppointment, type Slots } from '@member-center/shared'
import { setTimeout as sleep } from 'node:timers/promises'
import { Types } from 'mongoose'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import { Conflict, NotAvailable, NotFound, SlotFull, ValidationFailed } from '../../core/errors.js'
import { fingerprint } from '../../core/fingerprint.js'
import { exactInstant } from '../../core/times.js'
import type { AppointmentDoc, StoreDoc } from './models.js'
import { type AppointmentDeps, AppointmentRecords, UPCOMING, appointmentIdFor } from './records.js'
import { horizonDays, slotEnd, slotFor, slotKey, slotProblem, slotStarts, withinHorizon } from './rules.js'
import { storeView } from './stores.js'

/** How long a request with a key whose booking is under way waits for it before answering 409. */
const WAIT_FOR_TWIN_MS = 5_000
/** How many of a member's appointments the list shows. */
const LIST_LIMIT = 50

/** A booking checked and ready to be made. */
interface Plan {
  store: StoreDoc
  start: Date
  end: Date
  key: string
  priority: boolean
}

/**
 * The member's side: the slots of a store's day, booking a visit, the member's appointments, cancelling one.
 *
 * Booking, without transactions, in steps each guarded by its own condition:
 *  1. the appointment is inserted `pending` under the id its idempotency key gives (a request with the same key
 *     finds it, and waits for it to settle; two at once collide here and only one goes on);
 *  2. the member's place is claimed (at most two upcoming, none at the same time: a revision-guarded rewrite);
 *  3. a unit of the slot is taken (one conditional update on the slot's counter);
 *  4. the appointment becomes `requested`, holding the unit (conditional on still being pending).
 * A refusal at 2 or 3 undoes what was done (the pending appointment is deleted first, then the unit and the place
 * given back) and the key is free again. A process dying between steps leaves a pending appointment that the repair
 * sweep deletes and undoes the same way; if the repair comes first, step 4 fails and the request undoes itself.
 */
export class AppointmentBook {
  constructor(
    private readonly deps: AppointmentDeps,
    private readonly records: AppointmentRecords,
  ) {}

  /** GET /api/appointments/slots: a store's slots on a date as this member sees them. */
  async slots(memberId: string, code: string, date: string): Promise<Slots> {
    if (!isDateText(date)) throw new ValidationFailed(`querystring.date: ${date} is not a calendar date`)
    const store = await this.openStore(code)
    const who = await this.records.member(memberId)
    if (!who) throw new NotFound(`member ${memberId} not found`)
    const now = this.deps.now()
    const rules = storeView(store)
    if (!withinHorizon(date, shanghaiDate(now), horizonDays(rules, who.priority))) return { store: code, date, slots: [], priorityMember: who.priority }
    const starts = slotStarts(rules, date).filter((s) => s.getTime() > now.getTime())
    const counters = await this.deps.counters.read(starts.map((s) => slotKey(code, s)))
    return {
      store: code,
      date,
      priorityMember: who.priority,
      slots: starts.map((start) => ({
        start: start.toISOString(),
        end: slotEnd(rules, start).toISOString(),
        ...slotFor(rules, counters.get(slotKey(code, start)) ?? null, who.priority),
      })),
    }
  }

  /** POST /api/me/appointments: `created` false when the key was used before with the same booking. */
  async book(memberId: string, input: CreateAppointment): Promise<{ created: boolean; appointment: Appointment }> {
    const id = appointmentIdFor(memberId, input.idempotencyKey)
    const at = exactInstant(input.start)
    if (at === null) throw new ValidationFailed(`body.start: ${input.start} is not a real date and time`)
    const note = input.note?.trim() ? input.note.trim() : null
    const requestHash = fingerprint([input.store, at, input.purpose, note])
    const earlier = await this.replay(id, requestHash)
    if (earlier) return { created: false, appointment: earlier }

    const plan = await this.plan(memberId, input, new Date(at))
    for (let attempt = 0; attempt < 3; attempt++) {
      const made = await this.make(id, memberId, plan, input, note, requestHash)
      if (made) return { created: true, appointment: made }
      // another request with the key got there first: its appointment, once it settles
      const twin = await this.replay(id, requestHash)
      if (twin) return { created: false, appointment: twin }
    }
    throw new Conflict('the booking with this idempotencyKey kept changing; try again')
  }

  /** GET /api/me/appointments: upcoming ones soonest first, then the rest newest first, at most 50. */
  async mine(memberId: string): Promise<Appointment[]> {
    const now = this.deps.now()
    const member = new Types.ObjectId(memberId)
    const upcoming = { memberId: member, status: { $in: [...UPCOMING] }, end: { $gt: now } }
    const soon = await this.deps.models.Appointment.find(upcoming).sort({ start: 1 }).limit(LIST_LIMIT).lean<AppointmentDoc[]>()
    const rest = await this.deps.models.Appointment.find({
      memberId: member,
      status: { $ne: 'pending' },
      $or: [{ status: { $nin: [...UPCOMING] } }, { end: { $lte: now } }],
    })
      .sort({ start: -1 })
      .limit(LIST_LIMIT - soon.length)
      .lean<AppointmentDoc[]>()
    return this.records.views([...soon, ...rest].slice(0, LIST_LIMIT))
  }

  /** POST /api/me/appointments/:id/cancel: the member's own appointment (another's is a 404), before it starts. */
  async cancel(memberId: string, id: string, reason: string | null): Promise<Appointment> {
    const doc = await this.records.byId(id)
    if (!doc || doc.status === 'pending' || doc.memberId.toString() !== memberId) throw new NotFound(`appointment ${id} not found`)
    if (doc.status === 'cancelled') {
      await this.records.notify(doc, 'cancelled')
      return this.records.view(doc)
    }
    if (doc.status === 'completed' || doc.status === 'no_show') throw new Conflict(`the appointment is ${doc.status === 'completed' ? 'completed' : 'marked as missed'}; it can no longer be cancelled`)
    if (doc.start.getTime() <= this.deps.now().getTime()) throw new Conflict('the appointment has started; ask the store')
    const result = await this.records.cancel(doc, 'member', reason)
    if (result.doc.status !== 'cancelled') throw new Conflict(`the appointment is ${result.doc.status}; it can no longer be cancelled`)
    await this.records.notify(result.doc, 'cancelled')
    return this.records.view(result.doc)
  }

  /** The store, open for appointments. */
  private async openStore(code: string): Promise<StoreDoc> {
    const store = await this.deps.stores.doc(code)
    if (!store) throw new NotFound(`store ${code} not found`)
    if (store.status !== 'open') throw new NotAvailable(`store ${code} is not taking appointments`)
    return store
  }

  /** Checks a booking before anything is written: the store, the purpose, the member, the slot. */
  private async plan(memberId: string, input: CreateAppointment, start: Date): Promise<Plan> {
    const store = await this.openStore(input.store)
    if (!store.purposes.includes(input.purpose)) throw new ValidationFailed(`body.purpose: store ${input.store} takes appointments for ${store.purposes.join(', ')}`)
    const who = await this.records.member(memberId)
    if (!who) throw new NotFound(`member ${memberId} not found`)
    const rules = storeView(store)
    const problem = slotProblem(rules, start, this.deps.now(), horizonDays(rules, who.priority))
    if (problem) throw new ValidationFailed(`body.start: ${problem}`)
    return { store, start, end: slotEnd(rules, start), key: slotKey(store._id, start), priority: who.priority }
  }

  /** Steps 1–4 of a booking; null when another request with the key inserted its appointment first. */
  private async make(id: Types.ObjectId, memberId: string, plan: Plan, input: CreateAppointment, note: string | null, requestHash: string): Promise<Appointment | null> {
    const { models, counters, holds } = this.deps
    const now = this.deps.now()
    const appointmentId = id.toString()
    try {
      await models.Appointment.create({
        _id: id,
        memberId,
        store: plan.store._id,
        start: plan.start,
        end: plan.end,
        purpose: input.purpose,
        note,
        status: 'pending',
        requestHash,
        slotKey: plan.key,
        unit: null,
        rev: 0,
        createdAt: now,
        updatedAt: now,
      })
    } catch (error) {
      if (isDuplicateKey(error)) return null
      throw error
    }
    const undo = async () => {
      // the pending appointment first: from then on the repair sweep cannot finish it, and the unit and the place
      // go back whoever gives them (both are given back at most once)
      await models.Appointment.deleteOne({ _id: id, status: 'pending' })
      await counters.giveBack(plan.key, appointmentId)
      await holds.release(memberId, appointmentId)
    }
    let unit: 'general' | 'priority' | null
    try {
      await holds.claim(memberId, { id: appointmentId, start: plan.start, end: plan.end }, now)
      unit = await counters.take(plan.key, { store: plan.store._id, start: plan.start }, appointmentId, storeView(plan.store), plan.priority)
    } catch (error) {
      await undo().catch((e) => this.deps.log?.warn({ err: e, appointmentId }, 'appointment booking: undo failed (the repair sweep finishes it)'))
      throw error
    }
    if (!unit) {
      await undo()
      throw new SlotFull(`the slot at ${plan.start.toISOString()} is full${plan.store.priorityCapacity > 0 && !plan.priority ? ' (its other places are kept for priority tiers)' : ''}`)
    }
    const done = await models.Appointment.findOneAndUpdate(
      { _id: id, status: 'pending' },
      { $set: { status: 'requested', unit, updatedAt: now }, $inc: { rev: 1 } },
      { returnDocument: 'after', lean: true },
    )
    if (!done) {
      // the repair sweep took it for abandoned (this request was very slow): undone, as a refusal would be
      await undo()
      throw new Conflict('the booking took too long and was undone; book again')
    }
    const doc = done as unknown as AppointmentDoc
    await this.records.notify(doc, 'booked')
    return this.records.view(doc)
  }

  /**
   * The appointment a key already made, or null when there is none (or the request that was making it gave up): a
   * pending one is waited for; another body under the key is a 409.
   */
  private async replay(id: Types.ObjectId, requestHash: string): Promise<Appointment | null> {
    let doc = await this.records.byId(id)
    const deadline = Date.now() + WAIT_FOR_TWIN_MS
    while (doc?.status === 'pending' && Date.now() < deadline) {
      await sleep(25)
      doc = await this.records.byId(id)
    }
    if (!doc) return null
    if (doc.requestHash !== requestHash) throw new Conflict('this idempotencyKey was used for another appointment (another store, time, purpose or note); use a new key')
    if (doc.status === 'pending') throw new Conflict('the booking with this idempotencyKey is still being made; ask again in a moment')
    // the message of the booking, in case the request that made it died before writing it (once per key anyway)
    if (doc.status === 'requested') await this.records.notify(doc, 'booked')
    return this.records.view(doc)
  }
}
