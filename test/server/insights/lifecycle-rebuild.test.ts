import { describe, expect, it } from 'vitest'
import { TestClock, useTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/**
 * Lifecycle stages rebuilt in bulk from one pass over the orders (after an import, or at scale), and reconciled
 * against the orders by `npm run reconcile`.
 */

/** `hh:mm` Shanghai on the day `days` after 1 March 2026 */
const shanghai = (days: number, hh = 12) => new Date(Date.UTC(2026, 2, 1 + days, hh - 8))

async function member(t: TestContext, name: string): Promise<string> {
  const doc = await t.app.db.connection.model('Member').create({ openid: `rb-${name}-${Math.random()}`, nickname: name, points: { available: 0, pending: 0, debt: 0, expired: 0 } })
  return String(doc._id)
}

async function pay(t: TestContext, memberId: string, day: number, paidFen = 10_000): Promise<string> {
  const orderId = shop.orderId()
  t.clock.set(shanghai(day))
  await t.sendAccepted(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen }], shanghai(day).toISOString()))
  await t.app.jobs.drain()
  return orderId
}

const FIELDS = { _id: 1, stage: 1, since: 1, purchaseDays: 1, lastPurchaseAt: 1, purchases12m: 1, amount12mFen: 1, nextChangeAt: 1 }

describe('lifecycle rebuild and reconcile', () => {
  const t = useTestApp({}, new TestClock(shanghai(0)))

  it('rebuilds from the orders exactly what the order events and the daily job built, and reconcile finds what disagrees', async () => {
    const [a, b, c, d] = [await member(t, 'a'), await member(t, 'b'), await member(t, 'c'), await member(t, 'd')]
    await pay(t, a, 10)
    await pay(t, a, 10, 5_000) // the same day: one purchase day
    await pay(t, a, 200, 30_000) // day 400: 200 days ago (dormant); day 10 is out of the rolling year
    await pay(t, b, 300)
    const returned = await pay(t, c, 350, 20_000)
    t.clock.set(shanghai(351))
    await t.sendAccepted(shop.refunded(returned, 'R1', [{ lineId: '1', refundFen: 20_000 }], shanghai(351).toISOString()))
    await pay(t, d, 20)
    t.clock.set(shanghai(400, 1))
    await t.app.jobs.drain()
    const Lifecycle = t.app.db.connection.model('MemberLifecycle')
    const byEvents = (await Lifecycle.find({}, FIELDS).sort({ _id: 1 }).lean()) as unknown as { _id: unknown; stage: string }[]
    expect(byEvents.map((x) => x.stage)).toEqual(['dormant', 'lapsed', 'prospect', 'dormant'])
    expect(await t.app.insights.lifecycle.reconcile()).toEqual([])

    await Lifecycle.deleteMany({})
    expect((await t.app.insights.lifecycle.rebuildAll()).members).toBe(3)
    const rebuilt = await Lifecycle.find({}, FIELDS).sort({ _id: 1 }).lean()
    // c returned everything: a prospect without a document after a rebuild (its document was removed above)
    expect(rebuilt).toEqual(byEvents.filter((x) => String(x._id) !== c))
    expect(await t.app.insights.lifecycle.reconcile()).toEqual([])

    await Lifecycle.updateOne({ _id: a }, { $set: { stage: 'repeat', purchases12m: 7 } })
    await Lifecycle.deleteOne({ _id: b })
    const problems = await t.app.insights.lifecycle.reconcile()
    expect(problems).toEqual([
      `lifecycle of member ${a}: stage is repeat, the orders say dormant`,
      `lifecycle of member ${a}: purchases12m is 7, the orders say 1`,
      `lifecycle of member ${b}: no stage stored, the orders say lapsed`,
    ])
    void d
  })
})
