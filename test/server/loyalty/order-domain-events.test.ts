import { describe, expect, it } from 'vitest'
import type { DomainEvent } from '../../../server/src/core/events/index.js'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('order.paid, order.refunded and order.cancelled domain events', () => {
  const t = useTestApp()

  it('reach a consumer registered for them once each, replays and all, under unambiguous keys', async () => {
    const seen: DomainEvent[] = []
    t.app.events.consume('test.lifecycle', ['order.paid', 'order.refunded', 'order.cancelled'], async (event) => void seen.push(event))
    const { memberId } = await t.login('order-events')
    t.clock.set('2026-06-01T00:00:00Z')
    const orderId = `SO:${shop.orderId()}`
    const paid = shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 30_000, category: 'ring' }, { lineId: '2', paidFen: 20_000 }], '2026-06-01T10:00:00+08:00')
    await t.sendEvent(paid)
    await t.sendEvent(paid)
    // a second payment report for the same order, under another event id: the first one counts
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 1 }], '2026-06-01T10:00:00+08:00'))
    const refundA = shop.refunded(orderId, 'RF:1', [{ lineId: '1', refundFen: 10_000 }], '2026-06-01T12:00:00+08:00')
    await t.sendEvent(refundA)
    await t.sendEvent(refundA)
    await t.sendEvent(shop.refunded(orderId, 'cancel', [{ lineId: '2', refundFen: 5_000 }, { lineId: '1', refundFen: 1_000 }], '2026-06-01T13:00:00+08:00'))
    const cancelled = shop.cancelled(orderId, '2026-06-01T14:00:00+08:00')
    await t.sendEvent(cancelled)
    await t.sendEvent(cancelled)
    await t.app.jobs.drain()

    const encoded = orderId.replace(/:/g, '%3A')
    const keys = { paid: `order:${encoded}:paid`, refundA: `order:${encoded}:refund:RF%3A1`, refundB: `order:${encoded}:refund:cancel`, cancelled: `order:${encoded}:cancelled` }
    expect(seen.map((e) => e.key).sort()).toEqual(Object.values(keys).sort())
    expect(seen.every((e) => e.memberId?.toString() === memberId)).toBe(true)
    const byKey = new Map(seen.map((e) => [e.key, e]))
    expect(byKey.get(keys.paid)).toMatchObject({ type: 'order.paid' })
    expect(byKey.get(keys.paid)!.payload).toEqual({
      orderId,
      paidAt: new Date('2026-06-01T02:00:00Z'),
      paidFen: 50_000,
      channel: 'mall',
      store: 'online',
      advisor: null,
      lines: [
        { lineId: '1', sku: 'SKU-1', category: 'ring', quantity: 1, paidFen: 30_000 },
        { lineId: '2', sku: 'SKU-2', category: null, quantity: 1, paidFen: 20_000 },
      ],
      couponCodes: [],
    })
    expect(byKey.get(keys.refundA)).toMatchObject({ type: 'order.refunded', payload: { orderId, refundId: 'RF:1', refundFen: 10_000, at: new Date('2026-06-01T04:00:00Z') } })
    expect(byKey.get(keys.refundB)).toMatchObject({ type: 'order.refunded', payload: { refundId: 'cancel', refundFen: 6_000 } })
    expect(byKey.get(keys.cancelled)).toMatchObject({ type: 'order.cancelled', payload: { orderId, at: new Date('2026-06-01T06:00:00Z') } })
  })
})
