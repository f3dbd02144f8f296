import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { mallHelpers, outcome, secondService } from './mall-helpers.js'

/** No oversell, no double spend, no limit exceeded — under concurrent requests, and across two services. */
describe('redemptions under concurrency', () => {
  const t = useTestApp()
  const m = () => mallHelpers(t)
  const model = (name: string) => t.app.db.connection.model(name)

  it('lets exactly 10 of 500 concurrent redemptions of a 10-unit item succeed; the rest are OUT_OF_STOCK', { timeout: 120_000 }, async () => {
    const h = m()
    const item = await h.couponItem({ name: '限量 10 张', pointsPrice: 10, stock: 10 })
    // 100 members, 5 requests each
    const members: { token: string; memberId: string }[] = []
    for (let i = 0; i < 100; i += 20) {
      members.push(...(await Promise.all(Array.from({ length: 20 }, (_, k) => t.login(`hot-${i + k}`)))))
    }
    await Promise.all(members.map((member) => h.grant(member.memberId, 100)))
    const requests = members.flatMap((member) => Array.from({ length: 5 }, () => ({ member, key: h.key('hot') })))
    const responses = await Promise.all(requests.map(({ member, key }) => h.redeem(member.token, { itemId: item.id, idempotencyKey: key })))
    const statuses = responses.map((r) => r.statusCode)
    expect(statuses.filter((s) => s === 201)).toHaveLength(10)
    expect(statuses.filter((s) => s === 409)).toHaveLength(490)
    expect(new Set(responses.filter((r) => r.statusCode === 409).map((r) => r.json().code))).toEqual(new Set([ErrorCodes.OUT_OF_STOCK]))
    expect(await h.itemDoc(item.id)).toMatchObject({ stock: 10, stockLeft: 0, takes: [] })
    // ten coupons, ten spends, no other change to anyone's points
    expect(await model('Coupon').countDocuments({ source: 'mall', state: 'usable', templateId: (await h.itemDoc(item.id) as unknown as { couponTemplateId: string }).couponTemplateId })).toBe(10)
    expect(await t.models.PointsEntry.countDocuments({ reason: 'redeem' })).toBe(10)
    const balances = await Promise.all(members.map((member) => t.balances(member.memberId)))
    expect(balances.reduce((sum, b) => sum + b.available, 0)).toBe(100 * 100 - 10 * 10)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('never oversells when two services race for the last units', async () => {
    const h = m()
    const item = await h.couponItem({ pointsPrice: 1, stock: 7 })
    const members = await Promise.all(Array.from({ length: 10 }, (_, i) => t.login(`race-${i}`)))
    await Promise.all(members.map((member) => h.grant(member.memberId, 10)))
    const other = secondService(t)
    const results = await Promise.all(
      members.flatMap((member, i) =>
        Array.from({ length: 3 }, (_, k) =>
          outcome((i + k) % 2 === 0 ? t.app.mall.redemptions.redeem(member.memberId, { itemId: item.id, idempotencyKey: `race-${i}-${k}` }) : other.redeem(member.memberId, { itemId: item.id, idempotencyKey: `race-${i}-${k}` })),
        ),
      ),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(7)
    expect(results.filter((r) => !r.ok).map((r) => (r as { code: string }).code)).toEqual(Array(23).fill(ErrorCodes.OUT_OF_STOCK))
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 0, takes: [] })
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('gives the slots back of redemptions refused for stock when two services race for the last units of a limited item', async () => {
    const h = m()
    const item = await h.couponItem({ pointsPrice: 5, stock: 3, perMemberLimit: 1 })
    const members = await Promise.all(Array.from({ length: 8 }, (_, i) => t.login(`race-limited-${i}`)))
    await Promise.all(members.map((member) => h.grant(member.memberId, 10)))
    const other = secondService(t)
    const results = await Promise.all(
      members.map((member, i) => outcome((i % 2 ? other : t.app.mall.redemptions).redeem(member.memberId, { itemId: item.id, idempotencyKey: `race-limited-${i}` }))),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(3)
    expect(results.filter((r) => !r.ok).map((r) => (r as { code: string }).code)).toEqual(Array(5).fill(ErrorCodes.OUT_OF_STOCK))
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 0, takes: [] })
    // only the members who got a unit hold a slot; every refused one can redeem it again when stock comes back
    const claims = await Promise.all(members.map((member) => model('MallClaim').findById(`${item.id}:${member.memberId}`).lean<{ n: number } | null>()))
    expect(claims.map((c) => c?.n ?? 0)).toEqual(results.map((r) => (r.ok ? 1 : 0)))
    expect(await model('MallRedemption').countDocuments({ itemId: item.id, state: { $nin: ['done', 'failed'] } })).toBe(0)
    expect(await t.models.PointsEntry.countDocuments({ reason: 'redeem', memberId: { $in: members.map((member) => member.memberId) } })).toBe(3)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('lets a member with 100 points redeem only one of two 80-point items asked for at once', async () => {
    const h = m()
    const { token, memberId } = await t.login('two-items')
    await h.grant(memberId, 100)
    const a = await h.couponItem({ name: 'A', pointsPrice: 80, stock: 3 })
    const b = await h.giftItem({ name: 'B', pointsPrice: 80, stock: 3 })
    const [ra, rb] = await Promise.all([
      h.redeem(token, { itemId: a.id, idempotencyKey: h.key() }),
      h.redeem(token, { itemId: b.id, idempotencyKey: h.key(), address: h.address }),
    ])
    expect([ra.statusCode, rb.statusCode].sort()).toEqual([201, 409])
    const refused = ra.statusCode === 409 ? ra : rb
    expect(refused.json().code).toBe(ErrorCodes.INSUFFICIENT_POINTS)
    expect((await t.balances(memberId)).available).toBe(20)
    // the refused item's unit is still there; nothing is left half-done
    const stock = [(await h.itemDoc(a.id)).stockLeft, (await h.itemDoc(b.id)).stockLeft].sort()
    expect(stock).toEqual([2, 3])
    expect(await model('MallRedemption').countDocuments({ memberId, state: { $nin: ['done', 'failed'] } })).toBe(0)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('gives the unit and the slot back when the points turn out short at the ledger step', async () => {
    const h = m()
    const { memberId } = await t.login('short-at-ledger')
    await h.grant(memberId, 100)
    const item = await h.giftItem({ pointsPrice: 80, stock: 2, perMemberLimit: 1 })
    // another change spends the points between the checks and the ledger step
    const service = secondService(t, {
      afterStep: async (step) => {
        if (step === 'stock-taken') await t.app.adjustments.adjust(memberId, { kind: 'points', delta: -50, reason: 'spent elsewhere', requestId: 'short-1' }, { actor: 'test', role: 'admin' })
      },
    })
    const result = await outcome(service.redeem(memberId, { itemId: item.id, idempotencyKey: 'short', address: h.address }))
    expect(result).toEqual({ ok: false, code: ErrorCodes.INSUFFICIENT_POINTS })
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 2, takes: [] })
    expect(await model('MallClaim').findById(`${item.id}:${memberId}`).lean()).toMatchObject({ n: 0, rids: [] })
    expect(await model('MallRedemption').findOne({ memberId }).lean()).toMatchObject({ state: 'failed', failure: { code: 'INSUFFICIENT_POINTS' } })
    expect((await t.balances(memberId)).available).toBe(50)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('makes one redemption of the same idempotency key sent 10 times at once', async () => {
    const h = m()
    const { token, memberId } = await t.login('same-key')
    await h.grant(memberId, 1000)
    const item = await h.couponItem({ pointsPrice: 100, stock: 10 })
    const key = h.key('same')
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.redeem(token, { itemId: item.id, idempotencyKey: key })))
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201])
    expect(new Set(responses.map((r) => r.json().id)).size).toBe(1)
    expect(responses.every((r) => r.json().status === 'done')).toBe(true)
    expect((await t.balances(memberId)).available).toBe(900)
    expect(await t.models.PointsEntry.countDocuments({ memberId, reason: 'redeem' })).toBe(1)
    expect((await h.itemDoc(item.id)).stockLeft).toBe(9)
  })

  it('makes one redemption of the same key sent at once to two services', async () => {
    const h = m()
    const { memberId } = await t.login('same-key-two')
    await h.grant(memberId, 1000)
    const item = await h.couponItem({ pointsPrice: 100, stock: 10 })
    const other = secondService(t)
    const body = { itemId: item.id, idempotencyKey: 'twice' }
    const results = await Promise.all([t.app.mall.redemptions.redeem(memberId, body), other.redeem(memberId, body)])
    expect(results.map((r) => r.created).sort()).toEqual([false, true])
    expect(results[0].redemption.id).toBe(results[1].redemption.id)
    expect((await t.balances(memberId)).available).toBe(900)
    expect((await h.itemDoc(item.id)).stockLeft).toBe(9)
  })

  it('holds a per-member limit of 2 against 10 concurrent claims by one member, in one service and across two', async () => {
    const h = m()
    const { token, memberId } = await t.login('limit-2')
    await h.grant(memberId, 10_000)
    const item = await h.couponItem({ pointsPrice: 10, stock: 100, perMemberLimit: 2 })
    const responses = await Promise.all(Array.from({ length: 10 }, () => h.redeem(token, { itemId: item.id, idempotencyKey: h.key() })))
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(2)
    expect(responses.filter((r) => r.statusCode === 409).map((r) => r.json().code)).toEqual(Array(8).fill(ErrorCodes.LIMIT_REACHED))

    const other = await h.couponItem({ pointsPrice: 10, stock: 100, perMemberLimit: 2 })
    const second = secondService(t)
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => outcome((i % 2 ? second : t.app.mall.redemptions).redeem(memberId, { itemId: other.id, idempotencyKey: `lim-${i}` }))),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(2)
    expect(results.filter((r) => !r.ok).map((r) => (r as { code: string }).code)).toEqual(Array(8).fill(ErrorCodes.LIMIT_REACHED))
    expect(await model('MallClaim').findById(`${other.id}:${memberId}`).lean()).toMatchObject({ n: 2 })
    expect((await t.balances(memberId)).available).toBe(10_000 - 4 * 10)
    expect((await h.itemDoc(other.id)).stockLeft).toBe(98)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })
})
