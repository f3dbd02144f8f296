import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/** A small seeded PRNG, so a failing order can be replayed from the seed printed with it. */
function prng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * Property: whatever order an order's events arrive in — refund before payment, delivery before shipment, duplicates
 * — the member ends in the same state as with in-order delivery.
 */
describe('out-of-order delivery converges', () => {
  const t = useTestApp()

  const scenario = (orderId: string, memberId: string) => [
    shop.paid(orderId, { memberId }, [{ lineId: 'a', paidFen: 45_678 }, { lineId: 'b', paidFen: 12_345 }, { lineId: 'c', paidFen: 999 }], '2026-03-10T10:00:00+08:00'),
    shop.shipped(orderId, '2026-03-11T10:00:00+08:00'),
    shop.delivered(orderId, '2026-03-12T10:00:00+08:00'),
    shop.refunded(orderId, 'R1', [{ lineId: 'a', refundFen: 10_050 }], '2026-03-13T10:00:00+08:00'),
    shop.refunded(orderId, 'R2', [{ lineId: 'a', refundFen: 5_099 }, { lineId: 'b', refundFen: 12_345 }], '2026-03-14T10:00:00+08:00'),
    shop.refunded(orderId, 'R3', [{ lineId: 'c', refundFen: 500 }], '2026-03-15T10:00:00+08:00'),
  ]

  async function stateAfter(user: string, order: (events: ReturnType<typeof scenario>) => unknown[]) {
    const { memberId } = await t.login(user)
    const orderId = shop.orderId()
    // the shop reports each fact after it happened: the clock stands after the last of them
    t.clock.set('2026-03-15T02:00:00Z')
    for (const event of order(scenario(orderId, memberId))) expect([200, 202]).toContain((await t.sendEvent(event)).statusCode)
    const before = (await t.models.Member.findById(memberId).lean())!
    t.clock.set('2026-04-30T00:00:00Z')
    await t.app.jobs.drain()
    const after = (await t.models.Member.findById(memberId).lean())!
    const perLine = await t.models.PointsEntry.find({ orderId }).lean()
    const sums = Object.fromEntries(
      ['a', 'b', 'c'].map((line) => [line, perLine.filter((e) => e.lineId === line).reduce((s, e) => s + e.available + e.pending, 0)]),
    )
    return {
      beforeConfirm: { pending: before.points!.pending, available: before.points!.available },
      afterConfirm: { pending: after.points!.pending, available: after.points!.available, growth: after.growth, debt: after.points!.debt },
      perLine: sums,
    }
  }

  it('ends in the in-order state for 12 shuffled orders with duplicates', async () => {
    const expected = await stateAfter('ooo-in-order', (events) => events)
    // the order's 590.22 yuan earn 590, allocated a 457 (456.61), b 123 (123.40), c 10 (9.99); refunds give back in
    // proportion, rounded down: a 151.49 of 456.78 yuan → 151 (306 left); b refunded fully → 0; c 5.00 of 9.99 → 5 (5 left)
    expect(expected.afterConfirm).toEqual({ pending: 0, available: 306 + 0 + 5, growth: 311, debt: 0 })
    expect(expected.perLine).toEqual({ a: 306, b: 0, c: 5 })
    for (let seed = 1; seed <= 12; seed++) {
      const random = prng(seed)
      const actual = await stateAfter(`ooo-${seed}`, (events) => {
        const withDuplicates = [...events, ...events.filter(() => random() < 0.3)]
        return shuffle(withDuplicates, random)
      })
      expect(actual, `seed ${seed}`).toEqual(expected)
    }
  }, 120_000)
})
