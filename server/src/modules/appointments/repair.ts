import type { AppointmentDoc, SlotCounterDoc } from './models.js'
import { type AppointmentDeps, AppointmentRecords, UPCOMING } from './records.js'

/** A booking still pending after this long was left by a process that died: the sweep undoes it. */
export const STALE_PENDING_MS = 2 * 60_000
/** How many left-overs one sweep handles (the next run takes the rest). */
const SWEEP_BATCH = 500

/** The statuses of an appointment that holds a unit of its slot (a completed or missed visit had its place). */
const HOLDING = new Set(['requested', 'confirmed', 'completed', 'no_show'])

/**
 * What a crash can leave behind, finished or undone, and the proof that the slot counters agree with the
 * appointments (npm run reconcile).
 */
export class AppointmentRepair {
  constructor(
    private readonly deps: AppointmentDeps,
    private readonly records: AppointmentRecords,
  ) {}

  /**
   * Undoes bookings left pending (the appointment deleted first — from then on the booking cannot complete — then its
   * unit and the member's place given back, each at most once), and gives back the units of cancellations whose
   * process died after the status changed. Safe to run at any time, in any number of processes.
   */
  async sweep(): Promise<{ abandoned: number; freed: number }> {
    const { models, counters, holds } = this.deps
    const cutoff = new Date(this.deps.now().getTime() - STALE_PENDING_MS)
    let abandoned = 0
    const stale = await models.Appointment.find({ status: 'pending', createdAt: { $lt: cutoff } }, { slotKey: 1, memberId: 1 }).limit(SWEEP_BATCH).lean<AppointmentDoc[]>()
    for (const doc of stale) {
      const deleted = await models.Appointment.deleteOne({ _id: doc._id, status: 'pending', createdAt: { $lt: cutoff } })
      if (deleted.deletedCount !== 1) continue
      await counters.giveBack(doc.slotKey, doc._id.toString())
      await holds.release(doc.memberId.toString(), doc._id.toString())
      abandoned++
    }
    const unfreed = await models.Appointment.find({ status: 'cancelled', unit: { $ne: null } }).limit(SWEEP_BATCH).lean<AppointmentDoc[]>()
    for (const doc of unfreed) {
      await this.records.freeUnit(doc)
      await holds.release(doc.memberId.toString(), doc._id.toString())
    }
    return { abandoned, freed: unfreed.length }
  }

  /**
   * Every slot counter against the appointments holding its units, and every member's places against their upcoming
   * appointments; one line per difference. A unit held for an appointment that is cancelled, elsewhere or gone is
   * under-sold (a crash between two steps of a reschedule); an appointment its counter does not count is worse (the
   * slot may be over-sold). Run it when nobody books: a booking or a reschedule between its steps shows as a
   * difference that is gone on the next run. Bookings pending at the time are left out.
   */
  async reconcile(): Promise<string[]> {
    await this.sweep()
    const { models, holds } = this.deps
    const now = this.deps.now()
    const problems: string[] = []
    const appointments = new Map<string, { status: string; slotKey: string; unit: string | null; memberId: string; start: Date }>()
    const expected = new Map<string, { general: Set<string>; priority: Set<string> }>()
    for await (const a of models.Appointment.find({}, { status: 1, slotKey: 1, unit: 1, memberId: 1, start: 1 }).lean<AppointmentDoc>().cursor()) {
      const id = a._id.toString()
      appointments.set(id, { status: a.status, slotKey: a.slotKey, unit: a.unit ?? null, memberId: a.memberId.toString(), start: a.start })
      if (!HOLDING.has(a.status)) continue
      if (!a.unit) {
        problems.push(`appointment ${id} (${a.status}, slot ${a.slotKey}) holds no unit of its slot`)
        continue
      }
      const slot = expected.get(a.slotKey) ?? { general: new Set<string>(), priority: new Set<string>() }
      slot[a.unit === 'priority' ? 'priority' : 'general'].add(id)
      expected.set(a.slotKey, slot)
    }
    const describe = (id: string, key: string) => {
      const a = appointments.get(id)
      if (!a) return 'which does not exist'
      if (a.status === 'pending') return null
      if (!HOLDING.has(a.status)) return `which is ${a.status}`
      if (a.slotKey !== key) return `which is at ${a.slotKey}`
      return `whose unit is ${a.unit}`
    }
    const seen = new Set<string>()
    for await (const c of models.SlotCounter.find({}).lean<SlotCounterDoc>().cursor()) {
      seen.add(c._id)
      const want = expected.get(c._id) ?? { general: new Set<string>(), priority: new Set<string>() }
      for (const [pool, count, holders, field] of [
        ['general', c.booked, c.holders ?? [], 'booked'],
        ['priority', c.priorityBooked, c.priorityHolders ?? [], 'priorityBooked'],
      ] as const) {
        if (count !== holders.length) problems.push(`appointment slot ${c._id}: ${field} is ${count}, ${holders.length} appointments are listed as holding its ${pool} units`)
        const wanted = want[pool]
        for (const id of holders) {
          if (wanted.has(id)) continue
          const why = describe(id, c._id)
          if (why) problems.push(`appointment slot ${c._id}: a ${pool} unit is held for appointment ${id}, ${why} (under-sold by one)`)
        }
        for (const id of wanted) {
          if (!holders.includes(id)) problems.push(`appointment slot ${c._id}: appointment ${id} holds a ${pool} unit the counter does not count (the slot may be over-sold)`)
        }
      }
    }
    for (const [key, want] of expected) {
      if (!seen.has(key)) problems.push(`appointment slot ${key}: ${want.general.size + want.priority.size} appointments hold units of a slot that has no counter`)
    }
    // the members' places: a place held for an appointment that is not upcoming blocks one of theirs; an upcoming
    // appointment without its place lets the member pass the limit
    const held = new Set<string>()
    for (const doc of await holds.all()) {
      for (const hold of doc.holds) {
        held.add(hold.id)
        if (hold.start.getTime() <= now.getTime()) continue
        const a = appointments.get(hold.id)
        if (a?.status === 'pending') continue
        if (!a || !(UPCOMING as readonly string[]).includes(a.status)) {
          problems.push(`member ${doc._id}: a place is held for appointment ${hold.id}, which ${a ? `is ${a.status}` : 'does not exist'} (it blocks one of their places until ${hold.start.toISOString()})`)
        }
      }
    }
    for (const [id, a] of appointments) {
      if ((UPCOMING as readonly string[]).includes(a.status) && a.start.getTime() > now.getTime() && !held.has(id)) {
        problems.push(`appointment ${id}: upcoming, but not among member ${a.memberId}'s places (the limit of upcoming appointments does not count it)`)
      }
    }
    return problems
  }
}
