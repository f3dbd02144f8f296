import type { Store } from '@member-center/shared'
import { expect } from 'vitest'
import type { TestContext } from '../../helpers/app.js'

/**
 * A staff token for the appointment tests — the one place they are made (the staff module's records and tokens will
 * replace it): role staff, manager or admin, and the store they act for.
 */
export function staffToken(t: TestContext, claims: { role: 'staff' | 'manager' | 'admin'; store?: string | null }): string {
  return t.app.jwt.sign({ sub: 'test-staff', role: claims.role, store: claims.store ?? null })
}

/** A store as the tests use it unless they say otherwise: 10:00–18:00, hourly slots, 3 places, 14 days ahead. */
export const baseStore = (changes: Partial<Store> = {}): Omit<Store, 'code'> => ({
  name: '上海国金中心店',
  address: '上海市浦东新区世纪大道 8 号 L1-101',
  phone: '021-6888 8888',
  hours: { open: '10:00', close: '18:00' },
  slotMinutes: 60,
  capacity: 3,
  priorityCapacity: 0,
  bookingDays: 14,
  purposes: ['cleaning', 'resizing', 'custom', 'viewing'],
  status: 'open',
  ...changes,
})

/** What the appointment tests share: stores, slots, bookings, staff calls, and a look at counters, messages and the audit. */
export function appointmentHelpers(t: TestContext) {
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const admin = () => bearer(t.adminToken())

  const putStore = (code: string, body: unknown, token = t.adminToken()) => t.app.inject({ method: 'PUT', url: `/api/admin/stores/${code}`, headers: bearer(token), payload: body as object })

  async function store(code: string, changes: Partial<Store> = {}): Promise<Store> {
    const response = await putStore(code, baseStore(changes))
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }

  const slots = (token: string, code: string, date: string) => t.app.inject({ method: 'GET', url: `/api/appointments/slots?store=${code}&date=${date}`, headers: bearer(token) })

  let keys = 0
  const book = (token: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/me/appointments', headers: bearer(token), payload: { purpose: 'cleaning', idempotencyKey: `key-${Date.now()}-${++keys}`, ...body } })

  async function booked(token: string, body: Record<string, unknown>) {
    const response = await book(token, body)
    expect(response.statusCode, response.body).toBe(201)
    return response.json()
  }

  const mine = (token: string) => t.app.inject({ method: 'GET', url: '/api/me/appointments', headers: bearer(token) })
  const cancelMine = (token: string, id: string, body: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/me/appointments/${id}/cancel`, headers: bearer(token), payload: body })

  /** A staff route: GET /api/staff/appointments?…, or POST …/:id/<action>. */
  const staffList = (token: string, query = '') => t.app.inject({ method: 'GET', url: `/api/staff/appointments${query ? `?${query}` : ''}`, headers: bearer(token) })
  const staffAction = (token: string, id: string, action: string, body: Record<string, unknown> = {}) =>
    t.app.inject({ method: 'POST', url: `/api/staff/appointments/${id}/${action}`, headers: bearer(token), payload: body })

  /** A slot's counter as stored (null when nobody booked it yet). */
  const counter = async (code: string, start: string) =>
    (await t.app.db.connection.model('AppointmentSlot').findById(`${code}|${new Date(start).toISOString()}`).lean()) as unknown as {
      booked: number
      priorityBooked: number
      holders: string[]
      priorityHolders: string[]
    } | null

  /** The appointment messages written for a member, oldest first. */
  const messages = async (memberId: string) =>
    (await t.app.db.connection.model('Message').find({ memberId, kind: 'appointment' }).sort({ createdAt: 1, _id: 1 }).lean()) as unknown as {
      dedupeKey: string
      data: Record<string, string>
      body: string
      page: string
      category: string
    }[]

  const audits = async (action: string) =>
    (await t.models.Audit.find({ action }).sort({ at: 1, _id: 1 }).lean()) as unknown as { actor: string; actorName: string | null; role: string; store: string | null; memberId: unknown; details: Record<string, unknown>; at: Date }[]

  /** Raises a member to tier S4 (钻石会员), whose benefits include priority appointments. */
  const makePriority = (memberId: string) =>
    t.app.adjustments.adjust(memberId, { kind: 'growth', delta: 180_001, reason: 'test: priority tier', requestId: `priority-${memberId}` }, { actor: 'test', role: 'admin' })

  return { bearer, admin, putStore, store, slots, book, booked, mine, cancelMine, staffList, staffAction, counter, messages, audits, makePriority }
}

/** An instant at a Shanghai wall-clock time: at('2026-03-11', '10:00'). */
export const at = (date: string, time: string) => new Date(`${date}T${time}:00+08:00`).toISOString()
