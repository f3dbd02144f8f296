import { MAX_UPCOMING_APPOINTMENTS, type Store } from '@member-center/shared'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import { Conflict, LimitReached } from '../../core/errors.js'
import type { AppointmentModels, Hold, MemberHoldDoc, SlotCounterDoc } from './models.js'
import { unitsLeft, type Units } from './rules.js'

export type Unit = 'general' | 'priority'

/**
 * The units of each slot (appointment_slots): taken and given back by single conditional updates, each appointment
 * at most once per slot (it is a holder or it is not), so a slot never holds more than its places and a unit is
 * never given back twice — whatever runs at the same time, with no transaction.
 */
export class SlotCounters {
  constructor(private readonly models: AppointmentModels) {}

  /** The counters of these slots, by key (a slot nobody booked has none). */
  async read(keys: string[]): Promise<Map<string, Units>> {
    if (keys.length === 0) return new Map()
    const docs = await this.models.SlotCounter.find({ _id: { $in: keys } }, { booked: 1, priorityBooked: 1 }).lean<SlotCounterDoc[]>()
    return new Map(docs.map((d) => [d._id, { booked: d.booked, priorityBooked: d.priorityBooked }]))
  }

  /**
   * Takes a unit of the slot for an appointment: a priority member a reserved one first (so the general places stay
   * for everyone), then a general one. Answers the pool it came from, or null when the slot has nothing left for
   * this member. If the appointment already holds a unit of the slot (a retry), that one is answered.
   */
  async take(key: string, slot: { store: string; start: Date }, appointmentId: string, store: Pick<Store, 'capacity' | 'priorityCapacity'>, priority: boolean): Promise<Unit | null> {
    const general = store.capacity - store.priorityCapacity
    const notHolding = { holders: { $ne: appointmentId }, priorityHolders: { $ne: appointmentId } }
    for (let attempt = 0; attempt < 10; attempt++) {
      if (priority && store.priorityCapacity > 0) {
        const done = await this.models.SlotCounter.updateOne(
          { _id: key, priorityBooked: { $lt: store.priorityCapacity }, ...notHolding },
          { $inc: { priorityBooked: 1 }, $push: { priorityHolders: appointmentId } },
        )
        if (done.modifiedCount === 1) return 'priority'
      }
      if (general > 0) {
        const done = await this.models.SlotCounter.updateOne({ _id: key, booked: { $lt: general }, ...notHolding }, { $inc: { booked: 1 }, $push: { holders: appointmentId } })
        if (done.modifiedCount === 1) return 'general'
      }
      const counter = await this.models.SlotCounter.findById(key).lean<SlotCounterDoc>()
      if (counter) {
        if ((counter.holders ?? []).includes(appointmentId)) return 'general'
        if ((counter.priorityHolders ?? []).includes(appointmentId)) return 'priority'
        const left = unitsLeft(store, counter)
        if (left.general === 0 && (!priority || left.reserved === 0)) return null
        // room after all: the counter was created or given back to between the update and this read; again
        continue
      }
      // the slot's first booking: its counter is created (by whichever request comes first), then taken from. An
      // insert, not an upsert: FerretDB 1.24 leaves the empty arrays out of an upserted document
      try {
        await this.models.SlotCounter.collection.insertOne({ _id: key, store: slot.store, start: slot.start, booked: 0, priorityBooked: 0, holders: [], priorityHolders: [] } as never)
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
      }
    }
    throw new Conflict('the slot kept changing while a place was being taken; try again')
  }

  /** Gives back the unit an appointment holds in a slot, if it holds one: true when one was given back by this call. */
  async giveBack(key: string, appointmentId: string): Promise<boolean> {
    const general = await this.models.SlotCounter.updateOne({ _id: key, holders: appointmentId }, { $inc: { booked: -1 }, $pull: { holders: appointmentId } })
    if (general.modifiedCount === 1) return true
    const reserved = await this.models.SlotCounter.updateOne({ _id: key, priorityHolders: appointmentId }, { $inc: { priorityBooked: -1 }, $pull: { priorityHolders: appointmentId } })
    return reserved.modifiedCount === 1
  }
}

/** Two time ranges overlap (end exclusive). */
function overlaps(a: { start: Date; end: Date }, b: { start: Date; end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime()
}

/**
 * Each member's upcoming appointments (appointment_member_holds), rewritten as a whole under a revision: at most
 * MAX_UPCOMING_APPOINTMENTS that have not started, and never two whose times overlap, however many bookings of one
 * member arrive at once. Holds of appointments that have started are dropped on the next write.
 */
export class MemberHolds {
  constructor(private readonly models: AppointmentModels) {}

  /**
   * Adds (or moves, when `hold.id` is held already) a member's hold: refused with LIMIT_REACHED when the member holds
   * the most upcoming appointments already, with CONFLICT when another of theirs overlaps it.
   */
  async claim(memberId: string, hold: Hold, now: Date): Promise<void> {
    await this.rewrite(memberId, (holds) => {
      const others = holds.filter((h) => h.id !== hold.id && h.start.getTime() > now.getTime())
      const clash = others.find((h) => overlaps(h, hold))
      if (clash) throw new Conflict(`you have another appointment at that time (${clash.start.toISOString()}); cancel it first or choose another time`)
      if (others.length >= MAX_UPCOMING_APPOINTMENTS) {
        throw new LimitReached(`you have ${others.length} upcoming appointments already, the most one member may hold; cancel one first`)
      }
      return [...others, hold]
    })
  }

  /** Drops the hold of an appointment (cancelled, done, missed, or never made); nothing when there is none. */
  async release(memberId: string, appointmentId: string): Promise<void> {
    await this.rewrite(memberId, (holds) => (holds.some((h) => h.id === appointmentId) ? holds.filter((h) => h.id !== appointmentId) : null))
  }

  /** The member's holds as stored (reconcile). */
  async all(): Promise<MemberHoldDoc[]> {
    const docs = await this.models.MemberHold.find({}).lean<MemberHoldDoc[]>()
    return docs.map((d) => ({ ...d, holds: d.holds ?? [] }))
  }

  /** Applies `change` to the member's holds under their revision (null: nothing to write), retrying when another write came first. */
  private async rewrite(memberId: string, change: (holds: Hold[]) => Hold[] | null): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const doc = await this.models.MemberHold.findById(memberId).lean<MemberHoldDoc>()
      const next = change(doc?.holds ?? [])
      if (next === null) return
      if (!doc) {
        try {
          await this.models.MemberHold.create({ _id: memberId, holds: next, rev: 1 })
          return
        } catch (error) {
          if (isDuplicateKey(error)) continue
          throw error
        }
      }
      const done = await this.models.MemberHold.updateOne({ _id: memberId, rev: doc.rev }, { $set: { holds: next, rev: doc.rev + 1 } })
      if (done.modifiedCount === 1) return
    }
    throw new Conflict('your appointments changed several times at once; try again')
  }
}
