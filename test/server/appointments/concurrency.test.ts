import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { appointmentHelpers, at, staffToken } from './helpers.js'

/**
 * A slot is never booked beyond its places, and a member never beyond their limits, whatever arrives at once: the
 * requests are fired together and the counters and appointments checked afterwards.
 */
describe('appointments under concurrency', () => {
  const t = useTestApp()
  const h = appointmentHelpers(t)
  const Appointment = () => t.app.db.connection.model('Appointment')

  /** `n` members logged in, ten at a time. */
  async function members(prefix: string, n: number) {
    const out: { token: string; memberId: string }[] = []
    for (let i = 0; i < n; i += 10) out.push(...(await Promise.all(Array.from({ length: Math.min(10, n - i) }, (_, k) => t.login(`${prefix}-${i + k}`)))))
    return out
  }

  beforeAll(async () => {
    await h.store('SH-IFC')
    await h.store('SH-XTD', { name: '上海新天地店' })
  })

  it('books exactly 3 of 50 members who ask for a 3-place slot at once; the counter says 3', async () => {
    const crowd = await members('crowd', 50)
    const start = at('2026-03-11', '10:00')
    const responses = await Promise.all(crowd.map((m) => h.book(m.token, { store: 'SH-IFC', start })))
    const created = responses.filter((r) => r.statusCode === 201)
    expect(created).toHaveLength(3)
    for (const r of responses.filter((r) => r.statusCode !== 201)) {
      expect(r.statusCode, r.body).toBe(409)
      expect(r.json().code).toBe(ErrorCodes.SLOT_FULL)
    }
    const counter = await h.counter('SH-IFC', start)
    expect(counter).toMatchObject({ booked: 3, priorityBooked: 0 })
    expect([...counter!.holders].sort()).toEqual(created.map((r) => r.json().id).sort())
    expect(await Appointment().countDocuments({ store: 'SH-IFC', start: new Date(start) })).toBe(3)
    expect(await t.app.appointments.reconcile()).toEqual([])
  })

  it('books every one of as many members as a fresh slot has places, asking at once (its counter created under them)', async () => {
    for (const day of ['2026-03-16', '2026-03-17', '2026-03-18']) {
      const trio = await members(`trio-${day}`, 3)
      const responses = await Promise.all(trio.map((m) => h.book(m.token, { store: 'SH-XTD', start: at(day, '10:00') })))
      expect(responses.map((r) => r.statusCode), responses.map((r) => r.body).join('\n')).toEqual([201, 201, 201])
      expect(await h.counter('SH-XTD', at(day, '10:00'))).toMatchObject({ booked: 3 })
    }
  })

  it('makes one appointment of 20 requests with the same key at once: one 201, the others 200 with the same', async () => {
    const me = await t.login('same-key')
    const body = { store: 'SH-IFC', start: at('2026-03-11', '11:00'), purpose: 'viewing', idempotencyKey: 'same-key-at-once' }
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.book(me.token, body)))
    expect(responses.map((r) => r.statusCode).sort()).toEqual([...Array(19).fill(200), 201])
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1)
    expect(await Appointment().countDocuments({ memberId: me.memberId })).toBe(1)
    expect(await h.counter('SH-IFC', body.start)).toMatchObject({ booked: 1 })
    expect((await h.messages(me.memberId)).map((m) => m.dedupeKey)).toEqual([`appointment:${responses[0]!.json().id}:booked`])
  })

  it('lets one member hold at most 2 upcoming appointments, and never two at once, however many they fire together', async () => {
    const me = await t.login('greedy')
    const spread = await Promise.all(['12:00', '13:00', '14:00', '15:00', '16:00', '17:00'].map((time) => h.book(me.token, { store: 'SH-IFC', start: at('2026-03-12', time) })))
    expect(spread.filter((r) => r.statusCode === 201)).toHaveLength(2)
    for (const r of spread.filter((r) => r.statusCode !== 201)) expect([ErrorCodes.LIMIT_REACHED, ErrorCodes.CONFLICT]).toContain(r.json().code)

    const other = await t.login('double')
    const sameTime = await Promise.all(['SH-IFC', 'SH-XTD', 'SH-IFC', 'SH-XTD'].map((store) => h.book(other.token, { store, start: at('2026-03-13', '10:00') })))
    expect(sameTime.filter((r) => r.statusCode === 201)).toHaveLength(1)
    expect(await Appointment().countDocuments({ memberId: other.memberId, status: { $ne: 'pending' } })).toBe(1)
    expect(await t.app.appointments.reconcile()).toEqual([])
  })

  it('never passes the places when cancellations and bookings of a full slot arrive together', async () => {
    const start = at('2026-03-14', '10:00')
    const first = await members('churn-first', 3)
    const booked = await Promise.all(first.map((m) => h.booked(m.token, { store: 'SH-IFC', start })))
    const next = await members('churn-next', 12)
    const responses = await Promise.all([
      ...first.map((m, i) => h.cancelMine(m.token, booked[i].id)),
      ...first.map((m, i) => h.cancelMine(m.token, booked[i].id)),
      ...next.map((m) => h.book(m.token, { store: 'SH-IFC', start })),
    ])
    expect(responses.slice(0, 6).map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200])
    const live = await Appointment().countDocuments({ store: 'SH-IFC', start: new Date(start), status: 'requested' })
    expect(live).toBeLessThanOrEqual(3)
    expect((await h.counter('SH-IFC', start))!.booked).toBe(live)
    expect(await t.app.appointments.reconcile()).toEqual([])
  })

  it('moves only one of two appointments racing for the last place of a slot', async () => {
    const staff = staffToken(t, { role: 'staff', store: 'SH-IFC' })
    const target = at('2026-03-15', '10:00')
    const fillers = await members('race-fill', 2)
    for (const m of fillers) await h.booked(m.token, { store: 'SH-IFC', start: target })
    const movers = await members('race-move', 2)
    const theirs = await Promise.all(movers.map((m, i) => h.booked(m.token, { store: 'SH-IFC', start: at('2026-03-15', `1${i + 1}:00`) })))
    const moves = await Promise.all(theirs.map((a) => h.staffAction(staff, a.id, 'reschedule', { start: target })))
    expect(moves.map((r) => r.statusCode).sort()).toEqual([200, 409])
    expect(moves.find((r) => r.statusCode === 409)!.json().code).toBe(ErrorCodes.SLOT_FULL)
    expect((await h.counter('SH-IFC', target))!.booked).toBe(3)
    const kept = theirs[moves.findIndex((r) => r.statusCode === 409)]!
    expect(await h.counter('SH-IFC', kept.start)).toMatchObject({ booked: 1, holders: [kept.id] })
    expect(await t.app.appointments.reconcile()).toEqual([])
  })
})
