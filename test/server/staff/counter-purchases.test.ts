import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { auditOf, expectError, hostileKeys, send, staffToken, type CounterStaff } from './counter-helpers.js'

/**
 * POST /api/staff/purchases: an in-store sale recorded at the counter goes through the shop's event path (order.paid,
 * channel store: final at once), so points, growth, the member day's multiplier, coupons, purchase statistics, the
 * home store and the advisor all follow; a store's receipt counts once, whatever the retries and races.
 */
describe('POST /api/staff/purchases', () => {
  const t = useTestApp()
  let staff: CounterStaff
  let colleague: CounterStaff
  let otherStore: CounterStaff
  let manager: CounterStaff

  beforeAll(async () => {
    t.clock.set('2026-03-10T06:00:00Z')
    staff = await staffToken(t, { role: 'staff', store: 'SH-01' })
    colleague = await staffToken(t, { role: 'staff', store: 'SH-01' })
    otherStore = await staffToken(t, { role: 'staff', store: 'BJ-01' })
    manager = await staffToken(t, { role: 'manager', store: 'SH-01' })
  })

  const sale = (memberId: string, receiptNo: string, extra: Record<string, unknown> = {}) => ({
    memberId,
    receiptNo,
    lines: [
      { sku: 'RING-18K-001', name: '18K 金戒指', quantity: 1, paidFen: 329_900, category: 'ring' },
      { sku: 'CLEAN-KIT', name: '清洁套装', quantity: 2, paidFen: 10_050 },
    ],
    ...extra,
  })
  const record = (body: unknown, token: string | null = staff.token) => send(t, 'POST', '/api/staff/purchases', token, body)
  const member = async (memberId: string) => (await t.models.Member.findById(memberId).lean()) as unknown as Record<string, any>

  it('records a sale: points available at once, growth counted, home store and advisor set, audited', async () => {
    const { memberId } = await t.login('purchase-basic')
    const response = await record(sale(memberId, 'R-1001'))
    expect(response.statusCode, response.body).toBe(201)
    // 3,299 + 100.5 yuan: 3,399 points, the store's sale final at once
    expect(response.json()).toEqual({ orderId: 'STORE_SH-01_R-1001', eventId: 'counter:STORE_SH-01_R-1001', status: 'applied', points: { pending: 0, available: 3_399 }, created: true })
    expect(await t.balances(memberId)).toMatchObject({ available: 3_399, pending: 0, growth: 3_399 })
    const order = (await t.models.Order.findById('STORE_SH-01_R-1001').lean()) as unknown as Record<string, any>
    expect(order.paid).toMatchObject({ channel: 'store', store: 'SH-01', advisor: staff.actor, at: new Date('2026-03-10T06:00:00Z') })
    expect(order.paid.lines.map((l: { lineId: string; sku: string; quantity: number }) => [l.lineId, l.sku, l.quantity])).toEqual([
      ['1', 'RING-18K-001', 1],
      ['2', 'CLEAN-KIT', 2],
    ])

    await t.app.jobs.drain()
    expect(await member(memberId)).toMatchObject({ homeStore: 'SH-01', advisor: staff.actor, purchases: { days: 1, totalPaidFen: 339_950 } })
    const glance = (await send(t, 'GET', `/api/staff/members/${memberId}`, staff.token)).json()
    expect(glance.member.advisor).toEqual({ id: staff.id, name: staff.name })
    expect(glance.recentOrders[0]).toMatchObject({ orderId: 'STORE_SH-01_R-1001', channel: 'store', store: 'SH-01', paidFen: 339_950 })
    // the advisor's customers
    const mine = (await send(t, 'GET', '/api/staff/customers', staff.token)).json()
    expect(mine.items.map((i: { memberId: string }) => i.memberId)).toContain(memberId)

    const [entry] = await auditOf(t, 'staff.purchase', { 'details.orderId': 'STORE_SH-01_R-1001' })
    expect(entry).toMatchObject({ actor: staff.actor, actorName: staff.name, store: 'SH-01', role: 'staff' })
    expect(entry!.details).toMatchObject({ orderId: 'STORE_SH-01_R-1001', receiptNo: 'R-1001', paidFen: 339_950, points: { pending: 0, available: 3_399 } })
    await t.expectReconciled()
  })

  it('keeps the first advisor: a later sale served by a colleague, or naming another advisor, changes nothing', async () => {
    const { memberId } = await t.login('purchase-advisor')
    expect((await record(sale(memberId, 'R-2001', { advisorId: colleague.id ?? undefined }), staff.token)).statusCode).toBe(201)
    await t.app.jobs.drain()
    expect(await member(memberId)).toMatchObject({ homeStore: 'SH-01', advisor: colleague.actor })
    expect((await record(sale(memberId, 'R-2002'), staff.token)).statusCode).toBe(201)
    await t.app.jobs.drain()
    expect(await member(memberId)).toMatchObject({ advisor: colleague.actor })
    const mine = (await send(t, 'GET', '/api/staff/customers', colleague.token)).json()
    expect(mine.items.find((i: { memberId: string }) => i.memberId === memberId)).toMatchObject({ nickname: expect.any(String), tier: { code: expect.any(String) } })
    // the one who served the second sale is not the advisor
    const theirs = (await send(t, 'GET', '/api/staff/customers', staff.token)).json()
    expect(theirs.items.map((i: { memberId: string }) => i.memberId)).not.toContain(memberId)
  })

  it('applies the member day’s multiplier to a sale paid on the 18th', async () => {
    const { memberId } = await t.login('purchase-member-day')
    t.clock.set('2026-03-18T12:00:00+08:00')
    try {
      const response = await record({ memberId, receiptNo: 'MD-1', lines: [{ sku: 'P1', name: '珍珠耳钉', quantity: 1, paidFen: 100_000 }] })
      expect(response.statusCode, response.body).toBe(201)
      expect(response.json().points).toEqual({ pending: 0, available: 2_000 })
      const order = (await t.models.Order.findById('STORE_SH-01_MD-1').lean()) as unknown as { rates: Record<string, unknown> }
      expect(order.rates).toMatchObject({ memberDayMultiplier: 2, boosts: [{ kind: 'member-day', factor: 2 }] })
      // the day before, paid then: no multiplier
      const before = await record({ memberId, receiptNo: 'MD-0', paidAt: '2026-03-17T20:00:00+08:00', lines: [{ sku: 'P1', name: '珍珠耳钉', quantity: 1, paidFen: 100_000 }] })
      expect(before.json().points).toEqual({ pending: 0, available: 1_000 })
      expect(await t.balances(memberId)).toMatchObject({ available: 3_000, growth: 2_000 })
    } finally {
      t.clock.set('2026-03-10T06:00:00Z')
    }
  })

  it('records a receipt once: the same body again answers the same (200, created false), changing nothing', async () => {
    const { memberId } = await t.login('purchase-twice')
    const first = await record(sale(memberId, 'R-3001', { paidAt: '2026-03-10T13:30:00+08:00' }))
    expect(first.statusCode, first.body).toBe(201)
    // the same instant written another way, the coupon list absent the same as before: the same content
    const again = await record(sale(memberId, 'R-3001', { paidAt: '2026-03-10T05:30:00Z' }), colleague.token)
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json()).toEqual({ ...first.json(), created: false })
    expect(await t.balances(memberId)).toMatchObject({ available: 3_399 })
    expect(await t.models.ShopEvent.countDocuments({ orderId: 'STORE_SH-01_R-3001' })).toBe(1)
    expect(await auditOf(t, 'staff.purchase', { 'details.orderId': 'STORE_SH-01_R-3001' })).toHaveLength(1)
    await t.expectReconciled()
  })

  it('records a receipt once when the same sale arrives many times at once', async () => {
    const { memberId } = await t.login('purchase-race')
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => record(sale(memberId, 'R-4001'), i % 2 ? colleague.token : staff.token)))
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201])
    for (const a of answers) expect(a.json()).toMatchObject({ orderId: 'STORE_SH-01_R-4001', points: { available: 3_399, pending: 0 } })
    expect(await t.balances(memberId)).toMatchObject({ available: 3_399, growth: 3_399 })
    expect(await t.models.ShopEvent.countDocuments({ orderId: 'STORE_SH-01_R-4001' })).toBe(1)
    await t.expectReconciled()
  })

  it('refuses the receipt again with other content (409 CONFLICT), also when racing', async () => {
    const { memberId } = await t.login('purchase-conflict')
    expect((await record(sale(memberId, 'R-5001'))).statusCode).toBe(201)
    const changed = sale(memberId, 'R-5001')
    changed.lines[0]!.paidFen = 1
    expect(expectError(await record(changed), 409, ErrorCodes.CONFLICT).message).toMatch(/R-5001/)
    expectError(await record(sale(memberId, 'R-5001', { paidAt: '2026-03-09T10:00:00+08:00' })), 409, ErrorCodes.CONFLICT)
    const { memberId: someoneElse } = await t.login('purchase-conflict-2')
    expectError(await record(sale(someoneElse, 'R-5001')), 409, ErrorCodes.CONFLICT)

    // two different sales under one new receipt at once: one is recorded, the other refused
    const racing = await Promise.all([record(sale(memberId, 'R-5002')), record(sale(someoneElse, 'R-5002'))])
    expect(racing.map((r) => r.statusCode).sort()).toEqual([201, 409])
    expect(await t.balances(memberId)).toMatchObject({ available: 3_399 * (racing[0]!.statusCode === 201 ? 2 : 1) })
    await t.expectReconciled()
  })

  it('keeps each store’s receipts apart: the same number in another store is another sale', async () => {
    const { memberId } = await t.login('purchase-stores')
    expect((await record(sale(memberId, 'R-6001'), staff.token)).statusCode).toBe(201)
    const there = await record(sale(memberId, 'R-6001'), otherStore.token)
    expect(there.statusCode, there.body).toBe(201)
    expect(there.json()).toMatchObject({ orderId: 'STORE_BJ-01_R-6001', created: true })
    expect(await t.balances(memberId)).toMatchObject({ available: 6_798 })
  })

  it('records for the caller’s store only: another store is a 403; an admin names the store (400 without)', async () => {
    const { memberId } = await t.login('purchase-scope')
    expectError(await record(sale(memberId, 'R-7001', { store: 'BJ-01' }), staff.token), 403, ErrorCodes.FORBIDDEN)
    expectError(await record(sale(memberId, 'R-7001', { store: 'BJ-01' }), manager.token), 403, ErrorCodes.FORBIDDEN)
    expect((await record(sale(memberId, 'R-7001', { store: 'SH-01' }), manager.token)).statusCode).toBe(201)
    const admin = await staffToken(t, { role: 'admin' })
    expectError(await record(sale(memberId, 'R-7002'), admin.token), 400, ErrorCodes.VALIDATION_FAILED)
    expectError(await record(sale(memberId, 'R-7002'), t.adminToken()), 400, ErrorCodes.VALIDATION_FAILED)
    const byAdmin = await record(sale(memberId, 'R-7002', { store: 'GZ-01' }), admin.token)
    expect(byAdmin.statusCode, byAdmin.body).toBe(201)
    expect(byAdmin.json().orderId).toBe('STORE_GZ-01_R-7002')
    // an operator is no advisor: the sale names none
    const order = (await t.models.Order.findById('STORE_GZ-01_R-7002').lean()) as unknown as { paid: { advisor: string | null } }
    expect(order.paid.advisor).toBeNull()
  })

  it('uses the member’s coupons named on the sale, refusing unknown, used and others’ coupons first', async () => {
    const { memberId } = await t.login('purchase-coupons')
    const { memberId: otherMember } = await t.login('purchase-coupons-other')
    const admin = { actor: 'setup', role: 'admin' }
    const template = await t.app.coupons.templates.create({ name: '满 1000 减 100', kind: 'amount', amountFen: 10_000, thresholdFen: 100_000, validity: { days: 30 } } as never, admin)
    const issue = async (owner: string, key: string) => (await t.app.coupons.issue({ templateId: template.id, memberId: owner, key, source: 'api' })).coupon.code
    const mine = await issue(memberId, 'pc-1')
    const theirs = await issue(otherMember, 'pc-2')

    expectError(await record(sale(memberId, 'R-8001', { couponCodes: ['NOSUCHCODE1'] })), 404, ErrorCodes.NOT_FOUND)
    expectError(await record(sale(memberId, 'R-8001', { couponCodes: [theirs] })), 409, ErrorCodes.COUPON_NOT_USABLE)
    const used = await record(sale(memberId, 'R-8001', { couponCodes: [mine.toLowerCase()] }))
    expect(used.statusCode, used.body).toBe(201)
    await t.app.jobs.drain()
    const coupon = (await t.app.db.connection.model('Coupon').findOne({ code: mine }).lean()) as unknown as { state: string; usedBy: { orderId: string } }
    expect(coupon).toMatchObject({ state: 'used', usedBy: { orderId: 'STORE_SH-01_R-8001' } })
    expect((await t.app.shopEvents.status('counter:STORE_SH-01_R-8001'))?.coupons).toEqual([{ code: mine, status: 'used' }])
    // the same sale again (its coupon used by this very sale): the same answer
    expect((await record(sale(memberId, 'R-8001', { couponCodes: [mine] }))).statusCode).toBe(200)
    // another sale cannot use it again
    expect(expectError(await record(sale(memberId, 'R-8002', { couponCodes: [mine] })), 409, ErrorCodes.COUPON_NOT_USABLE).message).toMatch(/used/)
  })

  it('takes the advisor who served the member: a staff record (404 unknown), not a deactivated one (409)', async () => {
    const { memberId } = await t.login('purchase-advisor-check')
    expectError(await record(sale(memberId, 'R-9001', { advisorId: '0123456789abcdef01234567' })), 404, ErrorCodes.NOT_FOUND)
    if (colleague.id) {
      const leaving = await staffToken(t, { role: 'staff', store: 'SH-01' })
      const patched = await send(t, 'PATCH', `/api/admin/staff/${leaving.id}`, t.adminToken(), { status: 'deactivated' })
      expect(patched.statusCode, patched.body).toBe(200)
      expectError(await record(sale(memberId, 'R-9001', { advisorId: leaving.id })), 409, ErrorCodes.CONFLICT)
    }
  })

  it('refuses sale times in the future or older than 30 days, and unknown members', async () => {
    const { memberId } = await t.login('purchase-times')
    expectError(await record(sale(memberId, 'R-10001', { paidAt: '2026-03-10T06:05:00Z' })), 400, ErrorCodes.VALIDATION_FAILED)
    expectError(await record(sale(memberId, 'R-10001', { paidAt: '2026-02-07T06:00:00Z' })), 400, ErrorCodes.VALIDATION_FAILED)
    expect((await record(sale(memberId, 'R-10001', { paidAt: '2026-02-09T06:00:00Z' }))).statusCode).toBe(201)
    expectError(await record(sale('0123456789abcdef01234567', 'R-10002')), 404, ErrorCodes.NOT_FOUND)
    expect(await t.models.Order.countDocuments({ _id: 'STORE_SH-01_R-10002' })).toBe(0)
  })

  it('refuses malformed bodies (400): ids with separators, $ and dotted keys, bounds', async () => {
    const { memberId } = await t.login('purchase-bad')
    const valid = sale(memberId, 'R-11001', { couponCodes: ['ABC'] })
    const bad: unknown[] = [
      ...hostileKeys(valid),
      { ...valid, receiptNo: 'R:1' },
      { ...valid, receiptNo: 'R_1' },
      { ...valid, receiptNo: 'R/1' },
      { ...valid, receiptNo: 'R.1' },
      { ...valid, receiptNo: '' },
      { ...valid, receiptNo: 'R'.repeat(33) },
      { ...valid, receiptNo: { $gt: '' } },
      { ...valid, memberId: `${memberId}:x` },
      { ...valid, memberId: 'a_b' },
      { ...valid, memberId: memberId.toUpperCase() },
      { ...valid, store: 'SH_01' },
      { ...valid, store: 'sh-01' },
      { ...valid, store: { $ne: null } },
      { ...valid, advisorId: 'someone' },
      { ...valid, paidAt: 'yesterday' },
      { ...valid, paidAt: '2026-02-31T10:00:00+08:00' },
      { ...valid, lines: [] },
      { ...valid, lines: Array.from({ length: 51 }, () => valid.lines[0]) },
      { ...valid, lines: [{ ...valid.lines[0], quantity: 0 }] },
      { ...valid, lines: [{ ...valid.lines[0], quantity: 100 }] },
      { ...valid, lines: [{ ...valid.lines[0], paidFen: -1 }] },
      { ...valid, lines: [{ ...valid.lines[0], paidFen: 1.5 }] },
      { ...valid, lines: [{ ...valid.lines[0], paidFen: 2 ** 60 }] },
      { ...valid, lines: [{ ...valid.lines[0], name: '' }] },
      { ...valid, lines: [{ ...valid.lines[0], sku: 'x'.repeat(65) }] },
      { ...valid, couponCodes: ['A', 'B', 'C', 'D', 'E', 'F'] },
      { ...valid, couponCodes: ['A$B'] },
      { ...valid, lines: [[valid.lines[0]]] },
    ]
    for (const body of bad) expectError(await record(body), 400, ErrorCodes.VALIDATION_FAILED)
    expect(await t.models.Order.countDocuments({ _id: 'STORE_SH-01_R-11001' })).toBe(0)
  })

  it('is for staff: 401 without a token, 403 with a member’s', async () => {
    const { memberId, token } = await t.login('purchase-auth')
    expectError(await record(sale(memberId, 'R-12001'), null), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await record(sale(memberId, 'R-12001'), 'garbage'), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await record(sale(memberId, 'R-12001'), token), 403, ErrorCodes.FORBIDDEN)
    expect(await t.models.Order.countDocuments({ _id: 'STORE_SH-01_R-12001' })).toBe(0)
  })

  it('sends the claimed sale should the request have died before the shop took it (the recovery job)', async () => {
    const { memberId } = await t.login('purchase-recovery')
    // a claim whose event never reached the shop (the process died in between)
    const first = await record(sale(memberId, 'R-13001'))
    expect(first.statusCode).toBe(201)
    const claim = (await t.app.db.connection.model('CounterPurchase').findById('STORE_SH-01_R-13001').lean()) as unknown as Record<string, unknown>
    const event = claim.event as { eventId: string; data: Record<string, unknown> }
    const lost = { ...claim, _id: 'STORE_SH-01_R-13002', receiptNo: 'R-13002', eventId: 'counter:STORE_SH-01_R-13002', event: { ...event, eventId: 'counter:STORE_SH-01_R-13002', data: { ...event.data, orderId: 'STORE_SH-01_R-13002' } } }
    await t.app.db.connection.model('CounterPurchase').collection.insertOne(lost as never)
    await t.app.jobs.schedule('staff-counter.purchase-accept:STORE_SH-01_R-13002', 'staff-counter.purchase-accept', { orderId: 'STORE_SH-01_R-13002' }, t.clock.now())
    await t.app.jobs.drain()
    await t.app.shopEvents.idle()
    expect((await t.app.shopEvents.status('counter:STORE_SH-01_R-13002'))?.status).toBe('applied')
    expect(await t.balances(memberId)).toMatchObject({ available: 6_798 })
    // and for a sale that did reach it, the job changes nothing
    await t.app.jobs.schedule('staff-counter.purchase-accept:STORE_SH-01_R-13001', 'staff-counter.purchase-accept', { orderId: 'STORE_SH-01_R-13001' }, t.clock.now(), { move: true })
    await t.app.jobs.drain()
    await t.app.shopEvents.idle()
    expect(await t.balances(memberId)).toMatchObject({ available: 6_798 })
    await t.expectReconciled()
  })
})
