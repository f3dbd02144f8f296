import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { mallHelpers } from './mall-helpers.js'

/** Gift redemptions: the gift order, its shipping through the shop's events, and cancelling before it ships. */
describe('gift orders', () => {
  const t = useTestApp()
  const model = (name: string) => t.app.db.connection.model(name)

  it('creates a pending gift order, which the shop\'s order.shipped and order.delivered move; shipped, it cannot be cancelled', async () => {
    const h = mallHelpers(t)
    const { token, memberId } = await t.login('gift-ship')
    await h.grant(memberId, 1000)
    const before = await t.balances(memberId)
    const item = await h.giftItem({ pointsPrice: 300, stock: 5, cashFen: 990 })

    const missing = await h.redeem(token, { itemId: item.id, idempotencyKey: h.key() })
    expect(missing.statusCode).toBe(400)
    expect(missing.json().code).toBe(ErrorCodes.VALIDATION_FAILED)

    const response = await h.redeem(token, { itemId: item.id, idempotencyKey: h.key(), address: h.address })
    expect(response.statusCode, response.body).toBe(201)
    const redemption = response.json()
    expect(redemption).toMatchObject({ status: 'done', kind: 'gift', coupon: null, cashFen: 990 })
    const giftId = redemption.giftOrder.id as string
    expect(redemption.giftOrder).toMatchObject({ id: `MG${redemption.id}`, state: 'pending', address: h.address, itemName: '首饰清洁套装', cashFen: 990 })

    const pending = await t.app.inject({ method: 'GET', url: '/api/admin/mall/gift-orders?state=pending', headers: h.admin() })
    expect(pending.statusCode).toBe(200)
    expect(pending.json().items.map((g: { id: string }) => g.id)).toContain(giftId)

    // the shop ships it under the gift order's id: the shipping event comes through the shop-event flow
    await t.sendAccepted(shop.shipped(giftId, '2026-03-10T12:00:00+08:00'))
    await t.app.jobs.drain()
    const shipped = await t.app.inject({ method: 'GET', url: `/api/me/redemptions/${redemption.id}`, headers: h.bearer(token) })
    expect(shipped.json().giftOrder).toMatchObject({ state: 'shipped', carrier: 'SF', trackingNo: expect.stringMatching(/^SF/) })
    expect(await t.models.DomainEvent.countDocuments({ type: 'mall.gift-shipped', memberId })).toBe(1)
    // shipping care for the gift, like any shipment: once, in the member's inbox
    const care = (await t.app.db.connection.model('Message').find({ memberId, kind: 'shipped' }).lean()) as unknown as { data: { orderId: string; item: string } }[]
    expect(care.map((m) => m.data)).toEqual([expect.objectContaining({ orderId: giftId, item: '首饰清洁套装' })])

    const late = await t.app.inject({ method: 'POST', url: `/api/me/redemptions/${redemption.id}/cancel`, headers: h.bearer(token), payload: {} })
    expect(late.statusCode).toBe(409)
    expect(late.json().code).toBe(ErrorCodes.CONFLICT)

    await t.sendAccepted(shop.delivered(giftId, '2026-03-10T15:00:00+08:00'))
    await t.app.jobs.drain()
    expect(await model('MallGiftOrder').findById(giftId).lean()).toMatchObject({ state: 'delivered' })

    // not a purchase: no points, no growth, no payment on the shop's record of it
    const after = await t.balances(memberId)
    expect(after).toMatchObject({ available: before.available - 300, pending: 0, growth: before.growth })
    expect(await t.models.PointsEntry.countDocuments({ orderId: giftId })).toBe(0)
    expect(await t.models.PointsEntry.countDocuments({ memberId, reason: { $nin: ['adjust', 'redeem'] } })).toBe(0)
    const order = await t.models.Order.findById(giftId).lean()
    expect(order?.paid ?? null).toBeNull()
    expect(order?.memberId ?? null).toBeNull()
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('gives the points, the unit and the member\'s slot back when a gift is cancelled before it ships', async () => {
    const h = mallHelpers(t)
    const { token, memberId } = await t.login('gift-cancel')
    await h.grant(memberId, 1000)
    const item = await h.giftItem({ pointsPrice: 300, stock: 2, perMemberLimit: 1 })
    const redemption = (await h.redeem(token, { itemId: item.id, idempotencyKey: h.key(), address: h.address })).json()
    expect((await t.balances(memberId)).available).toBe(700)
    expect((await h.itemDoc(item.id)).stockLeft).toBe(1)

    const cancelled = await t.app.inject({ method: 'POST', url: `/api/me/redemptions/${redemption.id}/cancel`, headers: h.bearer(token), payload: {} })
    expect(cancelled.statusCode, cancelled.body).toBe(200)
    expect(cancelled.json()).toMatchObject({ id: redemption.id, status: 'cancelled', giftOrder: { state: 'cancelled', cancelledAt: expect.any(String) } })
    expect((await t.balances(memberId)).available).toBe(1000)
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 2, returns: [], takes: [] })
    expect(await t.models.PointsEntry.findOne({ key: `mall:${redemption.id}:return` }).lean()).toMatchObject({ reason: 'redeem-return', available: 300 })

    // cancelling again answers the same; the slot is free again
    const again = await t.app.inject({ method: 'POST', url: `/api/me/redemptions/${redemption.id}/cancel`, headers: h.bearer(token), payload: {} })
    expect(again.statusCode).toBe(200)
    expect(again.json().status).toBe('cancelled')
    expect(await t.models.PointsEntry.countDocuments({ key: `mall:${redemption.id}:return` })).toBe(1)
    expect((await h.redeem(token, { itemId: item.id, idempotencyKey: h.key(), address: h.address })).statusCode).toBe(201)
    await t.expectReconciled()
    await h.expectMallReconciled()

    // a shipping event that comes after the cancellation changes nothing and is reported
    await t.sendAccepted(shop.shipped(`MG${redemption.id}`, '2026-03-10T12:00:00+08:00'))
    await t.app.jobs.drain()
    expect(await model('MallGiftOrder').findById(`MG${redemption.id}`).lean()).toMatchObject({ state: 'cancelled', lateEvent: expect.stringContaining('order.shipped') })
    const { problems } = await t.app.mall.reconcile()
    expect(problems).toEqual([expect.objectContaining({ kind: 'gift-event-after-cancel', giftOrderId: `MG${redemption.id}` })])
  })

  it('lets an operator cancel a member\'s gift (audited), and refuses to cancel a coupon', async () => {
    const h = mallHelpers(t)
    const { token, memberId } = await t.login('gift-admin-cancel')
    await h.grant(memberId, 1000)
    const gift = await h.giftItem({ pointsPrice: 100 })
    const redemption = (await h.redeem(token, { itemId: gift.id, idempotencyKey: h.key(), address: h.address })).json()
    const cancel = (id: string, headers: Record<string, string>, payload: unknown = { reason: 'out of the colour asked for' }) =>
      t.app.inject({ method: 'POST', url: `/api/admin/mall/redemptions/${id}/cancel`, headers, payload: payload as object })
    const memberToken = await cancel(redemption.id, h.bearer(token))
    expect(memberToken.statusCode).toBe(403)
    const done = await cancel(redemption.id, h.admin())
    expect(done.statusCode, done.body).toBe(200)
    expect(done.json().status).toBe('cancelled')
    expect(await t.models.Audit.findOne({ action: 'mall-redemption.cancel', memberId }).lean()).toMatchObject({ actor: 'ops@brand.test', details: { redemptionId: redemption.id } })
    expect((await t.balances(memberId)).available).toBe(1000)

    const coupon = await h.couponItem({ pointsPrice: 100 })
    const couponRedemption = (await h.redeem(token, { itemId: coupon.id, idempotencyKey: h.key() })).json()
    const refused = await cancel(couponRedemption.id, h.admin())
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe(ErrorCodes.CONFLICT)
    const mine = await t.app.inject({ method: 'POST', url: `/api/me/redemptions/${couponRedemption.id}/cancel`, headers: h.bearer(token), payload: {} })
    expect(mine.statusCode).toBe(409)
  })
})
