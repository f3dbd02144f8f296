import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/** Order events → pending points → confirmation → refunds, through the signed webhook and the job runner. */
describe('order points lifecycle', () => {
  const t = useTestApp()

  const balances = (memberId: string) => t.balances(memberId)
  const send = (event: unknown) => t.sendAccepted(event)
  const expectReconciled = () => t.expectReconciled()

  it('earns pending points on the order (whole yuan × tier multiplier), allocated to its lines, and no growth until they confirm', async () => {
    const { memberId } = await t.login('orders-pending')
    const orderId = shop.orderId()
    const result = await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 12_999 }, { lineId: '2', paidFen: 50_050 }], '2026-03-10T10:00:00+08:00'))
    expect(result.status).toBe('accepted')
    expect((await t.app.shopEvents.status(result.eventId))!.status).toBe('applied')
    // 630.49 yuan earns 630 (not 129 + 500): line 1's share 129.87 takes the leftover point
    expect(await balances(memberId)).toMatchObject({ available: 0, pending: 630, growth: 0 })
    const entries = await t.models.PointsEntry.find({ orderId }).lean()
    expect(entries.map((e) => [e.key, e.pending]).sort()).toEqual([
      [`order:${orderId}:line:1:earn`, 130],
      [`order:${orderId}:line:2:earn`, 500],
    ])
    await expectReconciled()
  })

  it('confirms 7 days after delivery: points become available (one lot) and growth counts', async () => {
    const { memberId } = await t.login('orders-confirm')
    const orderId = shop.orderId()
    t.clock.set('2026-03-10T02:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 100_000 }], '2026-03-10T10:00:00+08:00'))
    await send(shop.shipped(orderId, '2026-03-11T10:00:00+08:00'))
    t.clock.set('2026-03-12T02:00:00Z')
    await send(shop.delivered(orderId, '2026-03-12T10:00:00+08:00'))
    t.clock.set('2026-03-19T01:59:00Z') // 6 days 23 h 59 min after delivery
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ available: 0, pending: 1000 })
    t.clock.set('2026-03-19T02:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ available: 1000, pending: 0, growth: 1000 })
    const member = (await t.models.Member.findById(memberId).lean())!
    // earned in 2026 → expires at the end of 2027, Shanghai time
    expect(member.lots).toEqual([expect.objectContaining({ remaining: 1000, expiresAt: Date.parse('2027-12-31T16:00:00Z') })])
    expect(await t.models.DomainEvent.countDocuments({ type: 'points.confirmed', memberId })).toBe(1)
    expect(await t.models.DomainEvent.countDocuments({ type: 'order.shipped', 'payload.orderId': orderId })).toBe(1)
    await expectReconciled()
  })

  it('confirms 15 days after payment when no delivery is reported', async () => {
    const { memberId } = await t.login('orders-no-delivery')
    const orderId = shop.orderId()
    t.clock.set('2026-04-01T00:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 20_000 }], '2026-04-01T08:00:00+08:00'))
    t.clock.set('2026-04-15T23:59:00Z')
    await t.app.jobs.drain()
    expect((await balances(memberId)).available).toBe(0)
    t.clock.set('2026-04-16T00:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ available: 200, pending: 0 })
  })

  it('reverses a partial refund inside the window from pending, at the rate the line earned', async () => {
    const { memberId } = await t.login('orders-partial')
    const orderId = shop.orderId()
    t.clock.set('2026-05-01T00:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 30_000 }, { lineId: '2', paidFen: 10_000 }], '2026-05-01T08:00:00+08:00'))
    await send(shop.refunded(orderId, 'RF1', [{ lineId: '1', refundFen: 10_050 }], '2026-05-02T08:00:00+08:00'))
    // line 1: 300 yuan earned 300; 100.50 of 300 yuan refunded gives back 300 × 10,050 / 30,000 = 100.5, rounded
    // down to 100; line 2 untouched
    expect(await balances(memberId)).toMatchObject({ pending: 200 + 100, available: 0 })
    t.clock.set('2026-05-03T00:00:00Z')
    await send(shop.refunded(orderId, 'RF2', [{ lineId: '1', refundFen: 19_950 }], '2026-05-03T08:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ pending: 100 })
    t.clock.set('2026-05-20T00:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ pending: 0, available: 100, growth: 100 })
    await expectReconciled()
  })

  it('takes a refund after confirmation from available points and growth', async () => {
    const { memberId } = await t.login('orders-late-refund')
    const orderId = shop.orderId()
    t.clock.set('2026-06-01T00:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 50_000 }], '2026-06-01T08:00:00+08:00'))
    t.clock.set('2026-06-20T00:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ available: 500, growth: 500 })
    await send(shop.refunded(orderId, 'RF-late', [{ lineId: '1', refundFen: 20_000 }], '2026-06-21T08:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ available: 300, growth: 300, debt: 0 })
    await expectReconciled()
  })

  it('turns a refund of points already spent into debt, which the next earnings repay first', async () => {
    const { memberId } = await t.login('orders-debt')
    const admin = t.adminToken()
    const orderId = shop.orderId()
    t.clock.set('2026-07-01T00:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 40_000 }], '2026-07-01T08:00:00+08:00'))
    t.clock.set('2026-07-20T00:00:00Z')
    await t.app.jobs.drain()
    // the member spends 350 of 400
    const spend = await t.app.inject({
      method: 'POST',
      url: `/api/admin/members/${memberId}/adjustments`,
      headers: { authorization: `Bearer ${admin}` },
      payload: { kind: 'points', delta: -350, reason: 'redeemed in store', requestId: 'spend-debt-0001' },
    })
    expect(spend.statusCode).toBe(200)
    await send(shop.refunded(orderId, 'RF-all', [{ lineId: '1', refundFen: 40_000 }], '2026-07-21T08:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ available: 0, debt: 350, growth: 0 })
    // a later purchase of 500 yuan confirms: 350 repay the debt, 150 become available
    const next = shop.orderId()
    t.clock.set('2026-07-22T00:00:00Z')
    await send(shop.paid(next, { memberId }, [{ lineId: '1', paidFen: 50_000 }], '2026-07-22T08:00:00+08:00'))
    t.clock.set('2026-08-10T00:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ available: 150, debt: 0, growth: 500 })
    const confirm = await t.models.PointsEntry.findOne({ key: `order:${next}:line:1:confirm` }).lean()
    expect(confirm).toMatchObject({ available: 150, pending: -500, debt: -350, debtRepaid: 350 })
    await expectReconciled()
  })

  it('lets the brand absorb the shortfall instead, under that policy', async () => {
    const { memberId } = await t.login('orders-absorb')
    const admin = t.adminToken()
    const policy = await t.app.inject({ method: 'PATCH', url: '/api/admin/loyalty-policy', headers: { authorization: `Bearer ${admin}` }, payload: { refundShortfall: 'absorb' } })
    expect(policy.statusCode).toBe(200)
    try {
      const orderId = shop.orderId()
      t.clock.set('2026-09-01T00:00:00Z')
      await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-09-01T08:00:00+08:00'))
      t.clock.set('2026-09-20T00:00:00Z')
      await t.app.jobs.drain()
      await t.app.adjustments.adjust(memberId, { kind: 'points', delta: -80, reason: 'redeemed', requestId: 'absorb-spend-01' }, { actor: 'test', role: 'admin' })
      await send(shop.refunded(orderId, 'RF', [{ lineId: '1', refundFen: 10_000 }], '2026-09-21T08:00:00+08:00'))
      expect(await balances(memberId)).toMatchObject({ available: 0, debt: 0 })
      const entry = await t.models.PointsEntry.findOne({ key: `order:${orderId}:line:1:refund:RF` }).lean()
      expect(entry).toMatchObject({ available: -20, absorbed: 80 })
    } finally {
      await t.app.policies.update({ refundShortfall: 'debt' }, 'test')
    }
  })

  it('cancels every pending point of a cancelled order', async () => {
    const { memberId } = await t.login('orders-cancel')
    const orderId = shop.orderId()
    t.clock.set('2026-10-01T00:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }, { lineId: '2', paidFen: 5_000 }], '2026-10-01T08:00:00+08:00'))
    await send(shop.cancelled(orderId, '2026-10-01T09:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ pending: 0, available: 0 })
    t.clock.set('2026-10-30T00:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ pending: 0, available: 0, growth: 0 })
  })

  it('takes growth back from the month it counted in, not the month of the refund', async () => {
    const { memberId } = await t.login('orders-refund-month')
    const orderId = shop.orderId()
    t.clock.set('2026-01-05T02:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 100_000 }], '2026-01-05T10:00:00+08:00'))
    // no delivery reported: the window closes 15 days after payment, and the growth counts then (20 January)
    t.clock.set('2026-01-25T00:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ growth: 1000 })
    t.clock.set('2026-03-10T02:00:00Z')
    await send(shop.refunded(orderId, 'RF-march', [{ lineId: '1', refundFen: 50_000 }], '2026-03-10T10:00:00+08:00'))
    const member = (await t.models.Member.findById(memberId).lean())!
    expect(member.growth).toBe(500)
    const buckets = member.growthByMonth as { month: string; value: number }[]
    expect(buckets.filter((b) => b.month.startsWith('2026-03'))).toEqual([])
    expect(buckets.filter((b) => b.month.startsWith('2026-01')).reduce((sum, b) => sum + b.value, 0)).toBe(500)
    const entry = (await t.models.GrowthEntry.findOne({ orderId, reason: 'refund' }).lean())!
    expect(entry).toMatchObject({ delta: -500, at: new Date('2026-03-10T02:00:00Z'), countsAt: new Date('2026-01-20T02:00:00Z') })
    expect((await t.models.Order.findById(orderId).lean())!.lines[0]).toMatchObject({ growthAt: new Date('2026-01-20T02:00:00Z') })
    await expectReconciled()
  })

  it('takes growth counted at payment back from the payment month, under that policy', async () => {
    const { memberId } = await t.login('orders-refund-month-paid')
    await t.app.policies.update({ growthCountsAt: 'payment' }, 'test')
    try {
      const orderId = shop.orderId()
      t.clock.set('2026-02-27T02:00:00Z')
      await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 30_000 }], '2026-02-27T10:00:00+08:00'))
      t.clock.set('2026-03-02T02:00:00Z')
      await send(shop.refunded(orderId, 'RF', [{ lineId: '1', refundFen: 10_000 }], '2026-03-02T10:00:00+08:00'))
      const member = (await t.models.Member.findById(memberId).lean())!
      const buckets = member.growthByMonth as { month: string; value: number }[]
      expect(buckets.filter((b) => b.month.startsWith('2026-03'))).toEqual([])
      expect(buckets.filter((b) => b.month.startsWith('2026-02')).reduce((sum, b) => sum + b.value, 0)).toBe(200)
    } finally {
      await t.app.policies.update({ growthCountsAt: 'confirm' }, 'test')
    }
  })

  it('keeps an event for a member not yet known and applies it when they first log in', async () => {
    const orderId = shop.orderId()
    const { sandboxOpenid } = await import('../../../tools/wechat-sandbox/users.js')
    const { TEST_APPID } = await import('../../helpers/sandbox.js')
    const openid = sandboxOpenid(TEST_APPID, 'orders-newcomer')
    t.clock.set('2026-10-02T00:00:00Z')
    const parked = await send(shop.paid(orderId, { openid }, [{ lineId: '1', paidFen: 8_800 }], '2026-10-02T08:00:00+08:00'))
    expect((await t.app.shopEvents.status(parked.eventId))!.status).toBe('parked')
    const { memberId } = await t.login('orders-newcomer')
    expect(await balances(memberId)).toMatchObject({ pending: 88 })
    expect((await t.models.ShopEvent.findOne({ eventId: parked.eventId }).lean())!.state).toBe('applied')
  })
})
