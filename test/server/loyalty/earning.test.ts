import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/** Earning rules the brand controls: points on the order's paid amount, allocated to its lines and stored. */
describe('earning on the order', () => {
  const t = useTestApp()

  const balances = async (memberId: string) => {
    const m = (await t.models.Member.findById(memberId).lean())!
    return { available: m.points!.available, pending: m.points!.pending, debt: m.points!.debt, growth: m.growth }
  }
  const send = async (event: unknown) => {
    const response = await t.sendEvent(event)
    expect(response.statusCode, response.body).toBe(202)
    return response.json()
  }
  const expectReconciled = async () => {
    const { differences } = await t.app.reconcile()
    expect(differences, JSON.stringify(differences)).toEqual([])
  }
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
