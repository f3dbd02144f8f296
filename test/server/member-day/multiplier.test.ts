import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { memberDayHelpers } from './helpers.js'

/**
 * The member day's points multiplier: purchases paid on a member day (the Asia/Shanghai date of paidAt) earn it,
 * through loyalty's earning booster — fixed on the order with its rates, so a refund reverses exactly what was earned,
 * whatever the settings say by then — and the points history names it (会员日 ×2).
 */
describe('member-day multiplier', () => {
  const t = useTestApp()
  const h = () => memberDayHelpers(t)
  type LineState = { lineId: string; earnedPoints: number; pointsLeft: number }
  const order = async (orderId: string) => (await t.models.Order.findById(orderId).lean()) as unknown as { rates: Record<string, unknown>; lines: LineState[] }
  const pay = async (memberId: string, paidAt: string, lines = [{ lineId: '1', paidFen: 10_000 }]) => {
    const orderId = shop.orderId()
    await t.sendAccepted(shop.paid(orderId, { memberId }, lines, paidAt))
    return orderId
  }
  const history = async (token: string) => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me/points/history', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode, response.body).toBe(200)
    return response.json().items as { reason: string; note: string | null; orderId: string | null; points: number }[]
  }

  it('doubles purchases paid from 00:00:00 to 23:59:59 Shanghai on the 18th, and none a second outside', async () => {
    const { memberId, token } = await t.login('md-boundaries')
    t.clock.set('2026-03-19T04:00:00Z')
    const before = await pay(memberId, '2026-03-17T23:59:59+08:00')
    const first = await pay(memberId, '2026-03-18T00:00:00+08:00')
    // the same instants written in UTC: the Shanghai date decides, not the server's zone nor the offset sent
    const last = await pay(memberId, '2026-03-18T15:59:59Z')
    const after = await pay(memberId, '2026-03-18T16:00:00Z')
    const points = async (orderId: string) => (await order(orderId)).lines.map((l) => l.earnedPoints)
    expect(await points(before)).toEqual([100])
    expect(await points(first)).toEqual([200])
    expect(await points(last)).toEqual([200])
    expect(await points(after)).toEqual([100])
    expect((await order(first)).rates).toMatchObject({ tierMultiplier: 1, memberDayMultiplier: 2, multiplier: 2, boosts: [{ kind: 'member-day', factor: 2, label: '会员日 ×2' }] })
    expect((await order(after)).rates).toMatchObject({ memberDayMultiplier: 1, multiplier: 1, boosts: [] })
    expect(await t.balances(memberId)).toMatchObject({ pending: 600 })

    // the points history names the boost beside the member day's purchases only
    const notes = new Map((await history(token)).filter((e) => e.reason === 'purchase').map((e) => [e.orderId, e.note ?? null]))
    expect(notes.get(first)).toBe('会员日 ×2')
    expect(notes.get(last)).toBe('会员日 ×2')
    expect(notes.get(before)).toBeNull()
    expect(notes.get(after)).toBeNull()
    await t.expectReconciled()
  })

  it('reverses a refund of a member-day purchase exactly, even after the multiplier changed or the program was turned off', async () => {
    const { memberId } = await t.login('md-refund')
    t.clock.set('2026-04-18T10:00:00+08:00')
    const orderId = await pay(memberId, '2026-04-18T09:30:00+08:00', [
      { lineId: '1', paidFen: 30_000 },
      { lineId: '2', paidFen: 9_990 },
    ])
    // 399 whole yuan × 2 = 798, allocated 599 / 199 by what each line paid
    expect((await order(orderId)).lines.map((l) => l.earnedPoints)).toEqual([599, 199])
    expect(await t.balances(memberId)).toMatchObject({ pending: 798 })

    await h().setSettings({ multiplier: 5 })
    try {
      t.clock.set('2026-04-19T10:00:00+08:00')
      // a third of line 1: 599 × 10,000 / 30,000 = 199.67 → 199 back
      await t.sendAccepted(shop.refunded(orderId, 'R1', [{ lineId: '1', refundFen: 10_000 }], '2026-04-19T10:00:00+08:00'))
      expect((await order(orderId)).lines.map((l) => l.pointsLeft)).toEqual([400, 199])
      expect(await t.balances(memberId)).toMatchObject({ pending: 599 })
      await h().setSettings({ enabled: false })
      await t.sendAccepted(shop.refunded(orderId, 'R2', [{ lineId: '1', refundFen: 20_000 }, { lineId: '2', refundFen: 9_990 }], '2026-04-19T11:00:00+08:00'))
      // everything back, nothing more: the order's rates decided, not the settings now
      expect((await order(orderId)).lines.map((l) => l.pointsLeft)).toEqual([0, 0])
      expect(await t.balances(memberId)).toMatchObject({ pending: 0, available: 0, debt: 0 })
      expect((await order(orderId)).rates).toMatchObject({ multiplier: 2 })
      await t.expectReconciled()
    } finally {
      await h().reset()
    }
  })

  it('reverses exactly after the points were confirmed too', async () => {
    const { memberId } = await t.login('md-refund-confirmed')
    t.clock.set('2026-05-18T20:00:00+08:00')
    const orderId = await pay(memberId, '2026-05-18T19:00:00+08:00', [{ lineId: '1', paidFen: 12_345 }])
    expect(await t.balances(memberId)).toMatchObject({ pending: 246 })
    // the return window closes (15 days without delivery): available
    t.clock.set('2026-06-03T20:00:00+08:00')
    await t.app.jobs.drain()
    expect(await t.balances(memberId)).toMatchObject({ available: 246, pending: 0 })
    await t.sendAccepted(shop.refunded(orderId, 'R1', [{ lineId: '1', refundFen: 12_345 }], '2026-06-03T20:00:00+08:00'))
    expect(await t.balances(memberId)).toMatchObject({ available: 0, pending: 0, debt: 0 })
    await t.expectReconciled()
  })

  it('follows the settings: another multiplier, other days, and none while the program is off', async () => {
    const { memberId, token } = await t.login('md-settings')
    try {
      await h().setSettings({ multiplier: 3, days: [8, 18] })
      t.clock.set('2026-07-09T10:00:00+08:00')
      const eighth = await pay(memberId, '2026-07-08T12:00:00+08:00')
      expect((await order(eighth)).lines.map((l) => l.earnedPoints)).toEqual([300])
      expect((await history(token)).find((e) => e.orderId === eighth)?.note).toBe('会员日 ×3')

      await h().setSettings({ multiplier: 1 })
      const plain = await pay(memberId, '2026-07-08T13:00:00+08:00')
      expect((await order(plain)).lines.map((l) => l.earnedPoints)).toEqual([100])
      expect((await order(plain)).rates).toMatchObject({ boosts: [] })

      await h().setSettings({ multiplier: 2, enabled: false })
      t.clock.set('2026-07-18T10:00:00+08:00')
      const off = await pay(memberId, '2026-07-18T09:00:00+08:00')
      expect((await order(off)).lines.map((l) => l.earnedPoints)).toEqual([100])
      await t.expectReconciled()
    } finally {
      await h().reset()
    }
  })

  it("combines with the tier's multiplier under the policy's cap (platinum 1.5 × 4 = 6, capped at the default 3)", async () => {
    const { memberId } = await t.login('md-platinum')
    const adjusted = await t.app.inject({
      method: 'POST',
      url: `/api/admin/members/${memberId}/adjustments`,
      headers: { authorization: h().admin() },
      payload: { kind: 'growth', delta: 80_001, reason: 'opening balance', requestId: 'md-platinum' },
    })
    expect(adjusted.statusCode, adjusted.body).toBe(200)
    await h().setSettings({ multiplier: 4 })
    try {
      t.clock.set('2026-08-18T10:00:00+08:00')
      const orderId = await pay(memberId, '2026-08-18T09:00:00+08:00')
      // 1.5 × 4 = 6, capped at 3
      expect((await order(orderId)).rates).toMatchObject({ tierMultiplier: 1.5, memberDayMultiplier: 4, multiplier: 3 })
      expect((await order(orderId)).lines.map((l) => l.earnedPoints)).toEqual([300])
      await t.expectReconciled()
    } finally {
      await h().reset()
    }
  })
})
