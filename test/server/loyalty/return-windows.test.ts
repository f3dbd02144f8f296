import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/** The return window per sales channel: a counter sale in a store is final at once by default; online keeps the window. */
describe('return windows per channel', () => {
  const t = useTestApp()

  const balances = (memberId: string) => t.balances(memberId)
  const send = (event: unknown) => t.sendAccepted(event)
  const storeSale = (...args: Parameters<typeof shop.paid>) => {
    const event = shop.paid(...args)
    return { ...event, data: { ...event.data, channel: 'store', store: 'SH-001' } }
  }
  const patchPolicy = (payload: unknown) =>
    t.app.inject({ method: 'PATCH', url: '/api/admin/loyalty-policy', headers: { authorization: `Bearer ${t.adminToken()}` }, payload: payload as object })
  const expectReconciled = () => t.expectReconciled()

  it('makes a counter sale in a store final at payment: points available and growth counted at once', async () => {
    const { memberId } = await t.login('window-store')
    const orderId = shop.orderId()
    t.clock.set('2026-05-01T02:00:00Z')
    await send(storeSale(orderId, { memberId }, [{ lineId: '1', paidFen: 88_800 }], '2026-05-01T10:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ available: 888, pending: 0, growth: 888 })
    const order = (await t.models.Order.findById(orderId).lean())!
    expect(order.lines[0]).toMatchObject({ earnApplied: true, confirmed: true, growthCounted: true, growthAt: new Date('2026-05-01T02:00:00Z') })
    expect(await t.models.DomainEvent.countDocuments({ type: 'points.confirmed', memberId })).toBe(1)
    expect(await t.models.Job.countDocuments({ _id: `order.confirm-points:${orderId}`, state: { $ne: 'done' } })).toBe(0)
    // a refund takes the points back from available
    t.clock.set('2026-05-02T02:00:00Z')
    await send(shop.refunded(orderId, 'RF1', [{ lineId: '1', refundFen: 44_400 }], '2026-05-02T10:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ available: 444, pending: 0, growth: 444 })
    await expectReconciled()
  })

  it('keeps the window for an online order', async () => {
    const { memberId } = await t.login('window-online')
    const orderId = shop.orderId()
    t.clock.set('2026-05-01T02:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 88_800 }], '2026-05-01T10:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ available: 0, pending: 888, growth: 0 })
  })

  it("follows an operator's window for a channel: days after payment when no delivery is reported", async () => {
    const { memberId } = await t.login('window-store-3')
    const changed = await patchPolicy({ returnWindows: { store: 3, mall: 1 } })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json().returnWindows).toEqual({ store: 3, mall: 1 })
    try {
      const store = shop.orderId()
      const mall = shop.orderId()
      t.clock.set('2026-06-01T02:00:00Z')
      await send(storeSale(store, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-06-01T10:00:00+08:00'))
      await send(shop.paid(mall, { memberId }, [{ lineId: '1', paidFen: 20_000 }], '2026-06-01T10:00:00+08:00'))
      expect(await balances(memberId)).toMatchObject({ available: 0, pending: 300 })
      t.clock.set('2026-06-02T02:00:00Z') // the mall's 1 day has passed
      await t.app.jobs.drain()
      expect(await balances(memberId)).toMatchObject({ available: 200, pending: 100 })
      t.clock.set('2026-06-04T01:59:00Z')
      await t.app.jobs.drain()
      expect(await balances(memberId)).toMatchObject({ available: 200, pending: 100 })
      t.clock.set('2026-06-04T02:00:00Z')
      await t.app.jobs.drain()
      expect(await balances(memberId)).toMatchObject({ available: 300, pending: 0, growth: 300 })
      await expectReconciled()
    } finally {
      await t.app.policies.update({ returnWindows: { store: 0 } }, 'test')
    }
  })

  it('refuses channel windows that are unbounded, oddly named or not numbers (400), changing nothing', async () => {
    const before = (await patchPolicy({ returnWindows: { store: 0 } })).json()
    for (const returnWindows of [{ store: 91 }, { store: -1 }, { store: 1.5 }, { 'a.b': 1 }, { $where: 1 }, { '': 1 }, { store: '0' }, [], Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`c${i}`, 1]))]) {
      const response = await patchPolicy({ returnWindows })
      expect(response.statusCode, JSON.stringify(returnWindows)).toBe(400)
      expect(response.json().code).toBe('VALIDATION_FAILED')
    }
    const after = await t.app.inject({ method: 'GET', url: '/api/admin/loyalty-policy', headers: { authorization: `Bearer ${t.adminToken()}` } })
    expect(after.json()).toEqual(before)
  })
})
