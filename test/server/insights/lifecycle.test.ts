import { ErrorCodes } from '@member-center/shared'
import type { LightMyRequestResponse } from 'fastify'
import { Types } from 'mongoose'
import { beforeAll, describe, expect, it } from 'vitest'
import { TestClock, useTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { send, staffToken, type CounterStaff } from '../staff/counter-helpers.js'

/**
 * Lifecycle stages (issue 14): recomputed from a member's orders on payments, refunds and cancellations, and moved
 * along by the daily job at 00:15 Shanghai; days since the last purchase are Shanghai calendar days, and a boundary
 * day belongs to the stage that starts on it (day 5 is new_5_30, day 45 at_risk, day 90 lapsed, day 180 dormant).
 */

const HOUR = 3_600_000
/** `hh:mm` Shanghai on the day `days` after 1 March 2026 */
const shanghai = (days: number, hh: number, mm = 0) => new Date(Date.UTC(2026, 2, 1 + days, hh - 8, mm))

const lineOf = (paidFen = 10_000) => [{ lineId: '1', paidFen }]

async function pay(t: TestContext, memberId: string, at: Date, options: { store?: string; orderId?: string; paidFen?: number } = {}): Promise<string> {
  const orderId = options.orderId ?? shop.orderId()
  const event = shop.paid(orderId, { memberId }, lineOf(options.paidFen), at.toISOString())
  if (options.store) Object.assign(event.data, { channel: 'store', store: options.store })
  await t.sendAccepted(event)
  await t.app.jobs.drain()
  return orderId
}

/** moves the clock and runs what is due (the daily job among them) */
async function moveTo(t: TestContext, at: Date): Promise<void> {
  t.clock.set(at)
  await t.app.jobs.drain()
}

function stageModel(t: TestContext) {
  return { Lifecycle: t.app.db.connection.model('MemberLifecycle'), Change: t.app.db.connection.model('LifecycleChange') }
}

async function glanceLifecycle(t: TestContext, staff: CounterStaff, memberId: string): Promise<{ stage: string; label: string; since: string } | null> {
  const response = await send(t, 'GET', `/api/staff/members/${memberId}`, staff.token)
  expect(response.statusCode, response.body).toBe(200)
  return response.json().lifecycle
}

function expectStatus(response: LightMyRequestResponse, status: number) {
  expect(response.statusCode, response.body).toBe(status)
}

describe('lifecycle stages over time (the daily job at 00:15 Shanghai)', () => {
  const clock = new TestClock(shanghai(0, 9))
  const t = useTestApp({}, clock)
  let staff: CounterStaff
  let member: string

  beforeAll(async () => {
    staff = await staffToken(t, { role: 'staff', store: 'SH-01' })
    member = (await t.login('lifecycle-one')).memberId
  })

  it('shows a member without a purchase as no stage (a prospect)', async () => {
    expect(await glanceLifecycle(t, staff, member)).toBeNull()
  })

  it('stages a purchase at 23:30 Shanghai as new_0_5, and moves it at each boundary midnight', async () => {
    await moveTo(t, shanghai(0, 23, 30))
    await pay(t, member, shanghai(0, 23, 30))
    expect(await glanceLifecycle(t, staff, member)).toMatchObject({ stage: 'new_0_5', since: shanghai(0, 23, 30).toISOString() })

    const steps: [number, string][] = [
      [4, 'new_0_5'],
      [5, 'new_5_30'],
      [29, 'new_5_30'],
      [30, 'new_30_45'],
      [44, 'new_30_45'],
      [45, 'at_risk'],
      [89, 'at_risk'],
      [90, 'lapsed'],
      [179, 'lapsed'],
      [180, 'dormant'],
    ]
    for (const [day, stage] of steps) {
      // the job runs at 00:15; at 23:59 the same day nothing more has changed
      await moveTo(t, shanghai(day, 0, 15))
      expect((await glanceLifecycle(t, staff, member))?.stage, `day ${day}`).toBe(stage)
      await moveTo(t, shanghai(day, 23, 59))
      expect((await glanceLifecycle(t, staff, member))?.stage, `day ${day} 23:59`).toBe(stage)
    }
    // the stage began at the Shanghai midnight it was due, not when the job ran
    expect((await glanceLifecycle(t, staff, member))?.since).toBe(shanghai(180, 0).toISOString())
  })

  it('records each change once, with its lifecycle.stage_changed event, even when the job runs again', async () => {
    const { Change } = stageModel(t)
    const expected = [
      ['prospect', 'new_0_5'],
      ['new_0_5', 'new_5_30'],
      ['new_5_30', 'new_30_45'],
      ['new_30_45', 'at_risk'],
      ['at_risk', 'lapsed'],
      ['lapsed', 'dormant'],
    ]
    const memberId = new Types.ObjectId(member)
    // the job again, twice, and a recomputation by hand
    for (let i = 0; i < 2; i++) {
      await t.app.jobs.schedule('insights.lifecycle-daily', 'insights.lifecycle-daily', {}, t.clock.now(), { move: true })
      await t.app.jobs.drain()
    }
    await t.app.insights.lifecycle.recompute(memberId, 'test')
    const changes = await Change.find({ memberId }).sort({ at: 1 }).lean<{ from: string; to: string; cause: string }[]>()
    expect(changes.map((c) => [c.from, c.to])).toEqual(expected)
    expect(changes[0]!.cause).toBe('order.paid')
    expect(changes[1]!.cause).toBe('time')
    const events = await t.models.DomainEvent.find({ type: 'lifecycle.stage_changed', memberId }).sort({ at: 1 }).lean<{ payload: { from: string; to: string } }[]>()
    expect(events.map((e) => [e.payload.from, e.payload.to])).toEqual(expected)
  })

  it('records a change once when two recomputations race at a boundary', async () => {
    const racer = (await t.login('lifecycle-racer')).memberId
    await pay(t, racer, t.clock.now())
    t.clock.set(new Date(t.clock.now().getTime() + 6 * 24 * HOUR))
    const memberId = new Types.ObjectId(racer)
    const stages = await Promise.all(Array.from({ length: 6 }, () => t.app.insights.lifecycle.recompute(memberId, 'race')))
    expect(new Set(stages)).toEqual(new Set(['new_5_30']))
    const { Change } = stageModel(t)
    expect(await Change.countDocuments({ memberId, to: 'new_5_30' })).toBe(1)
    expect(await t.models.DomainEvent.countDocuments({ type: 'lifecycle.stage_changed', memberId, 'payload.to': 'new_5_30' })).toBe(1)
  })
})

describe('lifecycle stages from orders: repeat, refunds, counts per store, the policy and the report', () => {
  const clock = new TestClock(shanghai(0, 10))
  const t = useTestApp({}, clock)
  let staff: CounterStaff
  let manager: CounterStaff
  let otherManager: CounterStaff
  let admin: CounterStaff

  beforeAll(async () => {
    staff = await staffToken(t, { role: 'staff', store: 'SH-01' })
    manager = await staffToken(t, { role: 'manager', store: 'SH-01' })
    otherManager = await staffToken(t, { role: 'manager', store: 'BJ-01' })
    admin = await staffToken(t, { role: 'admin' })
  })

  it('moves repeat back to a new stage by its days when a refund leaves one purchase day', async () => {
    const member = (await t.login('lifecycle-refund')).memberId
    await pay(t, member, shanghai(0, 10))
    await moveTo(t, shanghai(10, 11))
    const second = await pay(t, member, shanghai(10, 11))
    // a second order the same Shanghai day is the same purchase day
    const third = await pay(t, member, shanghai(10, 20))
    expect(await glanceLifecycle(t, staff, member)).toMatchObject({ stage: 'repeat', label: '复购客户' })
    await moveTo(t, shanghai(12, 9))
    await t.sendAccepted(shop.refunded(second, 'RF-1', [{ lineId: '1', refundFen: 10_000 }], shanghai(12, 9).toISOString()))
    await t.app.jobs.drain()
    // still two purchase days (the 20:00 order on day 10): repeat
    expect((await glanceLifecycle(t, staff, member))?.stage).toBe('repeat')
    await t.sendAccepted(shop.refunded(third, 'RF-2', [{ lineId: '1', refundFen: 10_000 }], shanghai(12, 9, 30).toISOString()))
    await t.app.jobs.drain()
    // one purchase day left, 12 days ago: new_5_30
    expect(await glanceLifecycle(t, staff, member)).toMatchObject({ stage: 'new_5_30', since: shanghai(12, 9).toISOString() })
    const last = await t.models.DomainEvent.findOne({ type: 'lifecycle.stage_changed', memberId: new Types.ObjectId(member) }).sort({ at: -1 }).lean<{ payload: { from: string; to: string } }>()
    expect(last?.payload).toMatchObject({ from: 'repeat', to: 'new_5_30' })
  })

  it('counts a store’s members per stage for its manager (staff 403, another store 403, admins name the store)', async () => {
    const a = (await t.login('lifecycle-store-a')).memberId
    const b = (await t.login('lifecycle-store-b')).memberId
    const c = (await t.login('lifecycle-store-c')).memberId
    await pay(t, a, t.clock.now(), { store: 'SH-01' })
    await pay(t, b, t.clock.now(), { store: 'SH-01' })
    await pay(t, b, new Date(t.clock.now().getTime() + HOUR), { store: 'SH-01' })
    await pay(t, c, t.clock.now(), { store: 'BJ-01' })
    await moveTo(t, new Date(t.clock.now().getTime() + 2 * 24 * HOUR))
    await pay(t, b, t.clock.now(), { store: 'SH-01' })

    const response = await send(t, 'GET', '/api/staff/lifecycle', manager.token)
    expectStatus(response, 200)
    const body = response.json()
    expect(body.store).toBe('SH-01')
    const count = (stage: string) => body.stages.find((s: { stage: string }) => s.stage === stage).members
    expect(count('new_0_5')).toBe(1)
    expect(count('repeat')).toBe(1)
    expect(body.stages.map((s: { stage: string }) => s.stage)).toEqual(['prospect', 'new_0_5', 'new_5_30', 'new_30_45', 'repeat', 'at_risk', 'lapsed', 'dormant'])
    expect(body.stages.reduce((sum: number, s: { members: number }) => sum + s.members, 0)).toBe(body.members)

    expectStatus(await send(t, 'GET', '/api/staff/lifecycle', staff.token), 403)
    expectStatus(await send(t, 'GET', '/api/staff/lifecycle?store=SH-01', otherManager.token), 403)
    expect((await send(t, 'GET', '/api/staff/lifecycle', admin.token)).json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    const bj = await send(t, 'GET', '/api/staff/lifecycle?store=BJ-01', admin.token)
    expectStatus(bj, 200)
    expect(bj.json().stages.find((s: { stage: string }) => s.stage === 'new_0_5').members).toBe(1)
    expectStatus(await send(t, 'GET', '/api/staff/lifecycle'), 401)
  })

  it('reports every member per stage (prospects included) and the median days between purchase days', async () => {
    const response = await send(t, 'GET', '/api/admin/lifecycle/report', t.adminToken())
    expectStatus(response, 200)
    const body = response.json()
    expect(body.stages.reduce((sum: number, s: { members: number }) => sum + s.members, 0)).toBe(body.members)
    expect(body.stages.find((s: { stage: string }) => s.stage === 'prospect').members).toBeGreaterThan(0)
    // lifecycle-refund: one purchase day left (no gap); lifecycle-store-b: days 12 and 14 — one gap of 2 days
    expect(body.purchaseGap).toEqual({ medianDays: 2, gaps: 1, members: 1 })
    expect(body.policy).toEqual({ newCare: 5, newOffer: 30, atRisk: 45, lapsed: 90, dormant: 180 })
    expectStatus(await send(t, 'GET', '/api/admin/lifecycle/report', manager.token), 403)
  })

  it('takes new boundaries only when they increase, and re-stages members at once', async () => {
    const bad = await send(t, 'PUT', '/api/admin/lifecycle/policy', t.adminToken(), { newCare: 5, newOffer: 30, atRisk: 30, lapsed: 90, dormant: 180 })
    expectStatus(bad, 400)
    expect(bad.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    expectStatus(await send(t, 'PUT', '/api/admin/lifecycle/policy', t.adminToken(), { newCare: 5, newOffer: 30, atRisk: 45, lapsed: 90, dormant: 180, extra: 1 }), 400)
    // the refunded member is 14 days from their purchase: with newCare 20 they are new_0_5 again
    const put = await send(t, 'PUT', '/api/admin/lifecycle/policy', t.adminToken(), { newCare: 20, newOffer: 60, atRisk: 120, lapsed: 365, dormant: 730 })
    expectStatus(put, 200)
    await t.app.jobs.drain()
    expectStatus(await send(t, 'GET', '/api/admin/lifecycle/policy', t.adminToken()), 200)
    expect((await send(t, 'GET', '/api/admin/lifecycle/policy', t.adminToken())).json().newCare).toBe(20)
    const refunded = (await t.login('lifecycle-refund')).memberId
    expect((await glanceLifecycle(t, staff, refunded))?.stage).toBe('new_0_5')
  })
})
