import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { appointmentHelpers, at, staffToken } from './helpers.js'

/**
 * The member's side: a store's slots, booking (201, the same key 200, another body 409), the limits (two upcoming,
 * never two at once), the member's list, cancelling (once, only one's own). The clock stands at 2026-03-10 10:00
 * Shanghai; the store opens 10:00–18:00 with hourly slots of 3 places, 14 days ahead.
 */
describe('appointments: the member’s side', () => {
  const t = useTestApp()
  const h = appointmentHelpers(t)
  let me: { token: string; memberId: string }
  let other: { token: string; memberId: string }

  beforeAll(async () => {
    await h.store('SH-IFC')
    await h.store('SH-CLOSED', { status: 'closed' })
    await h.store('SH-CLEAN', { purposes: ['cleaning'], slotMinutes: 90, hours: { open: '10:30', close: '17:00' } })
    me = await t.login('book-me')
    other = await t.login('book-other')
  })

  describe('GET /api/appointments/slots', () => {
    it('lists today’s slots that have not started, with the places left', async () => {
      t.clock.set('2026-03-10T02:30:00Z') // 10:30 Shanghai: the 10:00 slot has started
      const response = await h.slots(me.token, 'SH-IFC', '2026-03-10')
      expect(response.statusCode, response.body).toBe(200)
      const body = response.json()
      expect(body).toMatchObject({ store: 'SH-IFC', date: '2026-03-10', priorityMember: false })
      expect(body.slots.map((s: { start: string }) => s.start)).toEqual(['11:00', '12:00', '13:00', '14:00', '15:00', '16:00', '17:00'].map((x) => at('2026-03-10', x)))
      expect(body.slots[0]).toEqual({ start: at('2026-03-10', '11:00'), end: at('2026-03-10', '12:00'), left: 3, priority: false, full: false })
      t.clock.set('2026-03-10T02:00:00Z')
    })

    it('cuts the hours into slots from the opening time, each ending by the close (90 minutes from 10:30 to 17:00)', async () => {
      const body = (await h.slots(me.token, 'SH-CLEAN', '2026-03-11')).json()
      expect(body.slots.map((s: { start: string }) => s.start)).toEqual(['10:30', '12:00', '13:30', '15:00'].map((x) => at('2026-03-11', x)))
    })

    it('answers no slots outside the horizon (yesterday, 15 days ahead), and the last day inside it', async () => {
      expect((await h.slots(me.token, 'SH-IFC', '2026-03-09')).json().slots).toEqual([])
      expect((await h.slots(me.token, 'SH-IFC', '2026-03-25')).json().slots).toEqual([])
      expect((await h.slots(me.token, 'SH-IFC', '2026-03-24')).json().slots).toHaveLength(8)
    })

    it('answers 400 for a date that is not one, 404 for an unknown store, 409 for a closed one, 401 without a member token', async () => {
      for (const query of ['store=SH-IFC&date=2026-02-30', 'store=SH-IFC&date=20260310', 'store=sh-ifc&date=2026-03-10', 'store=SH-IFC', 'store=SH-IFC&date=2026-03-10&x=1', 'store=SH|IFC&date=2026-03-10']) {
        const response = await t.app.inject({ method: 'GET', url: `/api/appointments/slots?${query}`, headers: h.bearer(me.token) })
        expect(response.statusCode, `${query}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      const unknown = await h.slots(me.token, 'SH-NOPE', '2026-03-11')
      expect(unknown.statusCode).toBe(404)
      const closed = await h.slots(me.token, 'SH-CLOSED', '2026-03-11')
      expect(closed.statusCode).toBe(409)
      expect(closed.json().code).toBe(ErrorCodes.NOT_AVAILABLE)
      expect((await t.app.inject({ method: 'GET', url: '/api/appointments/slots?store=SH-IFC&date=2026-03-11' })).statusCode).toBe(401)
      expect((await h.slots(t.adminToken(), 'SH-IFC', '2026-03-11')).statusCode).toBe(401)
    })
  })

  describe('POST /api/me/appointments', () => {
    it('books a slot (201, requested), takes a place, and the same key again answers the same appointment (200)', async () => {
      const body = { store: 'SH-IFC', start: at('2026-03-11', '14:00'), purpose: 'resizing', note: '婚戒改小半号', idempotencyKey: 'mine-first-0001' }
      const first = await h.book(me.token, body)
      expect(first.statusCode, first.body).toBe(201)
      const appointment = first.json()
      expect(appointment).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        memberId: me.memberId,
        store: 'SH-IFC',
        storeName: '上海国金中心店',
        start: at('2026-03-11', '14:00'),
        end: at('2026-03-11', '15:00'),
        purpose: 'resizing',
        note: '婚戒改小半号',
        status: 'requested',
        cancelledBy: null,
        reason: null,
        createdAt: '2026-03-10T02:00:00.000Z',
        updatedAt: '2026-03-10T02:00:00.000Z',
      })
      // the same time in another spelling is the same booking
      const again = await h.book(me.token, { ...body, start: '2026-03-11T06:00:00Z' })
      expect(again.statusCode, again.body).toBe(200)
      expect(again.json()).toEqual(appointment)
      expect(await h.counter('SH-IFC', body.start)).toMatchObject({ booked: 1, holders: [appointment.id] })
      const slot = (await h.slots(other.token, 'SH-IFC', '2026-03-11')).json().slots.find((s: { start: string }) => s.start === body.start)
      expect(slot).toMatchObject({ left: 2, full: false })
    })

    it('answers 409 CONFLICT for the key with another body, changing nothing', async () => {
      const response = await h.book(me.token, { store: 'SH-IFC', start: at('2026-03-11', '15:00'), purpose: 'resizing', idempotencyKey: 'mine-first-0001' })
      expect(response.statusCode).toBe(409)
      expect(response.json().code).toBe(ErrorCodes.CONFLICT)
      expect(await h.counter('SH-IFC', at('2026-03-11', '15:00'))).toBeNull()
    })

    it('keeps keys apart per member: another member’s same key is their own booking', async () => {
      const response = await h.book(other.token, { store: 'SH-IFC', start: at('2026-03-11', '14:00'), purpose: 'resizing', note: '婚戒改小半号', idempotencyKey: 'mine-first-0001' })
      expect(response.statusCode, response.body).toBe(201)
      expect(response.json().memberId).toBe(other.memberId)
      expect((await h.counter('SH-IFC', at('2026-03-11', '14:00')))!.booked).toBe(2)
    })

    it('answers 409 CONFLICT for a second appointment of the member at the same time, even at another store', async () => {
      await h.store('SH-XTD', { name: '上海新天地店' })
      const sameStore = await h.book(me.token, { store: 'SH-IFC', start: at('2026-03-11', '14:00') })
      expect(sameStore.statusCode).toBe(409)
      expect(sameStore.json().code).toBe(ErrorCodes.CONFLICT)
      const elsewhere = await h.book(me.token, { store: 'SH-XTD', start: at('2026-03-11', '14:00') })
      expect(elsewhere.statusCode).toBe(409)
      expect(elsewhere.json().code).toBe(ErrorCodes.CONFLICT)
      expect(await h.counter('SH-XTD', at('2026-03-11', '14:00'))).toBeNull()
    })

    it('answers 409 LIMIT_REACHED for a third upcoming appointment; a passed one no longer counts', async () => {
      await h.booked(me.token, { store: 'SH-IFC', start: at('2026-03-10', '11:00') })
      const third = await h.book(me.token, { store: 'SH-IFC', start: at('2026-03-12', '10:00') })
      expect(third.statusCode).toBe(409)
      expect(third.json().code).toBe(ErrorCodes.LIMIT_REACHED)
      expect(await h.counter('SH-IFC', at('2026-03-12', '10:00'))).toBeNull()
      // once today's 11:00 visit has started, the member may book another
      t.clock.set('2026-03-10T03:30:00Z')
      await h.booked(me.token, { store: 'SH-IFC', start: at('2026-03-12', '10:00') })
      t.clock.set('2026-03-10T02:00:00Z')
    })

    it('answers 400 for a time off the slots: misaligned, outside the hours, started, beyond the horizon, not a date', async () => {
      for (const start of [
        at('2026-03-11', '10:30'), // between slots
        at('2026-03-11', '09:00'), // before opening
        at('2026-03-11', '18:00'), // the close: no slot starts there
        '2026-03-11T02:00:30Z', // seconds off
        at('2026-03-10', '10:00'), // started (now)
        at('2026-03-09', '12:00'), // yesterday
        at('2026-03-25', '12:00'), // 15 days ahead
        '2026-02-30T10:00:00+08:00', // no such day
        '2026-03-11 10:00',
        'tomorrow',
      ]) {
        const response = await h.book(other.token, { store: 'SH-IFC', start })
        expect(response.statusCode, `${start}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
    })

    it('answers 400 for a purpose the store does not take, a long note, unknown fields, a short key', async () => {
      for (const body of [
        { store: 'SH-CLEAN', start: at('2026-03-11', '10:30'), purpose: 'custom' },
        { store: 'SH-IFC', start: at('2026-03-11', '16:00'), purpose: 'engraving' },
        { store: 'SH-IFC', start: at('2026-03-11', '16:00'), note: '长'.repeat(201) },
        { store: 'SH-IFC', start: at('2026-03-11', '16:00'), memberId: me.memberId },
        { store: 'SH-IFC', start: at('2026-03-11', '16:00'), idempotencyKey: 'short' },
        { store: 'SH-IFC', start: at('2026-03-11', '16:00'), idempotencyKey: '键'.repeat(10) },
        { store: { $ne: null }, start: at('2026-03-11', '16:00') },
      ]) {
        const response = await h.book(other.token, body)
        expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      expect(await h.counter('SH-IFC', at('2026-03-11', '16:00'))).toBeNull()
    })

    it('answers 404 for an unknown store, 409 NOT_AVAILABLE for a closed one, 401 without a member token', async () => {
      const unknown = await h.book(other.token, { store: 'SH-NOPE', start: at('2026-03-11', '16:00') })
      expect(unknown.statusCode).toBe(404)
      const closed = await h.book(other.token, { store: 'SH-CLOSED', start: at('2026-03-11', '16:00') })
      expect(closed.statusCode).toBe(409)
      expect(closed.json().code).toBe(ErrorCodes.NOT_AVAILABLE)
      const none = await t.app.inject({ method: 'POST', url: '/api/me/appointments', payload: { store: 'SH-IFC', start: at('2026-03-11', '16:00'), purpose: 'cleaning', idempotencyKey: 'no-token-001' } })
      expect(none.statusCode).toBe(401)
      const staff = await h.book(staffToken(t, { role: 'staff', store: 'SH-IFC' }), { store: 'SH-IFC', start: at('2026-03-11', '16:00') })
      expect(staff.statusCode).toBe(401)
    })

    it('answers 409 SLOT_FULL when the slot has no place left, and books nothing', async () => {
      const start = at('2026-03-13', '12:00')
      for (const user of ['full-a', 'full-b', 'full-c']) await h.booked((await t.login(user)).token, { store: 'SH-IFC', start })
      const latecomer = await t.login('full-late')
      const late = await h.book(latecomer.token, { store: 'SH-IFC', start, idempotencyKey: 'full-late-key-1' })
      expect(late.statusCode).toBe(409)
      expect(late.json().code).toBe(ErrorCodes.SLOT_FULL)
      expect(await h.counter('SH-IFC', start)).toMatchObject({ booked: 3 })
      const slot = (await h.slots(latecomer.token, 'SH-IFC', '2026-03-13')).json().slots.find((s: { start: string }) => s.start === start)
      expect(slot).toEqual({ start, end: at('2026-03-13', '13:00'), left: 0, priority: false, full: true })
      // the key of the refused booking is free again, and the refusal took no place of the member's
      const retry = await h.book(latecomer.token, { store: 'SH-IFC', start: at('2026-03-13', '13:00'), idempotencyKey: 'full-late-key-1' })
      expect(retry.statusCode, retry.body).toBe(201)
      await h.booked(latecomer.token, { store: 'SH-IFC', start: at('2026-03-13', '14:00') })
    })
  })

  describe('GET /api/me/appointments', () => {
    it('lists upcoming appointments soonest first, then the others newest first — only the member’s own', async () => {
      const response = await h.mine(me.token)
      expect(response.statusCode).toBe(200)
      const items = response.json().items as { start: string; memberId: string; status: string }[]
      expect(items.every((i) => i.memberId === me.memberId)).toBe(true)
      // at 10:00 all three are upcoming; at 13:00 the 11:00 visit is over and goes last
      expect(items.map((i) => i.start)).toEqual([at('2026-03-10', '11:00'), at('2026-03-11', '14:00'), at('2026-03-12', '10:00')])
      t.clock.set('2026-03-10T05:00:00Z')
      const later = (await h.mine(me.token)).json().items.map((i: { start: string }) => i.start)
      expect(later).toEqual([at('2026-03-11', '14:00'), at('2026-03-12', '10:00'), at('2026-03-10', '11:00')])
      t.clock.set('2026-03-10T02:00:00Z')
      expect((await t.app.inject({ method: 'GET', url: '/api/me/appointments' })).statusCode).toBe(401)
    })
  })

  describe('POST /api/me/appointments/:id/cancel', () => {
    it('cancels the member’s own appointment, gives its place back once however often it is cancelled', async () => {
      const start = at('2026-03-16', '10:00')
      const member = await t.login('cancel-a')
      const mineNow = await h.booked(member.token, { store: 'SH-IFC', start })
      expect((await h.counter('SH-IFC', start))!.booked).toBe(1)
      const cancelled = await h.cancelMine(member.token, mineNow.id, { reason: '临时有事' })
      expect(cancelled.statusCode, cancelled.body).toBe(200)
      expect(cancelled.json()).toMatchObject({ id: mineNow.id, status: 'cancelled', cancelledBy: 'member', reason: '临时有事' })
      const again = await Promise.all([h.cancelMine(member.token, mineNow.id), h.cancelMine(member.token, mineNow.id), h.cancelMine(member.token, mineNow.id)])
      expect(again.map((r) => r.statusCode)).toEqual([200, 200, 200])
      expect(again.map((r) => r.json().reason)).toEqual(['临时有事', '临时有事', '临时有事'])
      expect(await h.counter('SH-IFC', start)).toMatchObject({ booked: 0, holders: [] })
      // the place is bookable again, and the member may book anew
      await h.booked((await t.login('cancel-b')).token, { store: 'SH-IFC', start })
      await h.booked(member.token, { store: 'SH-IFC', start: at('2026-03-16', '11:00') })
      expect(await h.counter('SH-IFC', start)).toMatchObject({ booked: 1 })
    })

    it('answers 404 for another member’s appointment (and changes nothing), 404 for an unknown id, 400 for a bad id', async () => {
      const theirs = (await h.mine(other.token)).json().items.find((i: { status: string }) => i.status === 'requested')
      const response = await h.cancelMine(me.token, theirs.id)
      expect(response.statusCode).toBe(404)
      expect(response.json().code).toBe(ErrorCodes.NOT_FOUND)
      expect((await h.mine(other.token)).json().items.find((i: { id: string }) => i.id === theirs.id).status).toBe('requested')
      expect((await h.cancelMine(me.token, '0123456789abcdef01234567')).statusCode).toBe(404)
      for (const id of ['x', '%24where', '0123456789ABCDEF01234567']) expect((await h.cancelMine(me.token, id)).statusCode).toBe(400)
      expect((await h.cancelMine(me.token, theirs.id, { reason: 'x'.repeat(201) })).statusCode).toBe(400)
      expect((await h.cancelMine(me.token, theirs.id, { why: 'x' })).statusCode).toBe(400)
      expect((await t.app.inject({ method: 'POST', url: `/api/me/appointments/${theirs.id}/cancel`, payload: {} })).statusCode).toBe(401)
    })

    it('answers 409 for an appointment that has started or is completed', async () => {
      const member = await t.login('started-a')
      const mineNow = await h.booked(member.token, { store: 'SH-IFC', start: at('2026-03-10', '12:00') })
      t.clock.set('2026-03-10T04:10:00Z')
      const started = await h.cancelMine(member.token, mineNow.id)
      expect(started.statusCode).toBe(409)
      expect(started.json().code).toBe(ErrorCodes.CONFLICT)
      const done = await h.staffAction(staffToken(t, { role: 'staff', store: 'SH-IFC' }), mineNow.id, 'complete')
      expect(done.statusCode, done.body).toBe(200)
      t.clock.set('2026-03-10T02:00:00Z')
      const completed = await h.cancelMine(member.token, mineNow.id)
      expect(completed.statusCode).toBe(409)
    })
  })

  it('leaves the counters and the members’ places in agreement with the appointments', async () => {
    // (at 11:30: the tests above moved the clock back after the 11:00 visit had started and its place was let go)
    t.clock.set('2026-03-10T03:30:00Z')
    expect(await t.app.appointments.reconcile()).toEqual([])
  })
})
