import { describe, expect, it } from 'vitest'
import { TEST_APPID } from '../helpers/sandbox.js'
import { seedDemo } from '../../tools/seed.js'
import { sandboxOpenid } from '../../tools/wechat-sandbox/users.js'
import { TestClock, useTestApp } from '../helpers/app.js'

describe('the demo seed', () => {
  const t = useTestApp({}, new TestClock(new Date('2026-11-23T04:00:00Z')))

  it('gives the demo members a believable history through the shop-event path, and seeds nothing twice', async () => {
    // how long it takes is printed, not asserted (timings belong in npm run bench; this machine runs other tests too)
    const started = performance.now()
    expect(await seedDemo(t.app, TEST_APPID)).toBe(4)
    console.log(`demo seed: ${((performance.now() - started) / 1000).toFixed(1)} s`)

    const alice = (await t.models.Member.findOne({ openid: sandboxOpenid(TEST_APPID, 'alice') }).lean())!
    const history = await t.app.pointsHistory.pointsHistory(alice._id.toString(), 50)
    // a dozen entries and more, each tied to an order number
    expect(history.items.length).toBeGreaterThanOrEqual(12)
    expect(history.items.every((e) => e.orderId?.startsWith('DEMO-ALICE-'))).toBe(true)
    expect(new Set(history.items.map((e) => e.reason))).toEqual(new Set(['purchase', 'confirm', 'refund']))
    // the newest order is still inside its return window; the rest confirmed when their windows closed
    expect(alice.points.pending).toBeGreaterThan(0)
    expect(await t.models.Job.countDocuments({ type: 'order.confirm-points', state: 'queued' })).toBeGreaterThan(0)
    // points from last year's orders expire at this year's end (Shanghai)
    // a stocked mall
    const items = await t.app.mall.items.list()
    expect(items.filter((i) => i.kind === 'coupon')).toHaveLength(3)
    expect(items.filter((i) => i.kind === 'gift')).toHaveLength(3)
    // coupons in every demo member's wallet, and messages only about recent facts (no shipment of last year is news)
    expect(await t.app.coupons.usage.wallet(alice._id.toString())).not.toHaveLength(0)
    const old = await t.app.db.connection.model('Message').countDocuments({ memberId: alice._id, dedupeKey: /DEMO-ALICE-00[1-5]/ })
    expect(old).toBe(0)
    expect(alice.lots).toContainEqual(expect.objectContaining({ expiresAt: Date.parse('2026-12-31T16:00:00Z') }))
    // a tier reached by purchases: the upgrade came with a confirmation
    expect(alice.tierLevel).toBeGreaterThanOrEqual(2)
    expect(await t.models.TierChange.findOne({ memberId: alice._id }).lean()).toMatchObject({ fromLevel: 1, reason: expect.stringContaining('(confirm)') })
    // the shop's facts are there: carriers, tracking numbers, a logistics exception, a partial refund
    const orders = await t.models.Order.find({ memberId: alice._id }).lean()
    expect(orders.length).toBe(7)
    expect(orders.every((o) => o.shipped?.carrier && o.shipped?.trackingNo)).toBe(true)
    expect(orders.some((o) => (o.logistics ?? []).some((l: { status: string }) => l.status === 'exception'))).toBe(true)
    expect(orders.filter((o) => (o.refunds ?? []).length > 0)).toHaveLength(1)
    expect((await t.models.ShopEvent.countDocuments({ state: 'parked' }))).toBe(0)
    expect((await t.app.reconcile()).differences).toEqual([])

    // erin: her birthday in two days (11-25), set a year ago — the gift is waiting: the silver tier's coupon, valid
    // through November, and 100 birthday points
    const erin = (await t.models.Member.findOne({ openid: sandboxOpenid(TEST_APPID, 'erin') }).lean())!
    expect(erin.birthday).toBe('11-25')
    const gift = await t.app.birthday.gifts.status(erin._id.toString())
    expect(gift).toMatchObject({ status: 'issued', celebratedOn: '2026-11-25', birthdayWeek: true, gift: { points: 100 } })
    expect(gift.gift!.coupons.map((c) => [c.name, c.validUntil])).toEqual([['生日礼券 满 500 减 100', '2026-11-30T15:59:59.999Z']])
    // the member day: the 18th, double points, a coupon for every tier, the next one planned with a theme and prices
    const memberDay = await t.app.memberDay.settings.current()
    expect(memberDay).toMatchObject({ enabled: true, days: [18], multiplier: 2 })
    expect(memberDay.tierCoupons).toHaveLength(6)
    const plan = await t.app.memberDay.plans.get('2026-12-18')
    expect(plan.theme?.title).toBeTruthy()
    expect(plan.memberPrices.length).toBeGreaterThan(0)

    // the stores, sam (staff) and mia (manager) of SH-01, and alice's visit to confirm
    expect((await t.app.stores.list({ openOnly: true })).map((s) => s.code).sort()).toEqual(['BJ-01', 'SH-01'])
    const staff = await t.app.staff.records.list({ store: 'SH-01' })
    expect(staff.map((r) => [r.name, r.role, r.status]).sort()).toEqual([
      ['Mia 马', 'manager', 'active'],
      ['Sam 孙', 'staff', 'active'],
    ])
    const login = await t.app.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code: await t.sandbox.code('sam') } })
    expect(login.json().staff).toMatchObject({ role: 'staff', store: 'SH-01', name: 'Sam 孙' })
    const me = await t.app.inject({ method: 'GET', url: '/api/staff/me', headers: { authorization: `Bearer ${login.json().staff.token}` } })
    expect(me.json()).toMatchObject({ role: 'staff', store: 'SH-01' })
    expect(await t.app.appointments.book.mine(alice._id.toString())).toHaveLength(1)

    // a restart seeds nothing; a seed interrupted before its marker and run again applies nothing twice
    const entries = await t.models.PointsEntry.countDocuments()
    expect(await seedDemo(t.app, TEST_APPID)).toBe(0)
    await t.models.Setting.deleteOne({ name: 'demo-seed' })
    expect(await seedDemo(t.app, TEST_APPID)).toBe(4)
    expect(await t.models.PointsEntry.countDocuments()).toBe(entries)
    expect(await t.models.Member.countDocuments()).toBe(5)
  })
})
