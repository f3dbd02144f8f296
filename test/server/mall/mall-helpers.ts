import { expect } from 'vitest'
import type { MallModels } from '../../../server/src/modules/mall/models.js'
import { RedemptionService, type RedemptionOptions } from '../../../server/src/modules/mall/redemptions.js'
import type { TestContext } from '../../helpers/app.js'

/** Builders the mall tests share: templates, items, points, redemptions through HTTP. */
export function mallHelpers(t: TestContext) {
  const admin = () => ({ authorization: `Bearer ${t.adminToken()}` })
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  let keys = 0

  return {
    admin,
    bearer,
    async couponTemplate(body: Record<string, unknown> = {}): Promise<string> {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/admin/coupon-templates',
        headers: admin(),
        payload: { name: '满 500 减 50', kind: 'amount', amountFen: 5_000, thresholdFen: 50_000, validity: { days: 30 }, ...body },
      })
      expect(response.statusCode, response.body).toBe(201)
      return response.json().id
    },
    async item(body: Record<string, unknown>): Promise<{ id: string; stock: number; stockLeft: number }> {
      const response = await t.app.inject({ method: 'POST', url: '/api/admin/mall/items', headers: admin(), payload: body })
      expect(response.statusCode, response.body).toBe(201)
      return response.json()
    },
    async couponItem(body: Record<string, unknown> = {}, template: Record<string, unknown> = {}) {
      const couponTemplateId = await this.couponTemplate(template)
      return this.item({ kind: 'coupon', name: '50 元券', pointsPrice: 100, stock: 10, couponTemplateId, ...body })
    },
    async giftItem(body: Record<string, unknown> = {}) {
      return this.item({ kind: 'gift', name: '首饰清洁套装', description: '银饰清洁布与清洁液', images: ['https://cdn.brand.test/kit.jpg'], pointsPrice: 300, stock: 5, ...body })
    },
    /** points for a member, through an operator adjustment (no growth, so the tier stays) */
    async grant(memberId: string, points: number) {
      const result = await t.app.adjustments.adjust(memberId, { kind: 'points', delta: points, reason: 'test points', requestId: `grant-${memberId}-${++keys}` }, { actor: 'test', role: 'admin' })
      expect(result.status).toBe('applied')
    },
    redeem(token: string, body: Record<string, unknown>) {
      return t.app.inject({ method: 'POST', url: '/api/mall/redemptions', headers: bearer(token), payload: body })
    },
    address: { name: '张三', phone: '13800138000', region: '上海市 黄浦区', detail: '南京东路 1 号' },
    key: (prefix = 'k') => `${prefix}-${Date.now().toString(36)}-${++keys}`,
    async itemDoc(id: string) {
      return (await t.app.db.connection.model('MallItem').findById(id).lean()) as unknown as { stock: number; stockLeft: number; takes: string[]; returns: string[] }
    },
    async expectMallReconciled() {
      const { problems } = await t.app.mall.reconcile()
      expect(problems, JSON.stringify(problems)).toEqual([])
    },
  }
}

/**
 * Another redemption service on the same app and database — as a second server process has one: its own batches,
 * racing the app's own service for the same stock, slots and points. `options` add test hooks (afterStep).
 */
export function secondService(t: TestContext, options: RedemptionOptions = {}): RedemptionService {
  const model = (name: string) => t.app.db.connection.model(name)
  return new RedemptionService(
    {
      models: { MallItem: model('MallItem'), Redemption: model('MallRedemption'), MallClaim: model('MallClaim'), GiftOrder: model('MallGiftOrder') } as unknown as MallModels,
      ledger: t.app.ledger,
      coupons: t.app.coupons,
      members: t.app.members.repo,
      tiers: t.app.tierTable,
      events: t.app.events,
      jobs: t.app.jobs,
      audit: t.app.audit,
      now: t.app.now,
      log: t.app.log,
    },
    options,
  )
}

/** Settles a promise into its outcome: the redemption, or the error's code. */
export async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; code: string }> {
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return { ok: false, code: (error as { code?: string }).code ?? String(error) }
  }
}
