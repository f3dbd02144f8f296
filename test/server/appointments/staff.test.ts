import { ErrorCodes } from '@member-center/shared'
import { Types } from 'mongoose'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { appointmentHelpers, at, staffToken } from './helpers.js'

/**
 * The staff side: a store's day, confirm, reschedule, cancel, complete, no-show. Staff and managers act for their own
 * store (another store's appointment is a 404, as if it did not exist); admins for every store; a member token is a
 * 403. Every change is audited; the member is told of a confirmation, a new time and a cancellation.
 */
describe('appointments: the staff side', () => {
  const t = useTestApp()
  const h = appointmentHelpers(t)
  let staffA: string
  let managerA: string
  let staffB: string
  let alice: { token: string; memberId: string }
  let bob: { token: string; memberId: string }
  let aliceVisit: { id: string; start: string }
  let bobVisit: { id: string; start: string }

  beforeAll(async () => {
    await h.store('SH-IFC')
    await h.store('BJ-SKP', { name: '北京 SKP 店' })
    staffA = staffToken(t, { role: 'staff', store: 'SH-IFC' })
    managerA = staffToken(t, { role: 'manager', store: 'SH-IFC' })
    staffB = staffToken(t, { role: 'staff', store: 'BJ-SKP' })
    alice = await t.login('staff-alice')
    bob = await t.login('staff-bob')
    await t.app.members.repo.setPhone(new Types.ObjectId(alice.memberId), '13800138000')
    aliceVisit = await h.booked(alice.token, { store: 'SH-IFC', start: at('2026-03-11', '10:00'), purpose: 'custom', note: '想看看钻戒款式' })
    bobVisit = await h.booked(bob.token, { store: 'BJ-SKP', start: at('2026-03-11', '10:00') })
  })

  describe('GET /api/staff/appointments', () => {
    it('lists the staff member’s own store’s day, with who is coming (phone masked, tier)', async () => {
      const response = await h.staffList(staffA, 'date=2026-03-11')
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json().items).toEqual([
        {
          ...aliceVisit,
          member: { nickname: expect.any(String), phone: '138****8000', tier: { code: 'S1', name: '银卡会员' } },
        },
      ])
      // today by default (nothing today), and the status filter
      expect((await h.staffList(managerA)).json().items).toEqual([])
      expect((await h.staffList(staffA, 'date=2026-03-11&status=confirmed')).json().items).toEqual([])
      expect((await h.staffList(staffA, 'date=2026-03-11&status=requested&store=SH-IFC')).json().items).toHaveLength(1)
    })

    it('answers 403 to staff asking for another store, and to a staff token without a store', async () => {
      const other = await h.staffList(staffA, 'date=2026-03-11&store=BJ-SKP')
      expect(other.statusCode).toBe(403)
      expect(other.json().code).toBe(ErrorCodes.FORBIDDEN)
      const storeless = await h.staffList(staffToken(t, { role: 'staff', store: null }), 'date=2026-03-11')
      expect(storeless.statusCode).toBe(403)
    })

    it('lets an admin list any store, naming it (400 without, 404 for an unknown one)', async () => {
      const admin = t.adminToken()
      const response = await h.staffList(admin, 'date=2026-03-11&store=BJ-SKP')
      expect(response.statusCode).toBe(200)
      expect(response.json().items.map((i: { id: string }) => i.id)).toEqual([bobVisit.id])
      expect(response.json().items[0].member.phone).toBeNull()
      const none = await h.staffList(admin, 'date=2026-03-11')
      expect(none.statusCode).toBe(400)
      expect(none.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      expect((await h.staffList(admin, 'date=2026-03-11&store=XX-NOPE')).statusCode).toBe(404)
    })

    it('answers 401 without a token, 403 for a member token, 400 for bad queries', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/staff/appointments' })).statusCode).toBe(401)
      const member = await h.staffList(alice.token)
      expect(member.statusCode).toBe(403)
      expect(member.json().code).toBe(ErrorCodes.FORBIDDEN)
      for (const query of ['date=2026-02-30', 'date=tomorrow', 'status=pending', 'store=sh-ifc', 'store=SH|IFC', 'foo=1', 'date[$gt]=2026']) {
        const response = await h.staffList(staffA, query)
        expect(response.statusCode, `${query}: ${response.body}`).toBe(400)
      }
    })
  })

  describe('POST /api/staff/appointments/:id/confirm', () => {
    it('confirms a requested appointment, audits it, tells the member; again changes nothing', async () => {
      const response = await h.staffAction(staffA, aliceVisit.id, 'confirm')
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toMatchObject({ id: aliceVisit.id, status: 'confirmed' })
      const again = await h.staffAction(managerA, aliceVisit.id, 'confirm')
      expect(again.statusCode).toBe(200)
      expect(again.json().status).toBe('confirmed')
      const audits = await h.audits('appointment.confirm')
      expect(audits).toHaveLength(1)
      expect(audits[0]).toMatchObject({ actor: 'test-staff', actorName: 'test-staff', role: 'staff', store: 'SH-IFC', details: { appointmentId: aliceVisit.id, start: aliceVisit.start, purpose: 'custom' } })
      expect(String(audits[0]!.memberId)).toBe(alice.memberId)
      const messages = await h.messages(alice.memberId)
      expect(messages.map((m) => m.dedupeKey)).toEqual([`appointment:${aliceVisit.id}:booked`, `appointment:${aliceVisit.id}:confirmed`])
      expect(messages[1]).toMatchObject({ category: 'service', page: 'packages/appointments/mine/index', data: { store: '上海国金中心店', status: '已确认', purpose: '定制设计' } })
      expect(messages[1]!.body).toContain('2026年3月11日 10:00')
    })

    it('answers 404 for another store’s appointment (staff of BJ-SKP), changing nothing', async () => {
      const fresh = await h.booked((await t.login('staff-carol')).token, { store: 'SH-IFC', start: at('2026-03-11', '11:00') })
      for (const action of ['confirm', 'complete', 'no-show']) {
        const response = await h.staffAction(staffB, fresh.id, action)
        expect(response.statusCode, `${action}: ${response.body}`).toBe(404)
        expect(response.json().code).toBe(ErrorCodes.NOT_FOUND)
      }
      expect((await h.staffAction(staffB, fresh.id, 'reschedule', { start: at('2026-03-11', '12:00') })).statusCode).toBe(404)
      expect((await h.staffAction(staffB, fresh.id, 'cancel', { reason: '门店调整' })).statusCode).toBe(404)
      expect((await h.staffList(staffA, 'date=2026-03-11')).json().items.find((i: { id: string }) => i.id === fresh.id).status).toBe('requested')
      // an admin acts for every store
      expect((await h.staffAction(t.adminToken(), fresh.id, 'confirm')).json().status).toBe('confirmed')
    })

    it('answers 403 for a member token, 401 without one, 404 for an unknown id, 400 for a bad id or body', async () => {
      expect((await h.staffAction(alice.token, aliceVisit.id, 'confirm')).statusCode).toBe(403)
      expect((await t.app.inject({ method: 'POST', url: `/api/staff/appointments/${aliceVisit.id}/confirm`, payload: {} })).statusCode).toBe(401)
      expect((await h.staffAction(staffA, '0123456789abcdef01234567', 'confirm')).statusCode).toBe(404)
      expect((await h.staffAction(staffA, 'not-an-id', 'confirm')).statusCode).toBe(400)
      expect((await h.staffAction(staffA, aliceVisit.id, 'confirm', { force: true })).statusCode).toBe(400)
    })

    it('takes the action without a body too', async () => {
      const visit = await h.booked((await t.login('staff-nobody')).token, { store: 'SH-IFC', start: at('2026-03-11', '13:00') })
      const response = await t.app.inject({ method: 'POST', url: `/api/staff/appointments/${visit.id}/confirm`, headers: h.bearer(staffA) })
      expect(response.statusCode, response.body).toBe(200)
    })
  })

  describe('POST /api/staff/appointments/:id/reschedule', () => {
    it('moves the appointment to a slot with room: the new place taken, the old one given back, confirmed, told, audited', async () => {
      const to = at('2026-03-12', '15:00')
      const response = await h.staffAction(staffA, aliceVisit.id, 'reschedule', { start: to })
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toMatchObject({ id: aliceVisit.id, start: to, end: at('2026-03-12', '16:00'), status: 'confirmed' })
      expect(await h.counter('SH-IFC', aliceVisit.start)).toMatchObject({ booked: 0, holders: [] })
      expect(await h.counter('SH-IFC', to)).toMatchObject({ booked: 1, holders: [aliceVisit.id] })
      const moved = (await h.messages(alice.memberId)).at(-1)!
      expect(moved.dedupeKey).toMatch(new RegExp(`^appointment:${aliceVisit.id}:rescheduled:\\d+$`))
      expect(moved.data).toMatchObject({ status: '已改期', time: to })
      expect((await h.audits('appointment.reschedule'))[0]).toMatchObject({ store: 'SH-IFC', details: { appointmentId: aliceVisit.id, from: aliceVisit.start, to } })
      aliceVisit = response.json()
      // moved back to the first time: told again (another revision)
      const back = await h.staffAction(staffA, aliceVisit.id, 'reschedule', { start: at('2026-03-11', '10:00') })
      expect(back.statusCode).toBe(200)
      expect((await h.messages(alice.memberId)).filter((m) => m.data.status === '已改期')).toHaveLength(2)
      aliceVisit = back.json()
    })

    it('refuses a full slot with 409 SLOT_FULL and keeps the appointment where it was', async () => {
      const full = at('2026-03-12', '11:00')
      for (const user of ['full-1', 'full-2', 'full-3']) await h.booked((await t.login(user)).token, { store: 'SH-IFC', start: full })
      const response = await h.staffAction(staffA, aliceVisit.id, 'reschedule', { start: full })
      expect(response.statusCode).toBe(409)
      expect(response.json().code).toBe(ErrorCodes.SLOT_FULL)
      expect(await h.counter('SH-IFC', full)).toMatchObject({ booked: 3 })
      expect(await h.counter('SH-IFC', aliceVisit.start)).toMatchObject({ booked: 1, holders: [aliceVisit.id] })
      const list = (await h.staffList(staffA, 'date=2026-03-11')).json().items
      expect(list.find((i: { id: string }) => i.id === aliceVisit.id)).toMatchObject({ start: aliceVisit.start, status: 'confirmed' })
    })

    it('refuses 409 CONFLICT a time the member has another appointment at', async () => {
      const other = await h.booked(alice.token, { store: 'BJ-SKP', start: at('2026-03-13', '10:00') })
      const response = await h.staffAction(staffA, aliceVisit.id, 'reschedule', { start: at('2026-03-13', '10:00') })
      expect(response.statusCode).toBe(409)
      expect(response.json().code).toBe(ErrorCodes.CONFLICT)
      expect(await h.counter('SH-IFC', at('2026-03-13', '10:00'))).toBeNull()
      expect((await h.cancelMine(alice.token, other.id)).statusCode).toBe(200)
    })

    it('answers 400 for a time off the slots, started, beyond bookingDays + 7, the same time, or a bad body', async () => {
      for (const body of [
        { start: at('2026-03-12', '10:15') },
        { start: at('2026-03-12', '19:00') },
        { start: at('2026-03-10', '10:00') },
        { start: at('2026-04-01', '10:00') }, // 22 days ahead: beyond 14 + 7
        { start: aliceVisit.start },
        { start: 'soon' },
        {},
        { start: at('2026-03-12', '12:00'), store: 'BJ-SKP' },
      ]) {
        const response = await h.staffAction(staffA, aliceVisit.id, 'reschedule', body)
        expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      // 21 days ahead is within reach of staff
      const far = await h.staffAction(staffA, aliceVisit.id, 'reschedule', { start: at('2026-03-31', '10:00') })
      expect(far.statusCode, far.body).toBe(200)
      aliceVisit = far.json()
    })
  })

  describe('POST /api/staff/appointments/:id/cancel', () => {
    it('cancels for the store with the reason told to the member; again gives nothing back twice', async () => {
      const visit = await h.booked(bob.token, { store: 'SH-IFC', start: at('2026-03-12', '16:00') })
      const responses = await Promise.all([1, 2, 3].map(() => h.staffAction(managerA, visit.id, 'cancel', { reason: '设计师临时请假' })))
      expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200])
      expect(responses[0]!.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'staff', reason: '设计师临时请假' })
      expect(await h.counter('SH-IFC', visit.start)).toMatchObject({ booked: 0, holders: [] })
      const audits = (await h.audits('appointment.cancel')).filter((a) => a.details.appointmentId === visit.id)
      expect(audits).toHaveLength(1)
      expect(audits[0]).toMatchObject({ role: 'manager', store: 'SH-IFC', details: { reason: '设计师临时请假' } })
      const told = (await h.messages(bob.memberId)).filter((m) => m.dedupeKey === `appointment:${visit.id}:cancelled`)
      expect(told).toHaveLength(1)
      expect(told[0]!.data).toMatchObject({ status: '已取消', note: '原因：设计师临时请假' })
      // the member sees who cancelled it and why
      expect((await h.mine(bob.token)).json().items.find((i: { id: string }) => i.id === visit.id)).toMatchObject({ cancelledBy: 'staff', reason: '设计师临时请假' })
    })

    it('answers 400 without a reason or with one too short or too long', async () => {
      for (const body of [{}, { reason: 'x' }, { reason: 'x'.repeat(201) }, { reason: 12 }]) {
        expect((await h.staffAction(staffA, aliceVisit.id, 'cancel', body)).statusCode, JSON.stringify(body)).toBe(400)
      }
    })
  })

  describe('complete and no-show', () => {
    it('completes a visit from its day on (409 before), audited, not told; a completed one cannot be cancelled', async () => {
      const visit = await h.booked((await t.login('staff-dave')).token, { store: 'SH-IFC', start: at('2026-03-11', '15:00') })
      const early = await h.staffAction(staffA, visit.id, 'complete')
      expect(early.statusCode).toBe(409)
      t.clock.set('2026-03-11T01:00:00Z') // 09:00 on the day
      const done = await h.staffAction(staffA, visit.id, 'complete')
      expect(done.statusCode, done.body).toBe(200)
      expect(done.json().status).toBe('completed')
      expect((await h.staffAction(staffA, visit.id, 'complete')).statusCode).toBe(200)
      expect((await h.audits('appointment.complete')).filter((a) => a.details.appointmentId === visit.id)).toHaveLength(1)
      expect((await h.staffAction(staffA, visit.id, 'cancel', { reason: '重复' })).statusCode).toBe(409)
      expect((await h.staffAction(staffA, visit.id, 'no-show')).statusCode).toBe(409)
      expect((await h.staffAction(staffA, visit.id, 'reschedule', { start: at('2026-03-12', '17:00') })).statusCode).toBe(409)
      expect((await h.staffAction(staffA, visit.id, 'confirm')).statusCode).toBe(409)
      t.clock.set('2026-03-10T02:00:00Z')
    })

    it('marks a no-show once the slot has started (409 before), audited', async () => {
      const visit = await h.booked((await t.login('staff-erin')).token, { store: 'SH-IFC', start: at('2026-03-11', '16:00') })
      expect((await h.staffAction(staffA, visit.id, 'no-show')).statusCode).toBe(409)
      t.clock.set('2026-03-11T08:30:00Z') // 16:30
      const missed = await h.staffAction(staffA, visit.id, 'no-show')
      expect(missed.statusCode, missed.body).toBe(200)
      expect(missed.json().status).toBe('no_show')
      expect((await h.audits('appointment.no-show'))).toHaveLength(1)
      expect((await h.staffAction(staffA, visit.id, 'complete')).statusCode).toBe(409)
      t.clock.set('2026-03-10T02:00:00Z')
    })
  })

  describe('today’s tasks: app.appointments.forStoreOn', () => {
    it('answers a store’s appointments on a Shanghai date, in order, with the member’s name', async () => {
      const day = await t.app.appointments.forStoreOn('SH-IFC', '2026-03-11')
      expect(day.length).toBeGreaterThan(0)
      expect(day.map((d) => d.start.getTime())).toEqual([...day].map((d) => d.start.getTime()).sort((a, b) => a - b))
      expect(day.every((d) => d.start instanceof Date && shanghai(d.start) === '2026-03-11')).toBe(true)
      const dave = day.find((d) => d.status === 'completed')!
      expect(dave).toEqual({ id: expect.any(String), memberId: expect.any(String), memberName: expect.any(String), start: new Date(at('2026-03-11', '15:00')), purpose: 'cleaning', status: 'completed' })
      expect(Object.keys(dave).sort()).toEqual(['id', 'memberId', 'memberName', 'purpose', 'start', 'status'])
      expect(await t.app.appointments.forStoreOn('BJ-SKP', '2026-03-11')).toEqual([expect.objectContaining({ id: bobVisit.id })])
      expect(await t.app.appointments.forStoreOn('SH-IFC', '2026-03-09')).toEqual([])
      expect(await t.app.appointments.forStoreOn('SH-IFC', 'not-a-date')).toEqual([])
    })
  })

  it('leaves everything reconciled, and every message fits WeChat', async () => {
    expect(await t.app.appointments.reconcile()).toEqual([])
    const inbox = await t.app.inject({ method: 'GET', url: '/api/me/inbox', headers: h.bearer(alice.token) })
    expect(inbox.statusCode).toBe(200)
    expect(inbox.json().items.filter((i: { kind: string }) => i.kind === 'appointment').length).toBeGreaterThanOrEqual(4)
  })
})

const shanghai = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
