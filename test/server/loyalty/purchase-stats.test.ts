import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { sandboxUnionid } from '../../../tools/wechat-sandbox/users.js'

describe("a member's purchases: statistics, home store and advisor", () => {
  const t = useTestApp()

  const paid = (memberId: string, orderId: string, fen: number, at: string, store?: { store: string; advisor?: string }) => {
    const event = shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: fen }], at) as Record<string, any>
    if (store) Object.assign(event.data, { channel: 'store', ...store })
    return event
  }
  const send = async (event: unknown) => {
    expect((await t.sendEvent(event)).statusCode).toBe(202)
    await t.app.jobs.drain()
  }
  const stored = async (memberId: string) => (await t.models.Member.findById(memberId).lean()) as Record<string, any>

  it('counts purchase days in Shanghai and the total net of refunds, and takes the home store and advisor from the first store sale', async () => {
    const { memberId, token } = await t.login('purchase-stats')
    t.clock.set('2026-07-03T00:00:00Z')
    expect(await stored(memberId)).toMatchObject({ joinChannel: 'wechat' })

    await send(paid(memberId, shop.orderId(), 10_000, '2026-07-01T10:00:00+08:00'))
    expect((await stored(memberId)).purchases).toMatchObject({ firstAt: new Date('2026-07-01T02:00:00Z'), lastAt: new Date('2026-07-01T02:00:00Z'), days: 1, totalPaidFen: 10_000 })

    // a second order the same Shanghai day: one purchase day
    await send(paid(memberId, shop.orderId(), 5_000, '2026-07-01T23:30:00+08:00'))
    expect((await stored(memberId)).purchases).toMatchObject({ lastAt: new Date('2026-07-01T15:30:00Z'), days: 1, totalPaidFen: 15_000 })

    // the same UTC day, the next Shanghai day, in a store with an advisor
    const storeOrder = shop.orderId()
    await send(paid(memberId, storeOrder, 20_000, '2026-07-02T01:00:00+08:00', { store: 'SH-001', advisor: 'A007' }))
    expect(await stored(memberId)).toMatchObject({ homeStore: 'SH-001', advisor: 'A007', purchases: { days: 2, totalPaidFen: 35_000, lastAt: new Date('2026-07-01T17:00:00Z') } })

    // a full refund: that day no longer counts; the home store stays
    await send(shop.refunded(storeOrder, 'RF1', [{ lineId: '1', refundFen: 20_000 }], '2026-07-02T12:00:00+08:00'))
    expect(await stored(memberId)).toMatchObject({ homeStore: 'SH-001', purchases: { days: 1, totalPaidFen: 15_000, lastAt: new Date('2026-07-01T15:30:00Z') } })

    // a later sale in another store keeps the first home store and advisor; a zero-value order is no purchase
    await send(paid(memberId, shop.orderId(), 8_000, '2026-07-02T15:00:00+08:00', { store: 'BJ-002', advisor: 'B001' }))
    await send(paid(memberId, shop.orderId(), 0, '2026-07-02T16:00:00+08:00'))
    const cancelled = shop.orderId()
    await send(paid(memberId, cancelled, 3_000, '2026-07-02T17:00:00+08:00'))
    await send(shop.cancelled(cancelled, '2026-07-02T17:30:00+08:00'))
    expect(await stored(memberId)).toMatchObject({ homeStore: 'SH-001', advisor: 'A007', purchases: { days: 2, totalPaidFen: 23_000, lastAt: new Date('2026-07-02T07:00:00Z') } })

    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json()).toMatchObject({
      homeStore: 'SH-001',
      advisor: 'A007',
      joinChannel: 'wechat',
      purchases: { firstAt: '2026-07-01T02:00:00.000Z', lastAt: '2026-07-02T07:00:00.000Z', days: 2, totalPaidFen: 23_000 },
    })
  })

  it('counts an order parked for a member once the member appears', async () => {
    t.clock.set('2026-07-03T00:00:00Z')
    const orderId = shop.orderId()
    const event = shop.paid(orderId, { unionid: sandboxUnionid('purchase-late') }, [{ lineId: '1', paidFen: 12_300 }], '2026-07-01T09:00:00+08:00') as Record<string, any>
    Object.assign(event.data, { channel: 'store', store: 'GZ-003' })
    await send(event)
    const { memberId, token } = await t.login('purchase-late')
    await t.app.jobs.drain()
    const member = await stored(memberId)
    expect(member).toMatchObject({ homeStore: 'GZ-003', purchases: { days: 1, totalPaidFen: 12_300 } })
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } })
    expect(me.json().purchases.days).toBe(1)
  })
})
