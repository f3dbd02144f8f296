import { ErrorCodes } from '@member-center/shared'
import { Types } from 'mongoose'
import { beforeAll, describe, expect, it } from 'vitest'
import { TestClock, useTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { mallHelpers } from '../mall/mall-helpers.js'
import { auditOf, expectError, send, staffToken, type CounterStaff } from '../staff/counter-helpers.js'

/**
 * GET /api/admin/kpis (issue 14 "KPIs") on a hand-made data set, through HTTP against the real database. Times are
 * Shanghai; the report runs on 2026-09-30 for from=2026-01-01 … to=2026-09-30, so the headline rolling year is
 * 2025-10-01 … 2026-09-30.
 *
 * The members and their orders (online = the shop's mall, store = an in-store sale):
 *   A  2025-06-10 online; 2026-01-05 10:00 SH-01 and 2026-01-05 20:00 SH-01 (the same Shanghai day: ONE purchase day)
 *   B  2026-01-10 SH-01; 2026-02-05 SH-01 (26 days later); 2026-05-01 BJ-01
 *   C  2026-01-20 BJ-01; 2026-04-10 online (80 days later)
 *   D  2026-01-25 SH-01; 2026-03-01 online, refunded in full on 2026-03-03 (not a purchase)
 *   E  2026-01-28 23:30 online; 2026-02-14 a zero-value order (not a purchase); 2026-07-20 online (173 days later)
 *   F  no order: a points-mall gift order (redeemed, shipped, delivered) — not a purchase
 *   G  2025-09-15 online only
 *
 * Rolling year at 2026-09-30 (2025-10-01 … 2026-09-30), purchase days inside it:
 *   A {01-05}  B {01-10, 02-05, 05-01}  C {01-20, 04-10}  D {01-25}  E {01-28, 07-20}  F —  G — (09-15 is before it)
 *   customers = 5 (A B C D E)
 *   old customers (≥ 2 purchase days ever up to 09-30) = A (2025-06-10 + 01-05), B, C, E = 4 → ratio 4/5 = 0.8
 *   repeat customers (≥ 2 purchase days inside the year) = B, C, E = 3 → rate 3/5 = 0.6
 *     (A's two orders of 01-05 are one day: counting orders would make A a repeat customer, 4/5)
 *     (D's refunded order would make D old and repeat; E's zero-value order changes nothing here but the cohort)
 * Cohort 2026-01 (first purchase day ever in January): B 01-10, C 01-20, D 01-25, E 01-28 (A's first is 2025-06-10)
 *   firstBuyers = 4; second purchase day − first: B 26, C 80, D none, E 173 (E's 02-14 zero-value order would be 17)
 *   within30 = 1 (B), within90 = 2 (B C), within180 = 3 (B C E) → 0.25, 0.5, 0.75; every window has elapsed
 *   (31 Jan + 180 days = 30 Jul ≤ 30 Sep)
 * Series point 2026-01 (at 01-31, year 2025-02-01 … 2026-01-31): A {06-10, 01-05}, B, C, D, E {one day each}, G {09-15}
 *   customers 6, old 1 (A), repeat 1 (A)
 * Store SH-01 (purchase days of orders paid there): A {01-05}, B {01-10, 02-05}, D {01-25}
 *   customers 3, old 1 (B) → 1/3, repeat 1 (B) → 1/3; cohort 2026-01 at SH-01: A, B, D first bought there in January,
 *   within30 = 1 (B). Home store SH-01 (first in-store payment): A, B, D → members 3.
 * Members: all 7 joined by 09-30 (joined days planted: A 2025-06-01, G 2025-09-01, B C D E in January 2026, F 2026-03-03);
 *   all but G logged in on 09-30, G last on 08-01 → active30 = 6.
 * Coupons: two issued on 2026-02-10 (to B and C), none used.
 */

const at = (date: string, hh = 10, mm = 0) => new Date(`${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:00+08:00`)

async function moveTo(t: TestContext, when: Date): Promise<void> {
  t.clock.set(when)
  await t.app.jobs.drain()
}

/** pays an order at `when` (the clock moved there first): online (the mall) or in a store; paidFen 0 is a zero-value order */
async function pay(t: TestContext, memberId: string, when: Date, options: { store?: string; paidFen?: number } = {}): Promise<string> {
  await moveTo(t, when)
  const orderId = shop.orderId()
  const event = shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: options.paidFen ?? 10_000 }], when.toISOString())
  if (options.store) Object.assign(event.data, { channel: 'store', store: options.store })
  await t.sendAccepted(event)
  await t.app.jobs.drain()
  return orderId
}

const TO = '2026-09-30'
const QUERY = `from=2026-01-01&to=${TO}`

describe('GET /api/admin/kpis on a hand-made data set', () => {
  const clock = new TestClock(at('2025-06-01', 9))
  const t = useTestApp({}, clock)
  const ids: Record<string, string> = {}
  let admin: string
  let managerSH: CounterStaff
  let managerBJ: CounterStaff
  let staff: CounterStaff
  let memberToken: string

  beforeAll(async () => {
    for (const name of ['A', 'B', 'C', 'D', 'E', 'F', 'G']) {
      const login = await t.login(`kpi-${name}`)
      ids[name] = login.memberId
      if (name === 'A') memberToken = login.token
    }
    // tokens without a staff record (taken at their word): no member account is made for them
    managerSH = await staffToken(t, { role: 'manager', store: 'SH-01', record: false })
    managerBJ = await staffToken(t, { role: 'manager', store: 'BJ-01', record: false })
    staff = await staffToken(t, { role: 'staff', store: 'SH-01', record: false })
    admin = t.adminToken()

    const { A, B, C, D, E, F, G } = ids as Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G', string>
    await pay(t, A, at('2025-06-10'))
    await pay(t, G, at('2025-09-15', 12))
    await pay(t, A, at('2026-01-05', 10), { store: 'SH-01' })
    await pay(t, A, at('2026-01-05', 20), { store: 'SH-01' })
    await pay(t, B, at('2026-01-10', 11), { store: 'SH-01' })
    await pay(t, C, at('2026-01-20', 15), { store: 'BJ-01' })
    await pay(t, D, at('2026-01-25', 16), { store: 'SH-01' })
    await pay(t, E, at('2026-01-28', 23, 30))
    await pay(t, B, at('2026-02-05'), { store: 'SH-01' })

    await moveTo(t, at('2026-02-10'))
    const mall = mallHelpers(t)
    const templateId = await mall.couponTemplate()
    for (const member of [B, C]) {
      const issued = await t.app.coupons.issue({ templateId, memberId: member, key: `kpi-test:${member}`, source: 'api' })
      expect(issued.status).toBe('issued')
    }

    await pay(t, E, at('2026-02-14'), { paidFen: 0 })
    const refunded = await pay(t, D, at('2026-03-01'))
    await moveTo(t, at('2026-03-03'))
    await t.sendAccepted(shop.refunded(refunded, 'RF-KPI-1', [{ lineId: '1', refundFen: 10_000 }], at('2026-03-03').toISOString()))
    await t.app.jobs.drain()

    // F: a points-mall gift order, shipped and delivered by the shop under its id
    await moveTo(t, at('2026-03-05'))
    await mall.grant(F, 1_000)
    const item = await mall.giftItem({ pointsPrice: 300, stock: 5 })
    const fToken = (await t.login('kpi-F')).token
    const redeemed = await mall.redeem(fToken, { itemId: item.id, idempotencyKey: mall.key(), address: mall.address })
    expect(redeemed.statusCode, redeemed.body).toBe(201)
    const giftId = redeemed.json().giftOrder.id as string
    await moveTo(t, at('2026-03-06'))
    await t.sendAccepted(shop.shipped(giftId, at('2026-03-06').toISOString()))
    await moveTo(t, at('2026-03-08'))
    await t.sendAccepted(shop.delivered(giftId, at('2026-03-08').toISOString()))
    await t.app.jobs.drain()

    await pay(t, C, at('2026-04-10'))
    await pay(t, B, at('2026-05-01'), { store: 'BJ-01' })
    await pay(t, E, at('2026-07-20'))
    await moveTo(t, at('2026-08-01'))
    await t.login('kpi-G')
    await moveTo(t, at(TO, 12))
    for (const name of ['A', 'B', 'C', 'D', 'E', 'F']) await t.login(`kpi-${name}`)

    // the days the members joined (createdAt is written by the database driver's clock, not the app's: planted)
    const joined: Record<string, string> = { A: '2025-06-01', B: '2026-01-10', C: '2026-01-20', D: '2026-01-25', E: '2026-01-28', F: '2026-03-03', G: '2025-09-01' }
    for (const [name, day] of Object.entries(joined)) {
      await t.app.db.connection.collection('members').updateOne({ _id: new Types.ObjectId(ids[name]) }, { $set: { createdAt: at(day, 9) } })
    }
  })

  it('counts customers, the old-customer ratio and the repeat rate of the rolling year as computed by hand', async () => {
    const response = await send(t, 'GET', `/api/admin/kpis?${QUERY}`, admin)
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ from: '2026-01-01', to: TO, store: null })
    expect(body.customers).toMatchObject({ value: 5, window: { from: '2025-10-01', to: TO } })
    expect(body.oldCustomerRatio).toMatchObject({ value: 0.8, customers: 5, oldCustomers: 4 })
    expect(body.repeatRate).toMatchObject({ value: 0.6, customers: 5, repeatCustomers: 3 })
  })

  it('gives the 1→2 conversion of the January cohort within 30, 90 and 180 days', async () => {
    const body = (await send(t, 'GET', `/api/admin/kpis?${QUERY}`, admin)).json()
    expect(body.cohorts.map((c: { month: string }) => c.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09'])
    expect(body.cohorts[0]).toEqual({ month: '2026-01', firstBuyers: 4, within30: 1, within90: 2, within180: 3, rate30: 0.25, rate90: 0.5, rate180: 0.75 })
    // no first purchase in February; the rates of an empty cohort are null
    expect(body.cohorts[1]).toMatchObject({ month: '2026-02', firstBuyers: 0, rate30: null })
  })

  it('values the series month by month (each at its last day, the last at to)', async () => {
    const body = (await send(t, 'GET', `/api/admin/kpis?${QUERY}`, admin)).json()
    const months = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09']
    expect(body.customers.series.map((p: { month: string }) => p.month)).toEqual(months)
    expect(body.customers.series[0]).toEqual({ month: '2026-01', at: '2026-01-31', customers: 6 })
    expect(body.oldCustomerRatio.series[0]).toMatchObject({ at: '2026-01-31', customers: 6, oldCustomers: 1 })
    expect(body.repeatRate.series[0]).toMatchObject({ at: '2026-01-31', customers: 6, repeatCustomers: 1 })
    expect(body.customers.series[8]).toEqual({ month: '2026-09', at: TO, customers: 5 })
    expect(body.repeatRate.series[8]).toMatchObject({ rate: 0.6 })
  })

  it('counts members, new members per month, active members, the tier mix and the points liability', async () => {
    const body = (await send(t, 'GET', `/api/admin/kpis?${QUERY}`, admin)).json()
    expect(body.members.total).toBe(7)
    expect(body.members.active30).toBe(6)
    expect(body.members.newByMonth.slice(0, 3)).toEqual([
      { month: '2026-01', members: 4 },
      { month: '2026-02', members: 0 },
      { month: '2026-03', members: 1 },
    ])
    // every tier of loyalty's table, named as it names them
    const table = await t.app.tierTable.current()
    expect(body.tierMix).toEqual(table.map((tier) => ({ level: tier.level, name: tier.name, members: tier.level === 1 ? 7 : 0 })))
    expect(body.tierMix.reduce((sum: number, tier: { members: number }) => sum + tier.members, 0)).toBe(7)
    // the liability is the members' points as they stand
    const members = (await t.models.Member.find({}, { points: 1 }).lean()) as unknown as { points: { available: number; pending: number } }[]
    const available = members.reduce((sum, m) => sum + m.points.available, 0)
    const pending = members.reduce((sum, m) => sum + m.points.pending, 0)
    expect(available + pending).toBeGreaterThan(0)
    expect(body.pointsLiability).toEqual({ available, pending, fenPerPoint: 1, availableFen: available, pendingFen: pending })
    expect(body.coupons.issued).toBe(2)
    expect(body.coupons.used).toBe(0)
    expect(body.coupons.byMonth[1]).toEqual({ month: '2026-02', issued: 2, used: 0 })
    expect(body.outreach).toEqual([])
  })

  it('values points at the KPI policy (admins set it, audited)', async () => {
    expect((await send(t, 'GET', '/api/admin/kpis/policy', admin)).json()).toEqual({ fenPerPoint: 1 })
    expectError(await send(t, 'PUT', '/api/admin/kpis/policy', managerSH.token, { fenPerPoint: 2 }), 403, ErrorCodes.FORBIDDEN)
    expectError(await send(t, 'PUT', '/api/admin/kpis/policy', admin, { fenPerPoint: -1 }), 400, ErrorCodes.VALIDATION_FAILED)
    const put = await send(t, 'PUT', '/api/admin/kpis/policy', admin, { fenPerPoint: 2.5 })
    expect(put.statusCode, put.body).toBe(200)
    const body = (await send(t, 'GET', `/api/admin/kpis?${QUERY}`, admin)).json()
    expect(body.pointsLiability.fenPerPoint).toBe(2.5)
    expect(body.pointsLiability.availableFen).toBe(Math.round(body.pointsLiability.available * 2.5))
    expect((await auditOf(t, 'kpis.policy')).map((e) => e.details)).toEqual([{ fenPerPoint: 2.5 }])
    await send(t, 'PUT', '/api/admin/kpis/policy', admin, { fenPerPoint: 1 })
  })

  it('counts the messages of the period by outcome and channel', async () => {
    // messages are dated by the database driver's clock: a range around today's real date holds them all
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
    const body = (await send(t, 'GET', `/api/admin/kpis?to=${today}`, admin)).json()
    const Message = t.app.db.connection.model('Message')
    expect(body.messages.total).toBe(await Message.countDocuments({}))
    expect(body.messages.total).toBeGreaterThan(0)
    expect(body.messages.sent).toBe(await Message.countDocuments({ status: 'sent' }))
    expect(body.messages.read).toBe(await Message.countDocuments({ read: true }))
    expect(Object.values(body.messages.byChannel as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(body.messages.total)
  })

  it('filters by store: customers by the store of the order, members by home store', async () => {
    const response = await send(t, 'GET', `/api/admin/kpis?${QUERY}&store=SH-01`, admin)
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json()
    expect(body.store).toBe('SH-01')
    expect(body.customers.value).toBe(3)
    expect(body.oldCustomerRatio).toMatchObject({ value: 1 / 3, customers: 3, oldCustomers: 1 })
    expect(body.repeatRate).toMatchObject({ value: 1 / 3, repeatCustomers: 1 })
    expect(body.cohorts[0]).toMatchObject({ month: '2026-01', firstBuyers: 3, within30: 1, rate30: 1 / 3 })
    expect(body.members.total).toBe(3)
    // B's coupon (home store SH-01), not C's (BJ-01)
    expect(body.coupons.issued).toBe(1)
    const bj = (await send(t, 'GET', `/api/admin/kpis?${QUERY}&store=BJ-01`, admin)).json()
    expect(bj.customers.value).toBe(2)
    expect(bj.oldCustomerRatio).toMatchObject({ oldCustomers: 0, value: 0 })
    expect(bj.members.total).toBe(1)
  })

  it('forces a manager to their own store, and refuses another store (403)', async () => {
    const own = await send(t, 'GET', `/api/admin/kpis?${QUERY}`, managerSH.token)
    expect(own.statusCode, own.body).toBe(200)
    expect(own.json()).toMatchObject({ store: 'SH-01', customers: { value: 3 } })
    expect((await send(t, 'GET', `/api/admin/kpis?${QUERY}&store=SH-01`, managerSH.token)).statusCode).toBe(200)
    expectError(await send(t, 'GET', `/api/admin/kpis?${QUERY}&store=SH-01`, managerBJ.token), 403, ErrorCodes.FORBIDDEN)
    expect((await send(t, 'GET', `/api/admin/kpis?${QUERY}`, managerBJ.token)).json()).toMatchObject({ store: 'BJ-01', customers: { value: 2 } })
  })

  it('refuses staff and members (403) and callers without a token (401)', async () => {
    expectError(await send(t, 'GET', `/api/admin/kpis?${QUERY}`, staff.token), 403, ErrorCodes.FORBIDDEN)
    expectError(await send(t, 'GET', `/api/admin/kpis?${QUERY}`, memberToken), 403, ErrorCodes.FORBIDDEN)
    expectError(await send(t, 'GET', `/api/admin/kpis?${QUERY}`), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await send(t, 'GET', `/api/admin/kpis.csv?${QUERY}`, staff.token), 403, ErrorCodes.FORBIDDEN)
    expectError(await send(t, 'GET', `/api/admin/kpis.csv?${QUERY}`), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await send(t, 'GET', '/api/admin/kpis/policy', managerSH.token), 403, ErrorCodes.FORBIDDEN)
  })

  it('refuses bad dates and ranges (400)', async () => {
    for (const query of [
      'from=2026-02-30&to=2026-03-31',
      'from=2026-01-01&to=2026-13-01',
      'from=2026-03-01&to=2026-02-28',
      'from=2023-01-01&to=2026-09-30',
      'from=2026-1-1',
      'to=yesterday',
      'store=sh 01',
      'format=xlsx',
      'extra=1',
    ]) {
      expectError(await send(t, 'GET', `/api/admin/kpis?${query}`, admin), 400, ErrorCodes.VALIDATION_FAILED)
    }
    // 36 months is the most
    expect((await send(t, 'GET', '/api/admin/kpis?from=2023-09-30&to=2026-09-30', admin)).statusCode).toBe(200)
  })

  it('defaults to today (Shanghai) and the 12 months ending on it', async () => {
    const response = await send(t, 'GET', '/api/admin/kpis', admin)
    expect(response.statusCode, response.body).toBe(200)
    const body = response.json()
    expect(body).toMatchObject({ from: '2025-10-01', to: TO })
    expect(body.customers.series).toHaveLength(12)
    expect(body.customers.value).toBe(5)
  })

  it('exports CSV: text/csv, a BOM, an attachment, one row per value', async () => {
    const response = await send(t, 'GET', `/api/admin/kpis.csv?${QUERY}`, admin)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(response.headers['content-disposition']).toBe('attachment; filename="kpis-all-2026-01-01-2026-09-30.csv"')
    expect(response.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    const text = response.body
    expect(text.startsWith('\uFEFFfigure,label,month,at,name,value\r\n')).toBe(true)
    expect(text).toContain('\r\ncustomers,客户数量（滚动12个月）,2026-09,2026-09-30,customers,5\r\n')
    expect(text).toContain('\r\noldCustomerRatio,老客户比例,2026-09,2026-09-30,ratio,0.8000\r\n')
    expect(text).toContain('\r\ncohort,首购→复购转化,2026-01,,rate180,0.7500\r\n')
    // the same through format=csv, and a manager's export is their store's
    const viaFormat = await send(t, 'GET', `/api/admin/kpis?${QUERY}&format=csv`, admin)
    expect(viaFormat.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(viaFormat.body).toBe(text)
    const manager = await send(t, 'GET', `/api/admin/kpis.csv?${QUERY}`, managerSH.token)
    expect(manager.headers['content-disposition']).toContain('kpis-SH-01-')
    expect(manager.body).toContain('\r\ncustomers,客户数量（滚动12个月）,2026-09,2026-09-30,customers,3\r\n')
  })
})
