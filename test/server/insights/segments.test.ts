import type { LightMyRequestResponse } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { TestClock, useTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { expectError, hostileKeys, send, staffToken } from '../staff/counter-helpers.js'

/**
 * Segments (issue 14): saved filters over the members, a live count, the members page by page. The members below are
 * planted with known purchases so every count is known by hand.
 */

/** `hh:mm` Shanghai on the day `days` after 1 March 2026 (negative: before) */
const shanghai = (days: number, hh = 12) => new Date(Date.UTC(2026, 2, 1 + days, hh - 8))
const TODAY = 500 // the clock stands at day 500 (13 July 2027)

interface Planted {
  id: string
  name: string
}

async function member(t: TestContext, name: string, fields: Record<string, unknown> = {}): Promise<Planted> {
  const doc = await t.app.db.connection.model('Member').create({
    openid: `seg-${name}-${Math.random().toString(36).slice(2)}`,
    nickname: name,
    growth: 0,
    points: { available: 0, pending: 0, debt: 0, expired: 0 },
    tierLevel: 1,
    ...fields,
  })
  return { id: String(doc._id), name }
}

async function pay(t: TestContext, who: Planted, day: number, paidFen: number, line: { sku?: string; category?: string } = {}): Promise<string> {
  const orderId = shop.orderId()
  t.clock.set(shanghai(day))
  await t.sendAccepted(shop.paid(orderId, { memberId: who.id }, [{ lineId: '1', paidFen, ...line }], shanghai(day).toISOString()))
  await t.app.jobs.drain()
  return orderId
}

const ok = (response: LightMyRequestResponse, status = 200) => {
  expect(response.statusCode, response.body).toBe(status)
  return response.json()
}

describe('segments', () => {
  const t = useTestApp({}, new TestClock(shanghai(0)))
  const m: Record<string, Planted> = {}
  let admin: string
  const names = (ids: string[]) => ids.map((id) => Object.values(m).find((p) => p.id === id)?.name ?? id).sort()
  const count = async (filter: unknown) => ok(await send(t, 'POST', '/api/admin/segments/count', admin, { filter })).count as number
  const who = async (filter: unknown) => names(await t.app.insights.segments.evaluate(filter as never))

  beforeAll(async () => {
    admin = t.adminToken()
    m.ann = await member(t, 'ann', { tierLevel: 2, birthday: '03-15', homeStore: 'SH01', phone: '13800001111' })
    m.bob = await member(t, 'bob') // never buys; turns marketing off
    m.cat = await member(t, 'cat', { tierLevel: 2, birthday: '11-02', homeStore: 'BJ01' })
    m.dan = await member(t, 'dan', { birthday: '03-01', phone: '13800002222' })
    m.eve = await member(t, 'eve')
    m.fay = await member(t, 'fay', { tierLevel: 3, homeStore: 'SH01' })
    // dan: one purchase on day 90 (410 days before day 500: out of the rolling year, dormant)
    await pay(t, m.dan, 90, 50_000)
    // cat: one necklace on day 400 (100 days before: lapsed), 500 yuan
    await pay(t, m.cat, 400, 50_000, { sku: 'NECK-1', category: 'necklace' })
    // eve: bought and returned in full (a prospect with a document)
    const eveOrder = await pay(t, m.eve, 450, 20_000)
    t.clock.set(shanghai(451))
    await t.sendAccepted(shop.refunded(eveOrder, 'R1', [{ lineId: '1', refundFen: 20_000 }], shanghai(451).toISOString()))
    // ann: a ring on day 200 (300 days before: in the year) and on day 495 (5 days before): 2 purchase days, 3,000 yuan
    await pay(t, m.ann, 200, 100_000, { sku: 'RING-1', category: 'ring' })
    await pay(t, m.ann, 495, 200_000, { sku: 'RING-2', category: 'ring' })
    // fay: 12 purchase days from day 480 to 491 (two orders on day 485 count once): 11 purchase days… plus 491
    for (let day = 480; day <= 491; day++) await pay(t, m.fay, day, 500_000)
    await pay(t, m.fay, 485, 100_000)
    // tiers as staff see them (the purchases above moved them by growth)
    const Member = t.app.db.connection.model('Member')
    for (const [name, tierLevel] of [['ann', 2], ['cat', 2], ['fay', 3], ['bob', 1], ['dan', 1], ['eve', 1]] as const) await Member.updateOne({ _id: m[name]!.id }, { $set: { tierLevel } })
    t.clock.set(shanghai(TODAY, 10))
    await t.app.jobs.drain()
    expect(ok(await send(t, 'PUT', '/api/me/message-preferences', (await bobToken(t, m.bob)) ?? '', { marketing: false })).marketing).toBe(false)
  })

  /** bob's member token (signed as login signs it) */
  async function bobToken(ctx: TestContext, p: Planted): Promise<string> {
    return ctx.app.jwt.sign({ sub: p.id, role: 'member' })
  }

  it('filters by lifecycle stage, prospects included (members without any purchase, and members whose purchases were all returned)', async () => {
    expect(await who({ stages: ['prospect'] })).toEqual(['bob', 'eve'])
    expect(await who({ stages: ['lapsed', 'dormant'] })).toEqual(['cat', 'dan'])
    expect(await who({ stages: ['repeat'] })).toEqual(['ann', 'fay'])
  })

  it('filters by days since the last purchase, in Shanghai days, never matching members who never bought', async () => {
    // ann 5, fay 9, cat 100, dan 410
    expect(await who({ daysSinceLastPurchase: { min: 100 } })).toEqual(['cat', 'dan'])
    expect(await who({ daysSinceLastPurchase: { max: 9 } })).toEqual(['ann', 'fay'])
    expect(await who({ daysSinceLastPurchase: { min: 6, max: 100 } })).toEqual(['cat', 'fay'])
  })

  it('filters by the rolling year: purchase days (same-day orders once) and amount, and by RFM scores', async () => {
    // purchases12m: ann 2, fay 12 (day 485 twice = once), cat 1, dan 0 (out of the year), eve 0, bob 0
    expect(await who({ purchases12m: { min: 2 } })).toEqual(['ann', 'fay'])
    const fay = await t.app.db.connection.model('MemberLifecycle').findById(m.fay!.id).lean()
    expect(fay, JSON.stringify(fay)).toMatchObject({ purchases12m: 12, amount12mFen: 6_100_000 })
    expect(await who({ purchases12m: { min: 12, max: 12 } })).toEqual(['fay'])
    // purchases12m max 0: blank members match too (bob, eve have nothing in the year; dan's purchase left it)
    expect(await who({ purchases12m: { max: 0 } })).toEqual(['bob', 'dan', 'eve'])
    // amount: ann 300,000 fen; cat 50,000; fay 12 × 500,000 + 100,000 = 6,100,000
    expect(await who({ amount12mFen: { min: 100_000, max: 1_000_000 } })).toEqual(['ann'])
    // F 5 = 10+ purchase days; M 5 = from 50,000 yuan; M 2 = 1,000–4,999.99 yuan; R 5 = within 30 days
    expect(await who({ rfm: { f: { min: 5 } } })).toEqual(['fay'])
    expect(await who({ rfm: { m: { min: 2, max: 2 } } })).toEqual(['ann'])
    expect(await who({ rfm: { r: { min: 5 } } })).toEqual(['ann', 'fay'])
    // R 2–3: 91–365 days → cat (100); dan (410) scores 1
    expect(await who({ rfm: { r: { min: 2, max: 3 } } })).toEqual(['cat'])
    expect(await who({ rfm: { r: { max: 1 } } })).toEqual(['dan'])
  })

  it('filters by products bought, birthday month, home store, tier, points, phone, consent — all together with AND', async () => {
    expect(await who({ bought: { skus: ['RING-1'] } })).toEqual(['ann'])
    expect(await who({ bought: { categories: ['necklace', 'ring'] } })).toEqual(['ann', 'cat'])
    // RING-1 was bought on day 200: 300 days ago
    expect(await who({ bought: { skus: ['RING-1'], withinDays: 299 } })).toEqual([])
    // eve's returned purchase does not count as bought
    // dan's SKU-1 was bought 410 days ago: only with a longer look-back
    expect(await who({ bought: { skus: ['SKU-1'] } })).toEqual(['fay'])
    expect(await who({ bought: { skus: ['SKU-1'], withinDays: 410 } })).toEqual(['dan', 'fay'])
    expect(await who({ birthdayMonths: [3] })).toEqual(['ann', 'dan'])
    expect(await who({ homeStores: ['SH01'] })).toEqual(['ann', 'fay'])
    expect(await who({ tierLevels: [2, 3] })).toEqual(['ann', 'cat', 'fay'])
    // points come from the purchases: the buyers have some, bob none, eve gave hers back with the refund
    expect(await who({ pointsAvailable: { min: 1 } })).toEqual(['ann', 'cat', 'dan', 'fay'])
    expect(await who({ pointsAvailable: { max: 0 } })).toEqual(['bob', 'eve'])
    expect(await who({ hasPhone: true })).toEqual(['ann', 'dan'])
    expect(await who({ marketingConsent: false })).toEqual(['bob'])
    expect((await who({ marketingConsent: true })).includes('bob')).toBe(false)
    expect(await who({ homeStores: ['SH01'], stages: ['repeat'], rfm: { f: { max: 4 } } })).toEqual(['ann'])
  })

  it('saves, lists, reads, pages, replaces and deletes segments through the API, with a live count', async () => {
    expect(await count({ stages: ['repeat'] })).toBe(2)
    const created = ok(await send(t, 'POST', '/api/admin/segments', admin, { name: '复购客', filter: { stages: ['repeat'] } }), 201)
    expect(created).toMatchObject({ name: '复购客', count: 2, filter: { stages: ['repeat'] }, createdBy: 'ops@brand.test' })
    expect(ok(await send(t, 'GET', '/api/admin/segments', admin)).items.map((s: { id: string }) => s.id)).toContain(created.id)
    expect(ok(await send(t, 'GET', `/api/admin/segments/${created.id}`, admin)).count).toBe(2)

    const page1 = ok(await send(t, 'GET', `/api/admin/segments/${created.id}/members?page=1&pageSize=1`, admin))
    const page2 = ok(await send(t, 'GET', `/api/admin/segments/${created.id}/members?page=2&pageSize=1`, admin))
    expect(page1.total).toBe(2)
    expect([page1.items[0].nickname, page2.items[0].nickname].sort()).toEqual(['ann', 'fay'])
    const annRow = [...page1.items, ...page2.items].find((r: { nickname: string }) => r.nickname === 'ann')
    expect(annRow).toMatchObject({ phone: '138****1111', stage: 'repeat', purchases12m: 2, amount12mFen: 300_000, homeStore: 'SH01', tierLevel: 2 })
    expect(annRow.pointsAvailable).toBeGreaterThan(0)

    const replaced = ok(await send(t, 'PUT', `/api/admin/segments/${created.id}`, admin, { name: '流失', filter: { stages: ['lapsed'] } }))
    expect(replaced).toMatchObject({ name: '流失', count: 1 })
    expect((await send(t, 'DELETE', `/api/admin/segments/${created.id}`, admin)).statusCode).toBe(204)
    expectError(await send(t, 'GET', `/api/admin/segments/${created.id}`, admin), 404, 'NOT_FOUND')
    expectError(await send(t, 'DELETE', `/api/admin/segments/${created.id}`, admin), 404, 'NOT_FOUND')
  })

  it('refuses bad filters with 400 and changes nothing', async () => {
    const before = await t.app.db.connection.model('Segment').countDocuments({})
    const valid = { name: 'x', filter: { stages: ['repeat'], rfm: { f: { min: 1 } }, bought: { skus: ['A'] } } }
    for (const body of hostileKeys(valid)) expectError(await send(t, 'POST', '/api/admin/segments', admin, body), 400, 'VALIDATION_FAILED')
    const bad = [
      { name: 'x', filter: { purchases12m: { min: 5, max: 2 } } },
      { name: 'x', filter: { bought: { withinDays: 30 } } },
      { name: 'x', filter: { stages: ['vip'] } },
      { name: 'x', filter: { rfm: { r: { min: 6 } } } },
      { name: 'x', filter: { amount12mFen: { min: -1 } } },
      { name: 'x', filter: { pointsAvailable: {} } },
      { name: 'x', filter: { bought: { skus: ['$where'] } } },
      { name: '', filter: {} },
      { name: 'x', filter: { stages: ['repeat', 'repeat'] } },
      { name: 'x', filter: { birthdayMonths: [13] } },
    ]
    for (const body of bad) expectError(await send(t, 'POST', '/api/admin/segments', admin, body), 400, 'VALIDATION_FAILED')
    expectError(await send(t, 'POST', '/api/admin/segments/count', admin, { filter: { purchases12m: { min: 5, max: 2 } } }), 400, 'VALIDATION_FAILED')
    expectError(await send(t, 'GET', '/api/admin/segments/not-an-id', admin), 400, 'VALIDATION_FAILED')
    expect(await t.app.db.connection.model('Segment').countDocuments({})).toBe(before)
  })

  it('is for admins: no token 401, a member 403, a manager 403', async () => {
    expectError(await send(t, 'POST', '/api/admin/segments/count', null, { filter: {} }), 401, 'UNAUTHORIZED')
    expectError(await send(t, 'POST', '/api/admin/segments/count', t.app.jwt.sign({ sub: m.ann!.id, role: 'member' }), { filter: {} }), 403, 'FORBIDDEN')
    const manager = await staffToken(t, { role: 'manager', store: 'SH01' })
    expectError(await send(t, 'GET', '/api/admin/segments', manager.token), 403, 'FORBIDDEN')
  })
  it('(last: moves the clock on) a purchase leaving the rolling year is seen the day it leaves (the daily job)', async () => {
    // ann's day-200 purchase is in the year up to day 564 and leaves on day 565
    t.clock.set(shanghai(564, 10))
    await t.app.jobs.drain()
    expect(await who({ purchases12m: { min: 2, max: 2 } })).toEqual(['ann'])
    t.clock.set(shanghai(565, 1))
    await t.app.jobs.drain()
    expect(await who({ purchases12m: { min: 2, max: 2 } })).toEqual([])
    expect(await who({ amount12mFen: { min: 200_000, max: 200_000 } })).toEqual(['ann'])
  })

})
