import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { mallHelpers } from './mall-helpers.js'

describe('mall items', () => {
  const t = useTestApp()

  describe('/api/admin/mall/items', () => {
    it('creates, lists and edits items (audited); the stock moves stockLeft by the difference, never below what is redeemed', async () => {
      const h = mallHelpers(t)
      const templateId = await h.couponTemplate()
      const created = await h.item({
        kind: 'coupon',
        name: '会员日 50 元券',
        description: '满 500 可用',
        images: ['https://cdn.brand.test/c.png'],
        pointsPrice: 500,
        stock: 3,
        couponTemplateId: templateId,
        tiers: ['S1', 'S2'],
        perMemberLimit: 2,
        availableFrom: '2026-03-01T00:00:00+08:00',
        availableTo: '2026-04-01T00:00:00+08:00',
      })
      expect(created).toMatchObject({ kind: 'coupon', stock: 3, stockLeft: 3, redeemed: 0, status: 'active', couponTemplateId: templateId, tiers: ['S1', 'S2'], perMemberLimit: 2, cashFen: null })
      expect(await t.models.Audit.countDocuments({ action: 'mall-item.create' })).toBeGreaterThan(0)

      const { token, memberId } = await t.login('admin-items-member')
      await h.grant(memberId, 1000)
      expect((await h.redeem(token, { itemId: created.id, idempotencyKey: h.key() })).statusCode).toBe(201)

      const patch = (body: unknown) => t.app.inject({ method: 'PATCH', url: `/api/admin/mall/items/${created.id}`, headers: h.admin(), payload: body as object })
      const more = await patch({ stock: 10, name: '会员日 50 元券（加量）', tiers: null })
      expect(more.statusCode, more.body).toBe(200)
      expect(more.json()).toMatchObject({ stock: 10, stockLeft: 9, redeemed: 1, name: '会员日 50 元券（加量）', tiers: null })
      expect((await patch({ stock: 1 })).json()).toMatchObject({ stock: 1, stockLeft: 0 })
      const below = await patch({ stock: 0 })
      expect(below.statusCode).toBe(409)
      expect(below.json().code).toBe(ErrorCodes.CONFLICT)
      expect((await patch({ status: 'paused', availableTo: null })).json()).toMatchObject({ status: 'paused', availableTo: null })

      const list = await t.app.inject({ method: 'GET', url: '/api/admin/mall/items?status=paused', headers: h.admin() })
      expect(list.statusCode).toBe(200)
      expect(list.json().items.map((i: { id: string }) => i.id)).toContain(created.id)
      const one = await t.app.inject({ method: 'GET', url: `/api/admin/mall/items/${created.id}`, headers: h.admin() })
      expect(one.json()).toMatchObject({ id: created.id, status: 'paused' })
      await h.expectMallReconciled()
    })

    it('refuses items that make no sense with 400', async () => {
      const h = mallHelpers(t)
      const templateId = await h.couponTemplate()
      const bad = async (payload: Record<string, unknown>) => {
        const response = await t.app.inject({ method: 'POST', url: '/api/admin/mall/items', headers: h.admin(), payload })
        expect(response.statusCode, JSON.stringify(payload)).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      const base = { kind: 'coupon', name: 'x', pointsPrice: 10, stock: 1, couponTemplateId: templateId }
      await bad({ ...base, couponTemplateId: undefined })
      await bad({ ...base, couponTemplateId: '0123456789abcdef01234567' })
      await bad({ ...base, kind: 'gift' })
      await bad({ ...base, tiers: ['S9'] })
      await bad({ ...base, availableFrom: '2026-04-01T00:00:00Z', availableTo: '2026-03-01T00:00:00Z' })
      await bad({ ...base, pointsPrice: 0 })
      await bad({ ...base, pointsPrice: 1e12 })
      await bad({ ...base, stock: -1 })
      await bad({ ...base, stock: 1.5 })
      await bad({ ...base, name: 'x'.repeat(41) })
      await bad({ ...base, images: ['javascript:alert(1)'] })
      await bad({ ...base, images: Array(10).fill('https://cdn.brand.test/a.png') })
      await bad({ ...base, $where: '1' })
      await bad({ ...base, stockLeft: 5 })
      await bad({ ...base, kind: 'service' })
      await bad({ ...base, cashFen: -5 })
    })
  })

  describe('GET /api/mall/items', () => {
    it('marks what this member can redeem now, and why not', async () => {
      const h = mallHelpers(t)
      const { token, memberId } = await t.login('list-member')
      await h.grant(memberId, 150)
      const affordable = await h.couponItem({ name: 'affordable', pointsPrice: 100 })
      const dear = await h.giftItem({ name: 'dear', pointsPrice: 1000 })
      const gone = await h.couponItem({ name: 'gone', stock: 0 })
      const forGold = await h.giftItem({ name: 'gold only', pointsPrice: 10, tiers: ['S2'] })
      const later = await h.giftItem({ name: 'later', pointsPrice: 10, availableFrom: '2026-04-01T00:00:00+08:00' })
      const paused = await h.giftItem({ name: 'paused', pointsPrice: 10, status: 'paused' })
      const ended = await h.giftItem({ name: 'ended', pointsPrice: 10, availableTo: '2026-03-01T00:00:00+08:00' })
      const once = await h.couponItem({ name: 'once', pointsPrice: 10, perMemberLimit: 1 })
      expect((await h.redeem(token, { itemId: once.id, idempotencyKey: h.key() })).statusCode).toBe(201)

      const response = await t.app.inject({ method: 'GET', url: '/api/mall/items', headers: h.bearer(token) })
      expect(response.statusCode).toBe(200)
      const { items, points } = response.json() as { items: { id: string; redeemable: boolean; reason?: string; stockLeft: number; redeemedByMe: number; couponRules: string | null }[]; points: number }
      expect(points).toBe(140)
      const byId = new Map(items.map((i) => [i.id, i]))
      expect(byId.get(affordable.id)).toMatchObject({ redeemable: true, stockLeft: 10, couponRules: expect.stringContaining('减') })
      expect(byId.get(affordable.id)).not.toHaveProperty('reason')
      expect(byId.get(dear.id)).toMatchObject({ redeemable: false, reason: 'INSUFFICIENT_POINTS', couponRules: null })
      expect(byId.get(gone.id)).toMatchObject({ redeemable: false, reason: 'OUT_OF_STOCK' })
      expect(byId.get(forGold.id)).toMatchObject({ redeemable: false, reason: 'TIER_NOT_ELIGIBLE' })
      expect(byId.get(later.id)).toMatchObject({ redeemable: false, reason: 'NOT_AVAILABLE' })
      expect(byId.get(once.id)).toMatchObject({ redeemable: false, reason: 'LIMIT_REACHED', redeemedByMe: 1 })
      // paused and ended items are not on the page; a link to one says it is not available
      expect(byId.has(paused.id)).toBe(false)
      expect(byId.has(ended.id)).toBe(false)
      const detail = await t.app.inject({ method: 'GET', url: `/api/mall/items/${paused.id}`, headers: h.bearer(token) })
      expect(detail.statusCode).toBe(200)
      expect(detail.json()).toMatchObject({ id: paused.id, redeemable: false, reason: 'NOT_AVAILABLE' })

      const redeemable = await t.app.inject({ method: 'GET', url: '/api/mall/items?redeemable=true&kind=coupon', headers: h.bearer(token) })
      expect(redeemable.json().items.map((i: { id: string }) => i.id)).toContain(affordable.id)
      expect(redeemable.json().items.every((i: { redeemable: boolean; kind: string }) => i.redeemable && i.kind === 'coupon')).toBe(true)
    })
  })

  describe('GET /api/me/redemptions', () => {
    it('pages the member\'s own redemptions, newest first', async () => {
      const h = mallHelpers(t)
      const { token, memberId } = await t.login('history-member')
      await h.grant(memberId, 1000)
      const item = await h.couponItem({ pointsPrice: 10 })
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        t.clock.set(new Date(t.clock.now().getTime() + 1000))
        ids.push((await h.redeem(token, { itemId: item.id, idempotencyKey: h.key() })).json().id)
      }
      const page = async (query: string) => {
        const response = await t.app.inject({ method: 'GET', url: `/api/me/redemptions${query}`, headers: h.bearer(token) })
        expect(response.statusCode, response.body).toBe(200)
        return response.json() as { items: { id: string; status: string }[]; nextCursor: string | null }
      }
      const first = await page('?limit=2')
      expect(first.items.map((r) => r.id)).toEqual([ids[4], ids[3]])
      const second = await page(`?limit=2&cursor=${first.nextCursor}`)
      expect(second.items.map((r) => r.id)).toEqual([ids[2], ids[1]])
      const third = await page(`?limit=2&cursor=${second.nextCursor}`)
      expect(third.items.map((r) => r.id)).toEqual([ids[0]])
      expect(third.nextCursor).toBeNull()
      // another member sees none of them
      const other = await t.login('history-other')
      const theirs = await t.app.inject({ method: 'GET', url: '/api/me/redemptions', headers: h.bearer(other.token) })
      expect(theirs.json().items).toEqual([])
    })
  })
})
