import fp from 'fastify-plugin'
import { AppointmentBook } from './booking.js'
import { StaffDesk, type StoreDayAppointment } from './desk.js'
import { appointmentModels } from './models.js'
import { MemberHolds, SlotCounters } from './places.js'
import { AppointmentRecords } from './records.js'
import { AppointmentRepair } from './repair.js'
import adminStoreRoutes from './routes/admin-stores.js'
import meRoutes from './routes/me-appointments.js'
import slotRoutes from './routes/slots.js'
import staffRoutes from './routes/staff-appointments.js'
import storeRoutes from './routes/stores.js'
import { Stores } from './stores.js'

export const APPOINTMENTS_REPAIR_JOB = 'appointments.repair'
const REPAIR_EVERY_MS = 60 * 60_000

/** The appointments service: the member's side, the staff's side, the counter's day, the repair and the proof. */
export interface AppointmentsService {
  /** slots, booking, the member's appointments, cancelling one */
  book: AppointmentBook
  /** a store's day, confirm, reschedule, cancel, complete, no-show */
  desk: StaffDesk
  /** today's tasks at the counter: a store's appointments on a Shanghai date YYYY-MM-DD, every status, in order */
  forStoreOn(store: string, date: string): Promise<StoreDayAppointment[]>
  /** slot counters against the appointments, members' places against their upcoming appointments (npm run reconcile) */
  reconcile(): Promise<string[]>
  repair: AppointmentRepair
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the brand's stores: get(code), exists(code), list(), put() */
    stores: Stores
    appointments: AppointmentsService
  }
}

/**
 * appointments: the brand's stores (hours cut into slots, places per slot with some kept for tiers whose benefits
 * include priority appointments, how far ahead members book), members booking visits, staff confirming, moving,
 * cancelling and closing them, the member told of each change (message kind `appointment`). A slot is never booked
 * beyond its places: a counter per slot taken and given back by conditional updates (places.ts). Routes: /api/stores,
 * /api/appointments/slots, /api/me/appointments, /api/staff/appointments, /api/admin/stores. Jobs: appointments.repair
 * (hourly: bookings a crash left pending, units of cancellations not given back yet).
 */
export default fp(
  async (app) => {
    const models = await app.db.register(appointmentModels(app.db.connection))
    const stores = new Stores(models, app.audit, app.now)
    const deps = {
      models,
      stores,
      counters: new SlotCounters(models),
      holds: new MemberHolds(models),
      members: app.members.repo,
      tiers: app.tierTable,
      messaging: app.messaging,
      audit: app.audit,
      now: app.now,
      log: app.log,
    }
    const records = new AppointmentRecords(deps)
    const book = new AppointmentBook(deps, records)
    const desk = new StaffDesk(deps, records)
    const repair = new AppointmentRepair(deps, records)

    app.jobs.register(APPOINTMENTS_REPAIR_JOB, async () => {
      const result = await repair.sweep()
      if (result.abandoned + result.freed > 0) app.log.warn(result, 'appointments: repaired what a crash left')
      return { rescheduleAt: new Date(app.now().getTime() + REPAIR_EVERY_MS) }
    })
    await app.jobs.schedule(APPOINTMENTS_REPAIR_JOB, APPOINTMENTS_REPAIR_JOB, {}, new Date(app.now().getTime() + REPAIR_EVERY_MS))

    app.decorate('stores', stores)
    app.decorate('appointments', {
      book,
      desk,
      repair,
      forStoreOn: (store: string, date: string) => desk.forStoreOn(store, date),
      reconcile: () => repair.reconcile(),
    })

    await app.register(storeRoutes, { prefix: '/api' })
    await app.register(slotRoutes, { prefix: '/api' })
    await app.register(meRoutes, { prefix: '/api/me' })
    await app.register(staffRoutes, { prefix: '/api/staff' })
    await app.register(adminStoreRoutes, { prefix: '/api/admin' })
  },
  { name: 'appointments', dependencies: ['core', 'members', 'loyalty', 'messaging'] },
)
