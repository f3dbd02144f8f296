import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { AMPLE_STOCK } from '../../../server/src/modules/mall/redemptions.js'
import { useTestApp } from '../../helpers/app.js'
import { mallHelpers, outcome, secondService } from './mall-helpers.js'

/**
 * A hot item's batches: with ample stock the unit, the points and the coupon are taken at once; under load a batch is
 * answered before its bookkeeping (done, mall.redeemed, `takes`) is written, and this process's reads wait for it.
 */
describe('redemptions of a hot item', () => {
  const t = useTestApp()
  const m = () => mallHelpers(t)
  const model = (name: string) => t.app.db.connection.model(name)

  it('answers 120 concurrent redemptions before their bookkeeping, reads each back done at once, and records everything', { timeout: 120_000 }, async () => {
    const h = m()
    const item = await h.couponItem({ name: '热门券', pointsPrice: 10, stock: 1_000 })
    const members: { token: string; memberId: string }[] = []
    for (let i = 0; i < 40; i += 20) members.push(...(await Promise.all(Array.from({ length: 20 }, (_, k) => t.login(`load-${i + k}`)))))
    await Promise.all(members.map((member) => h.grant(member.memberId, 100)))
    // the order in which answers and the bookkeeping ('done', written after the answer under load) happen
    const order: string[] = []
    const service = secondService(t, {
      afterStep: async (step, ids) => {
        if (step === 'done') for (const id of ids) order.push(`recorded:${id}`)
      },
    })
    const results = await Promise.all(
      members.flatMap((member) =>
        Array.from({ length: 3 }, async (_, k) => {
          const { created, redemption } = await service.redeem(member.memberId, { itemId: item.id, idempotencyKey: `load-${k}` })
          order.push(`answered:${redemption.id}`)
          // read back at once through the same service (as the member's next request to this process): done
          const again = await service.get(redemption.id, member.memberId)
          return { created, status: redemption.status, readBack: again.status }
        }),
      ),
    )
    expect(results.every((r) => r.created && r.status === 'done' && r.readBack === 'done')).toBe(true)
    // some batch was answered before its record was written
    const answered = new Map(order.map((e, i) => [e, i]))
    expect([...answered.keys()].some((e) => e.startsWith('answered:') && answered.get(e)! < (answered.get(`recorded:${e.slice(9)}`) ?? Infinity))).toBe(true)

    await service.idle()
    expect(order.filter((e) => e.startsWith('recorded:'))).toHaveLength(120)
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: 1_000 - 120, takes: [] })
    expect(await model('MallRedemption').countDocuments({ itemId: item.id, state: 'done', leaseOwner: null })).toBe(120)
    expect(await t.models.DomainEvent.countDocuments({ type: 'mall.redeemed' })).toBe(120)
    expect(await model('Coupon').countDocuments({ source: 'mall', state: 'usable' })).toBe(120)
    const balances = await Promise.all(members.map((member) => t.balances(member.memberId)))
    expect(balances.every((b) => b.available === 70)).toBe(true)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('gives the unit and the coupon back when an ample coupon item finds the points short at the ledger', async () => {
    const h = m()
    const { memberId } = await t.login('ample-short')
    await h.grant(memberId, 100)
    const item = await h.couponItem({ pointsPrice: 80, stock: AMPLE_STOCK + 10 })
    // another change spends the points between the checks and the steps
    const service = secondService(t, {
      afterStep: async (step) => {
        if (step === 'created') await t.app.adjustments.adjust(memberId, { kind: 'points', delta: -50, reason: 'spent elsewhere', requestId: 'ample-short-1' }, { actor: 'test', role: 'admin' })
      },
    })
    const result = await outcome(service.redeem(memberId, { itemId: item.id, idempotencyKey: 'ample-short' }))
    expect(result).toEqual({ ok: false, code: ErrorCodes.INSUFFICIENT_POINTS })
    const redemption = await model('MallRedemption').findOne({ memberId }).lean<{ _id: unknown }>()
    expect(redemption).toMatchObject({ state: 'failed', failure: { code: 'INSUFFICIENT_POINTS' } })
    // the coupon was issued beside the points, and voided with the refusal; the unit came back
    expect(await model('Coupon').findOne({ issueKey: `mall:${String(redemption!._id)}` }).lean()).toMatchObject({ state: 'void' })
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: AMPLE_STOCK + 10, takes: [] })
    expect((await t.balances(memberId)).available).toBe(50)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('never makes the gift order of an ample gift item before the points are spent', async () => {
    const h = m()
    const { memberId } = await t.login('ample-gift-short')
    await h.grant(memberId, 400)
    const item = await h.giftItem({ pointsPrice: 300, stock: AMPLE_STOCK + 10 })
    const service = secondService(t, {
      afterStep: async (step) => {
        if (step === 'created') await t.app.adjustments.adjust(memberId, { kind: 'points', delta: -200, reason: 'spent elsewhere', requestId: 'ample-gift-1' }, { actor: 'test', role: 'admin' })
      },
    })
    const result = await outcome(service.redeem(memberId, { itemId: item.id, idempotencyKey: 'ample-gift', address: h.address }))
    expect(result).toEqual({ ok: false, code: ErrorCodes.INSUFFICIENT_POINTS })
    const redemption = await model('MallRedemption').findOne({ memberId }).lean<{ _id: unknown }>()
    expect(await model('MallGiftOrder').countDocuments({ _id: `MG${String(redemption!._id)}` })).toBe(0)
    expect(await h.itemDoc(item.id)).toMatchObject({ stockLeft: AMPLE_STOCK + 10, takes: [] })
    expect((await t.balances(memberId)).available).toBe(200)
    await t.expectReconciled()
    await h.expectMallReconciled()
  })

  it('refuses a coupon item whose template was paused since an earlier redemption (the template is read each batch)', async () => {
    const h = m()
    const { token, memberId } = await t.login('paused-template')
    await h.grant(memberId, 500)
    const couponTemplateId = await h.couponTemplate()
    const item = await h.item({ kind: 'coupon', name: '暂停券', pointsPrice: 10, stock: 500, couponTemplateId })
    expect((await h.redeem(token, { itemId: item.id, idempotencyKey: h.key() })).statusCode).toBe(201)
    const paused = await t.app.inject({ method: 'PATCH', url: `/api/admin/coupon-templates/${couponTemplateId}`, headers: h.admin(), payload: { status: 'paused' } })
    expect(paused.statusCode, paused.body).toBe(200)
    const refused = await h.redeem(token, { itemId: item.id, idempotencyKey: h.key() })
    expect(refused.statusCode).toBe(409)
    expect(refused.json().code).toBe(ErrorCodes.NOT_AVAILABLE)
  })
})
