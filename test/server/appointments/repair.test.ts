import { Types } from 'mongoose'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { appointmentHelpers, at } from './helpers.js'

/**
 * What a process dying between two steps leaves behind — planted directly in the database, as a crash would leave
 * it — the repair sweep finishes or undoes, and reconcile (npm run reconcile) reports what does not add up.
 */
describe('appointments: repair and reconcile', () => {
  const t = useTestApp()
  const h = appointmentHelpers(t)
  const model = (name: string) => t.app.db.connection.model(name)
  let me: { token: string; memberId: string }

  beforeAll(async () => {
    await h.store('SH-IFC')
    me = await t.login('repair-me')
  })

  it('undoes a booking a crash left pending (its unit and the member’s place given back), once it is stale', async () => {
    const start = at('2026-03-11', '10:00')
    const id = new Types.ObjectId()
    // the crash: the appointment inserted pending, the place and the unit taken, the process gone before step 4
    await model('Appointment').collection.insertOne({
      _id: id, memberId: new Types.ObjectId(me.memberId), store: 'SH-IFC', start: new Date(start), end: new Date(at('2026-03-11', '11:00')), purpose: 'cleaning',
      note: null, status: 'pending', cancelledBy: null, reason: null, requestHash: 'x', slotKey: `SH-IFC|${new Date(start).toISOString()}`, unit: null, rev: 0,
      createdAt: t.clock.now(), updatedAt: t.clock.now(),
    })
    await model('AppointmentMemberHold').collection.insertOne({ _id: me.memberId, holds: [{ id: id.toString(), start: new Date(start), end: new Date(at('2026-03-11', '11:00')) }], rev: 1 } as never)
    await model('AppointmentSlot').collection.insertOne({ _id: `SH-IFC|${new Date(start).toISOString()}`, store: 'SH-IFC', start: new Date(start), booked: 1, priorityBooked: 0, holders: [id.toString()], priorityHolders: [] } as never)

    // not shown anywhere meanwhile, and not stale yet
    expect((await h.mine(me.token)).json().items).toEqual([])
    expect(await t.app.appointments.repair.sweep()).toEqual({ abandoned: 0, freed: 0 })
    t.clock.set('2026-03-10T02:05:00Z')
    expect(await t.app.appointments.repair.sweep()).toEqual({ abandoned: 1, freed: 0 })
    expect(await model('Appointment').findById(id).lean()).toBeNull()
    expect(await h.counter('SH-IFC', start)).toMatchObject({ booked: 0, holders: [] })
    expect((await model('AppointmentMemberHold').findById(me.memberId).lean() as unknown as { holds: unknown[] }).holds).toEqual([])
    expect(await t.app.appointments.reconcile()).toEqual([])
  })

  it('gives back the unit of a cancellation whose process died after the status changed', async () => {
    const visit = await h.booked(me.token, { store: 'SH-IFC', start: at('2026-03-12', '10:00') })
    // the crash: cancelled, the unit not given back yet
    await model('Appointment').updateOne({ _id: visit.id }, { $set: { status: 'cancelled', cancelledBy: 'member' } })
    expect(await t.app.appointments.repair.sweep()).toEqual({ abandoned: 0, freed: 1 })
    expect(await h.counter('SH-IFC', visit.start)).toMatchObject({ booked: 0, holders: [] })
    expect((await model('Appointment').findById(visit.id).lean() as unknown as { unit: string | null }).unit).toBeNull()
    // a second sweep gives nothing back again
    expect(await t.app.appointments.repair.sweep()).toEqual({ abandoned: 0, freed: 0 })
    expect(await h.counter('SH-IFC', visit.start)).toMatchObject({ booked: 0 })
    expect(await t.app.appointments.reconcile()).toEqual([])
  })

  it('reports a counter that disagrees with its appointments, a unit held for nobody, and a place held for nothing', async () => {
    const visit = await h.booked(me.token, { store: 'SH-IFC', start: at('2026-03-13', '10:00') })
    const key = `SH-IFC|${new Date(visit.start).toISOString()}`
    await model('AppointmentSlot').updateOne({ _id: key }, { $inc: { booked: 1 } })
    let problems = await t.app.appointments.reconcile()
    expect(problems).toEqual([`appointment slot ${key}: booked is 2, 1 appointments are listed as holding its general units`])

    await model('AppointmentSlot').updateOne({ _id: key }, { $push: { holders: '0123456789abcdef01234567' } })
    problems = await t.app.appointments.reconcile()
    expect(problems).toEqual([`appointment slot ${key}: a general unit is held for appointment 0123456789abcdef01234567, which does not exist (under-sold by one)`])

    await model('AppointmentSlot').updateOne({ _id: key }, { $set: { booked: 0, holders: [] } })
    problems = await t.app.appointments.reconcile()
    expect(problems).toEqual([`appointment slot ${key}: appointment ${visit.id} holds a general unit the counter does not count (the slot may be over-sold)`])
    await model('AppointmentSlot').updateOne({ _id: key }, { $set: { booked: 1, holders: [visit.id] } })

    await model('AppointmentMemberHold').updateOne({ _id: me.memberId }, { $push: { holds: { id: 'ffffffffffffffffffffffff', start: new Date('2026-03-20T02:00:00Z'), end: new Date('2026-03-20T03:00:00Z') } } })
    problems = await t.app.appointments.reconcile()
    expect(problems).toEqual([`member ${me.memberId}: a place is held for appointment ffffffffffffffffffffffff, which does not exist (it blocks one of their places until 2026-03-20T02:00:00.000Z)`])
  })
})
