import { describe, expect, it } from 'vitest'
import type { DomainEvent } from '../../../server/src/core/events/index.js'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('loyalty domain events reach consumers', () => {
  const t = useTestApp()

  it('delivers order.shipped, points.confirmed and tier.changed once each to a consumer registered for them', async () => {
    const seen: DomainEvent[] = []
    t.app.events.consume('test.care', ['order.shipped', 'points.confirmed', 'tier.changed'], async (event) => void seen.push(event))
    const { memberId } = await t.login('events-care')
    const orderId = shop.orderId()
    t.clock.set('2026-04-01T00:00:00Z')
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 900_000 }], '2026-04-01T08:00:00+08:00'))
    const shipped = shop.shipped(orderId, '2026-04-02T08:00:00+08:00')
    await t.sendEvent(shipped)
    await t.sendEvent(shipped) // a replay
    // the shop reports a delivery once it happened (a time more than a day ahead of the clock is refused)
    t.clock.set('2026-04-03T00:00:00Z')
    await t.sendEvent(shop.delivered(orderId, '2026-04-03T08:00:00+08:00'))
    t.clock.set('2026-04-11T00:00:00Z')
    await t.app.jobs.drain()
    await t.app.jobs.drain()

    expect(seen.map((e) => e.type).sort()).toEqual(['order.shipped', 'points.confirmed', 'tier.changed'])
    expect(seen.find((e) => e.type === 'order.shipped')!.payload).toMatchObject({ orderId, carrier: 'SF', trackingNo: shipped.data.trackingNo })
    expect(seen.find((e) => e.type === 'tier.changed')).toMatchObject({ payload: { fromLevel: 1, toLevel: 2 } })
    expect(seen.every((e) => e.memberId?.toString() === memberId)).toBe(true)

    const response = await t.app.inject({ method: 'GET', url: '/api/admin/event-consumers', headers: { authorization: `Bearer ${t.adminToken()}` } })
    expect(response.statusCode).toBe(200)
    expect(response.json().consumers).toContainEqual({ consumer: 'test.care', types: ['order.shipped', 'points.confirmed', 'tier.changed'], queued: 0, failed: 0, problems: [] })
  })

  it('does not deliver an event again when a change that wrote it is finished a second time, even after its delivery jobs were purged', async () => {
    const seen: string[] = []
    t.app.events.consume('test.once', ['test.once'], async (event) => void seen.push(event.key))
    const event = { key: 'test.once:1', type: 'test.once', payload: {}, at: t.clock.now() }
    await t.app.events.writeMany([event], { checkFirst: true })
    await t.app.jobs.drain()
    expect(seen).toEqual(['test.once:1'])
    await t.app.jobs.purgeDone(new Date(t.clock.now().getTime() + 86_400_000))
    // what the ledger does when it finds a change's documents possibly unwritten (a crash, or the next change)
    await t.app.events.writeMany([event], { checkFirst: true })
    await t.app.jobs.drain()
    expect(seen).toEqual(['test.once:1'])
    expect(await t.models.DomainEvent.countDocuments({ _id: 'test.once:1' })).toBe(1)
  })

  it('refuses the consumer status to members', async () => {
    const { token } = await t.login('events-member')
    const response = await t.app.inject({ method: 'GET', url: '/api/admin/event-consumers', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(403)
  })
})
