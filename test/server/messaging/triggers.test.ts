import { beforeEach, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/** What sends messages: shop events (shipping care, payment reminders, refunds) and loyalty's domain events. */
describe('messaging: what sends messages', () => {
  const t = useTestApp()
  beforeEach(() => t.clock.set('2026-03-10T02:00:00Z'))
  const model = (name: string) => t.app.db.connection.model(name)
  const messages = async (memberId: string) =>
    (await model('Message').find({ memberId }).sort({ createdAt: 1, _id: 1 }).lean()) as unknown as { kind: string; dedupeKey: string; body: string; data: Record<string, unknown>; status: string }[]
  const settle = async () => {
    await t.app.shopEvents.idle()
    await t.app.jobs.drain()
  }
  const paid = (orderId: string, memberId: string, lines = [{ lineId: '1', paidFen: 329_900, category: 'ring' }], at = '2026-03-10T10:00:00+08:00') => {
    const event = shop.paid(orderId, { memberId }, lines, at)
    return { ...event, data: { ...event.data, lines: event.data.lines.map((l) => ({ ...l, name: '18K 金钻石戒指' })) } }
  }

  it('tells a shipment once, however often and under however many event ids the shop reports it, then the delivery with the category’s care tips', async () => {
    const { memberId } = await t.login('care-shipping')
    await t.app.inject({ method: 'PUT', url: '/api/admin/care-tips', headers: { authorization: `Bearer ${t.adminToken()}` }, payload: { tips: { ring: '戒指请避免碰撞硬物，定期到店免费清洗。' } } })
    const orderId = shop.orderId()
    await t.sendAccepted(paid(orderId, memberId))
    const shipped = shop.shipped(orderId, '2026-03-10T11:00:00+08:00')
    await t.sendAccepted(shipped)
    await t.sendEvent(shipped)
    await t.sendAccepted({ ...shipped, eventId: `${shipped.eventId}-again` })
    await settle()
    await t.sendAccepted(shop.delivered(orderId, '2026-03-10T12:00:00+08:00'))
    await settle()
    const kinds = (await messages(memberId)).map((m) => m.kind)
    expect(kinds.filter((k) => k === 'shipped')).toHaveLength(1)
    const delivered = (await messages(memberId)).find((m) => m.kind === 'delivered')!
    expect(delivered.body).toContain('18K 金钻石戒指')
    expect(delivered.data.tips).toBe('戒指请避免碰撞硬物，定期到店免费清洗。')
  })

  it('reports a logistics exception the shop sends, and silence after shipping found by the check, once each', async () => {
    const { memberId } = await t.login('care-logistics')
    const orderId = shop.orderId()
    await t.sendAccepted(paid(orderId, memberId))
    await t.sendAccepted(shop.shipped(orderId, '2026-03-10T10:30:00+08:00'))
    const exception = { eventId: `evt-ex-${orderId}`, type: 'order.logistics_update', occurredAt: '2026-03-10T11:00:00+08:00', data: { orderId, status: 'exception', at: '2026-03-10T11:00:00+08:00', description: '派送延误' } }
    await t.sendAccepted(exception)
    await settle()
    expect((await messages(memberId)).filter((m) => m.kind === 'logistics_exception').map((m) => m.data.description)).toEqual(['派送延误'])
    // 72 hours without an update since the last one
    t.clock.set(new Date(Date.parse('2026-03-10T11:00:00+08:00') + 72 * 3_600_000 + 60_000))
    await settle()
    await settle()
    expect((await messages(memberId)).filter((m) => m.kind === 'logistics_exception')).toHaveLength(2)
  })

  it('reminds of an order placed and unpaid after the delay, once, and never after it is paid', async () => {
    const { memberId } = await t.login('care-payment')
    const [unpaid, paidLater] = [shop.orderId(), shop.orderId()]
    await t.sendAccepted(shop.created(unpaid, { memberId }, [{ lineId: '1', paidFen: 128_000 }], '2026-03-10T10:00:00+08:00'))
    await t.sendAccepted(shop.created(paidLater, { memberId }, [{ lineId: '1', paidFen: 52_000 }], '2026-03-10T10:00:00+08:00'))
    await settle()
    await t.sendAccepted(paid(paidLater, memberId, [{ lineId: '1', paidFen: 52_000, category: 'charm' }], '2026-03-10T10:10:00+08:00'))
    t.clock.set('2026-03-10T02:31:00Z')
    await settle()
    const reminders = (await messages(memberId)).filter((m) => m.kind === 'payment_reminder')
    expect(reminders.map((m) => m.data.orderId)).toEqual([unpaid])
    expect(reminders[0]!.body).toContain('1280.00元')
  })

  it('tells a refund with the points taken back, the order’s confirmed points once, and an upgrade with what the tier adds', async () => {
    const { memberId } = await t.login('care-loyalty')
    const orderId = shop.orderId()
    await t.sendAccepted(paid(orderId, memberId, [{ lineId: '1', paidFen: 900_000, category: 'ring' }, { lineId: '2', paidFen: 300_000, category: 'ring' }]))
    await t.sendAccepted(shop.refunded(orderId, 'RF-1', [{ lineId: '2', refundFen: 300_000 }], '2026-03-11T10:00:00+08:00'))
    await settle()
    // the window closes 15 days after payment (no delivery reported): the confirmation job runs then
    t.clock.set('2026-03-25T03:00:00Z')
    await settle()
    const all = await messages(memberId)
    expect(all.find((m) => m.kind === 'refund_progress')!.data).toMatchObject({ amountFen: 300_000, pointsTaken: 3_000 })
    expect(all.filter((m) => m.kind === 'points_confirmed').map((m) => m.data.points)).toEqual([9_000])
    const upgrade = all.find((m) => m.kind === 'tier_upgrade')
    expect(upgrade?.body).toContain('新增权益')
  })
})
