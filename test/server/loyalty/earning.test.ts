import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/** Earning rules the brand controls: points on the order's paid amount, allocated to its lines and stored. */
describe('earning on the order', () => {
  const t = useTestApp()

  const balances = (memberId: string) => t.balances(memberId)
  const send = (event: unknown) => t.sendAccepted(event)
  const expectReconciled = () => t.expectReconciled()
  const lineStates = async (orderId: string) =>
    ((await t.models.Order.findById(orderId).lean())!.lines as { lineId: string; earnedPoints: number; earnedGrowth: number; pointsLeft: number; allocated?: boolean }[])

  it('earns 299 on three lines of 99.90 yuan, stores each line its share, and a full refund reverses exactly 299', async () => {
    const { memberId } = await t.login('earning-order-total')
    const orderId = shop.orderId()
    t.clock.set('2026-05-01T00:00:00Z')
    const lines = ['1', '2', '3'].map((lineId) => ({ lineId, paidFen: 9_990 }))
    await send(shop.paid(orderId, { memberId }, lines, '2026-05-01T08:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ pending: 299 })
    expect((await lineStates(orderId)).map((l) => [l.lineId, l.earnedPoints, l.earnedGrowth, l.allocated])).toEqual([
      ['1', 100, 100, true],
      ['2', 100, 100, true],
      ['3', 99, 99, true],
    ])
    // confirmed, then refunded in parts: line 1 half, then the rest of every line
    t.clock.set('2026-05-20T00:00:00Z')
    await t.app.jobs.drain()
    expect(await balances(memberId)).toMatchObject({ available: 299, pending: 0, growth: 299 })
    t.clock.set('2026-05-21T00:00:00Z')
    await send(shop.refunded(orderId, 'RF1', [{ lineId: '1', refundFen: 4_995 }], '2026-05-21T08:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ available: 249, growth: 249 })
    t.clock.set('2026-05-22T00:00:00Z')
    await send(shop.refunded(orderId, 'RF2', [{ lineId: '1', refundFen: 4_995 }, { lineId: '2', refundFen: 9_990 }, { lineId: '3', refundFen: 9_990 }], '2026-05-22T08:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ available: 0, pending: 0, debt: 0, growth: 0 })
    await expectReconciled()
  })

  it('never reverses more than a line got, refund by refund', async () => {
    const { memberId } = await t.login('earning-partial-steps')
    const orderId = shop.orderId()
    t.clock.set('2026-06-01T00:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 9_990 }, { lineId: '2', paidFen: 9_990 }, { lineId: '3', paidFen: 9_990 }], '2026-06-01T08:00:00+08:00'))
    // line 3 earned 99: 10 yuan refunded gives back 99 × 1,000 / 9,990 = 9.9 → 9, 20 yuan in all 19.8 → 19, all of it 99
    await send(shop.refunded(orderId, 'A', [{ lineId: '3', refundFen: 1_000 }], '2026-06-01T09:00:00+08:00'))
    expect((await lineStates(orderId))[2]!.pointsLeft).toBe(99 - 9)
    await send(shop.refunded(orderId, 'B', [{ lineId: '3', refundFen: 1_000 }], '2026-06-01T10:00:00+08:00'))
    expect((await lineStates(orderId))[2]!.pointsLeft).toBe(99 - 19)
    await send(shop.refunded(orderId, 'C', [{ lineId: '3', refundFen: 7_990 }], '2026-06-01T11:00:00+08:00'))
    expect((await lineStates(orderId))[2]!.pointsLeft).toBe(0)
    expect(await balances(memberId)).toMatchObject({ pending: 200 })
    await expectReconciled()
  })

  it('keeps the per-line figures of a line settled before allocation: its refunds recompute on what is left', async () => {
    const { memberId } = await t.login('earning-legacy-line')
    const orderId = shop.orderId()
    t.clock.set('2026-07-01T00:00:00Z')
    await send(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 30_000 }], '2026-07-01T08:00:00+08:00'))
    // as an order settled before the allocation was stored: no `allocated` on its line state
    const order = (await t.models.Order.findById(orderId).lean())!
    const legacy = (order.lines as Record<string, unknown>[]).map(({ allocated: _, ...rest }) => rest)
    await t.models.Order.collection.updateOne({ _id: orderId as never }, { $set: { lines: legacy } })
    expect((await lineStates(orderId))[0]!.allocated).toBeUndefined()
    // 199.50 yuan left earns 199 per line: 101 reversed (the proportional rule would reverse 100)
    await send(shop.refunded(orderId, 'RF1', [{ lineId: '1', refundFen: 10_050 }], '2026-07-01T09:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ pending: 199 })
    await send(shop.refunded(orderId, 'RF2', [{ lineId: '1', refundFen: 19_950 }], '2026-07-01T10:00:00+08:00'))
    expect(await balances(memberId)).toMatchObject({ pending: 0 })
    await expectReconciled()
  })
})

describe('the multiplier cap', () => {
  const t = useTestApp()
  const admin = () => `Bearer ${t.adminToken()}`

  async function platinumMember(user: string) {
    const { memberId } = await t.login(user)
    // 80,001 growth: 铂金 (1.5×)
    const adjusted = await t.app.inject({
      method: 'POST',
      url: `/api/admin/members/${memberId}/adjustments`,
      headers: { authorization: admin() },
      payload: { kind: 'growth', delta: 80_001, reason: 'opening balance', requestId: `cap-${user}` },
    })
    expect(adjusted.statusCode, adjusted.body).toBe(200)
    expect(adjusted.json().tierLevel).toBe(3)
    return memberId
  }
  const paid = async (memberId: string) => {
    const orderId = shop.orderId()
    t.clock.set('2026-08-01T00:00:00Z')
    const response = await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }, { lineId: '2', paidFen: 10_000 }], '2026-08-01T08:00:00+08:00'))
    expect(response.statusCode, response.body).toBe(202)
    return (await t.models.Order.findById(orderId).lean())!
  }

  it('applies the tier multiplier under the default cap of 3×, and records the combined multiplier on the order', async () => {
    const memberId = await platinumMember('cap-default')
    const policy = await t.app.inject({ method: 'GET', url: '/api/admin/loyalty-policy', headers: { authorization: admin() } })
    expect(policy.json().multiplierCap).toBe(3)
    const order = await paid(memberId)
    expect(order.rates).toMatchObject({ tierMultiplier: 1.5, memberDayMultiplier: 1, multiplier: 1.5 })
    expect((order.lines as { earnedPoints: number }[]).map((l) => l.earnedPoints)).toEqual([150, 150])
  })

  it("caps the combined multiplier at the policy's cap, and the order keeps the capped rate", async () => {
    const memberId = await platinumMember('cap-lowered')
    const changed = await t.app.inject({ method: 'PATCH', url: '/api/admin/loyalty-policy', headers: { authorization: admin() }, payload: { multiplierCap: 1.2 } })
    expect(changed.statusCode, changed.body).toBe(200)
    try {
      const order = await paid(memberId)
      expect(order.rates).toMatchObject({ tierMultiplier: 1.5, multiplier: 1.2 })
      expect((order.lines as { earnedPoints: number }[]).map((l) => l.earnedPoints)).toEqual([120, 120])
    } finally {
      await t.app.policies.update({ multiplierCap: 3 }, 'test')
    }
  })

  it("combines a program's boost (member day ×2) with the tier's under the cap, names it in the history, and a refund reverses exactly", async () => {
    const memberId = await platinumMember('cap-boosted')
    const { token } = await t.login('cap-boosted')
    // a booster that doubles this member's purchases only (other tests' members are not asked about it)
    t.app.orders.addBooster('member-day', async (purchases) =>
      purchases.map((p) => (p.memberId.toString() === memberId ? [{ kind: 'member-day', factor: 2, label: '会员日 ×2' }] : [])),
    )
    try {
      const order = await paid(memberId)
      // 1.5 × 2 = 3: exactly the default cap
      expect(order.rates).toMatchObject({ tierMultiplier: 1.5, memberDayMultiplier: 2, multiplier: 3, boosts: [{ kind: 'member-day', factor: 2, label: '会员日 ×2' }] })
      expect((order.lines as { earnedPoints: number }[]).map((l) => l.earnedPoints)).toEqual([300, 300])
      const history = await t.app.inject({ method: 'GET', url: '/api/me/points/history', headers: { authorization: `Bearer ${token}` } })
      const purchase = (history.json().items as { reason: string; note: string | null; orderId: string }[]).filter((e) => e.reason === 'purchase')
      expect(purchase.map((e) => e.note)).toEqual(['会员日 ×2', '会员日 ×2'])
      // the refund arrives after the member day is over (the booster would now answer nothing): the order's rates decide
      t.app.orders.addBooster('member-day', async (purchases) => purchases.map(() => []))
      await t.sendAccepted(shop.refunded(order._id as string, 'R1', [{ lineId: '1', refundFen: 10_000 }], '2026-08-02T08:00:00+08:00'))
      const after = (await t.models.Order.findById(order._id).lean())!
      expect((after.lines as { pointsLeft: number }[]).map((l) => l.pointsLeft)).toEqual([0, 300])
      await t.expectReconciled()
    } finally {
      t.app.orders.addBooster('member-day', async (purchases) => purchases.map(() => []))
    }
  })

  it('refuses a cap below 1 or above 10 (400)', async () => {
    for (const multiplierCap of [0.5, 11, '3', null]) {
      const response = await t.app.inject({ method: 'PATCH', url: '/api/admin/loyalty-policy', headers: { authorization: admin() }, payload: { multiplierCap } })
      expect(response.statusCode, String(multiplierCap)).toBe(400)
    }
  })
})
