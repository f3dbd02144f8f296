import { describe, expect, it } from 'vitest'
import { startTestApp, useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('exactly once under concurrency', () => {
  const t = useTestApp()

  it('grants once for 200 concurrent copies of one order.paid', async () => {
    const { memberId } = await t.login('conc-paid')
    const event = shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 123_456 }], '2026-03-10T10:00:00+08:00')
    const responses = await Promise.all(Array.from({ length: 200 }, () => t.sendEvent(event)))
    const statuses = responses.map((r) => r.json().status)
    expect(statuses.filter((s) => s === 'accepted')).toHaveLength(1)
    expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(199)
    const member = (await t.models.Member.findById(memberId).lean())!
    expect(member.points!.pending).toBe(1234)
    expect(await t.models.PointsEntry.countDocuments({ memberId })).toBe(1)
  })

  it('grants once when the shop reports the same order under 50 different event ids at once', async () => {
    const { memberId } = await t.login('conc-paid-ids')
    const orderId = shop.orderId()
    const events = Array.from({ length: 50 }, () => shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00'))
    const responses = await Promise.all(events.map((e) => t.sendEvent(e)))
    expect(responses.every((r) => r.statusCode === 202)).toBe(true)
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(100)
  })

  it('reverses once for concurrent copies of one refund (same refund id, different event ids)', async () => {
    const { memberId } = await t.login('conc-refund')
    const orderId = shop.orderId()
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 50_000 }], '2026-03-10T10:00:00+08:00'))
    const copies = Array.from({ length: 30 }, () => shop.refunded(orderId, 'RF-1', [{ lineId: '1', refundFen: 20_000 }], '2026-03-11T10:00:00+08:00'))
    const responses = await Promise.all(copies.map((e) => t.sendEvent(e)))
    expect(responses.every((r) => r.statusCode === 202)).toBe(true)
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(300)
    expect(await t.models.PointsEntry.countDocuments({ memberId, reason: 'refund' })).toBe(1)
  })

  it('never reverses more than a line earned when different refunds of it race', async () => {
    const { memberId } = await t.login('conc-refunds')
    const orderId = shop.orderId()
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00'))
    // 20 refunds of 10 yuan each against a 100-yuan line: only 100 yuan can come back
    const refunds = Array.from({ length: 20 }, (_, i) => shop.refunded(orderId, `RF-${i}`, [{ lineId: '1', refundFen: 1_000 }], '2026-03-11T10:00:00+08:00'))
    await Promise.all(refunds.map((e) => t.sendEvent(e)))
    const member = (await t.models.Member.findById(memberId).lean())!
    expect(member.points!.pending).toBe(0)
    const reversed = await t.models.PointsEntry.find({ memberId, reason: 'refund' }).lean()
    expect(reversed.reduce((s, e) => s + e.pending, 0)).toBe(-100)
  })

  it('keeps balances equal to the ledger after concurrent earns, refunds and adjustments on one member', async () => {
    const { memberId } = await t.login('conc-mixed')
    await t.app.adjustments.adjust(memberId, { kind: 'points', delta: 1000, reason: 'welcome', requestId: 'mixed-welcome-1' }, { actor: 'test', role: 'admin' })
    const work: Promise<unknown>[] = []
    for (let i = 0; i < 15; i++) {
      const orderId = shop.orderId()
      work.push(
        t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 + i * 100 }], '2026-03-10T10:00:00+08:00')).then(() =>
          t.sendEvent(shop.refunded(orderId, 'RF', [{ lineId: '1', refundFen: 5_000 }], '2026-03-11T10:00:00+08:00')),
        ),
      )
      work.push(
        t.app.adjustments
          .adjust(memberId, { kind: 'points', delta: -10, reason: 'spend', requestId: `mixed-spend-${i}` }, { actor: 'test', role: 'admin' })
          .catch(() => undefined),
      )
    }
    await Promise.all(work)
    const member = (await t.models.Member.findById(memberId).lean())!
    expect(member.points!.available).toBe(1000 - 150)
    const { differences } = await t.app.reconcile()
    expect(differences).toEqual([])
  })

  it('grants once when two server processes receive copies of the same events at once', async () => {
    // a second app on the same database: its own applier, leases and ledger, as another process would have
    const other = await startTestApp({ MONGODB_URI: t.databaseUri })
    try {
      const { memberId } = await t.login('conc-two-apps')
      const events = Array.from({ length: 30 }, (_, i) => {
        const orderId = shop.orderId()
        return [
          shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00'),
          ...(i % 3 === 0 ? [shop.refunded(orderId, 'RF', [{ lineId: '1', refundFen: 4_000 }], '2026-03-11T10:00:00+08:00')] : []),
        ]
      }).flat()
      const answers = await Promise.all(events.flatMap((e) => [t.sendEvent(e), other.sendEvent(e)]))
      const statuses = answers.map((r) => r.json().status as string)
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(events.length)
      expect(statuses.filter((s) => s === 'duplicate')).toHaveLength(events.length)
      const member = (await t.models.Member.findById(memberId).lean())!
      expect(member.points!.pending).toBe(30 * 100 - 10 * 40)
      expect(await t.models.PointsEntry.countDocuments({ memberId })).toBe(40)
      expect(await t.models.ShopEventQueue.countDocuments()).toBe(0)
      expect((await t.app.reconcile()).differences).toEqual([])
    } finally {
      await other.close()
    }
  })
})
