import { describe, expect, it } from 'vitest'
import { adjustKey, cancelKey, earnKey, keyPart, refundKey } from '../../../server/src/modules/loyalty/keys.js'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('ledger keys', () => {
  it('leave ids without ":" or "%" as they are, so keys already in the ledger keep their meaning', () => {
    expect(earnKey('SO20261123001', '1')).toBe('order:SO20261123001:line:1:earn')
    expect(refundKey('SO-1', '2', 'RF_01')).toBe('order:SO-1:line:2:refund:RF_01')
    expect(keyPart('with space/日本語.$x')).toBe('with space/日本語.$x')
  })

  it('are unambiguous whatever the ids contain', () => {
    expect(earnKey('X:line:1', '2')).not.toBe(earnKey('X', '1:line:2'))
    expect(keyPart('a%3Ab')).not.toBe(keyPart('a:b'))
    expect(refundKey('O', '1', 'cancel')).not.toBe(cancelKey('O', '1'))
    expect(adjustKey('m1', 'r:1')).not.toBe(adjustKey('m1:r', '1'))
  })
})

describe('settlement with ids that contain the key separator', () => {
  const t = useTestApp()

  it('earns for order "X:line:1" line "2" and for order "X" line "1:line:2" alike', async () => {
    const { memberId } = await t.login('keys-colon')
    const suffix = shop.orderId()
    const first = `${suffix}:line:1`
    await t.sendEvent(shop.paid(first, { memberId }, [{ lineId: '2', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00'))
    await t.sendEvent(shop.paid(suffix, { memberId }, [{ lineId: '1:line:2', paidFen: 20_000 }], '2026-03-10T10:00:00+08:00'))
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(300)
    const keys = (await t.models.PointsEntry.find({ memberId }).lean()).map((e) => e.key).sort()
    expect(keys).toEqual([`order:${suffix}%3Aline%3A1:line:2:earn`, `order:${suffix}:line:1%3Aline%3A2:earn`].sort())
    expect((await t.app.reconcile()).differences).toEqual([])
  })

  it('cancels an order whose earlier refund had the id "cancel": the cancellation reverses the rest', async () => {
    const { memberId } = await t.login('keys-cancel')
    const orderId = shop.orderId()
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00'))
    await t.sendEvent(shop.refunded(orderId, 'cancel', [{ lineId: '1', refundFen: 3_000 }], '2026-03-10T10:00:00+08:00'))
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(70)
    await t.sendEvent(shop.cancelled(orderId, '2026-03-10T10:00:00+08:00'))
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(0)
    const entries = await t.models.PointsEntry.find({ orderId }).lean()
    expect(entries.map((e) => [e.key, e.pending]).sort()).toEqual(
      [
        [`order:${orderId}:line:1:earn`, 100],
        [`order:${orderId}:line:1:refund:cancel`, -30],
        [`order:${orderId}:line:1:cancel`, -70],
      ].sort(),
    )
    expect((await t.app.reconcile()).differences).toEqual([])
  })

  it('applies an old cancellation (recorded as refund "cancel") once, however often the order settles again', async () => {
    const { memberId } = await t.login('keys-legacy-cancel')
    const orderId = shop.orderId()
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00'))
    await t.sendEvent(shop.cancelled(orderId, '2026-03-10T10:00:00+08:00'))
    // as the line state read before cancellations had their own flag
    await t.models.Order.updateOne({ _id: orderId }, { $set: { 'lines.0.appliedRefunds': ['cancel'], 'lines.0.cancelled': false } })
    await t.app.orders.settle(orderId)
    expect((await t.models.Member.findById(memberId).lean())!.points!.pending).toBe(0)
    expect(await t.models.PointsEntry.countDocuments({ orderId })).toBe(2)
    expect((await t.models.Order.findById(orderId).lean())!.lines[0]).toMatchObject({ cancelled: true, appliedRefunds: [] })
  })
})
