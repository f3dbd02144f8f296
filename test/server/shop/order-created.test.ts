import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DomainEvent } from '../../../server/src/core/events/index.js'
import { startTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('order.created: an order placed, not paid yet', () => {
  let t: TestContext
  let memberId: string
  const seen: DomainEvent[] = []
  beforeAll(async () => {
    t = await startTestApp()
    memberId = (await t.login('created-member')).memberId
    t.app.events.consume('test.reminders', ['order.created'], async (event) => void seen.push(event))
    t.clock.set('2026-05-01T00:00:00Z')
  })
  afterAll(async () => {
    await t.close()
  })

  const points = async () => (await t.models.Member.findById(memberId).lean())!.points!

  it('is stored as the order\'s created fact, earns nothing, and becomes one domain event with the member', async () => {
    const before = await points()
    const orderId = shop.orderId()
    const created = shop.created(orderId, { memberId }, [{ lineId: '1', paidFen: 50_000, category: 'ring' }], '2026-05-01T09:00:00+08:00')
    expect((await t.sendEvent(created)).statusCode).toBe(202)
    expect((await t.sendEvent(created)).json().status).toBe('duplicate')
    const order = (await t.models.Order.findById(orderId).lean()) as Record<string, any>
    expect(order.created).toMatchObject({ at: new Date('2026-05-01T01:00:00Z'), channel: 'mall', store: 'online' })
    expect(order.created.lines).toEqual([{ lineId: '1', sku: 'SKU-1', name: '商品 1', quantity: 1, paidFen: 50_000, category: 'ring', listPriceFen: null }])
    expect(order.paid ?? null).toBeNull()
    expect(order.lines ?? []).toEqual([])
    expect(await points()).toEqual(before)

    await t.app.jobs.drain()
    const mine = seen.filter((e) => (e.payload as { orderId: string }).orderId === orderId)
    expect(mine).toHaveLength(1)
    expect(mine[0]!.memberId?.toString()).toBe(memberId)
    expect(mine[0]!.payload).toMatchObject({ orderId, channel: 'mall', store: 'online', lines: [{ lineId: '1', sku: 'SKU-1', category: 'ring', quantity: 1, paidFen: 50_000 }] })
  })

  it('changes nothing about points whether it arrives before or after the payment', async () => {
    const first = shop.orderId()
    const second = shop.orderId()
    const lines = [{ lineId: '1', paidFen: 30_000 }]
    const before = await points()
    await t.sendEvent(shop.created(first, { memberId }, lines, '2026-05-01T09:00:00+08:00'))
    await t.sendEvent(shop.paid(first, { memberId }, lines, '2026-05-01T09:05:00+08:00'))
    const afterFirst = await points()
    expect(afterFirst.pending).toBe(before.pending + 300)
    await t.sendEvent(shop.paid(second, { memberId }, lines, '2026-05-01T09:05:00+08:00'))
    const afterPaid = await points()
    await t.sendEvent(shop.created(second, { memberId }, lines, '2026-05-01T09:00:00+08:00'))
    expect(await points()).toEqual(afterPaid)
    expect(afterPaid.pending).toBe(afterFirst.pending + 300)
    const order = (await t.models.Order.findById(second).lean()) as Record<string, any>
    expect(order.created).not.toBeNull()
    expect(order.lines).toHaveLength(1)
  })

  it('refuses repeated line ids and impossible times like order.paid', async () => {
    const repeated = shop.created(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 1 }, { lineId: '1', paidFen: 2 }], '2026-05-01T09:00:00+08:00')
    expect((await t.sendEvent(repeated)).statusCode).toBe(400)
    const badTime = shop.created(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 1 }], '2026-05-01T09:00:00+08:00') as Record<string, any>
    badTime.data.createdAt = '2026-02-31T09:00:00+08:00'
    expect((await t.sendEvent(badTime)).statusCode).toBe(400)
  })
})
