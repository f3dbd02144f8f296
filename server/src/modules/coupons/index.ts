import { startOfNextShanghaiDay } from '@member-center/shared'
import fp from 'fastify-plugin'
import { Types } from 'mongoose'
import { netOfOrder } from '../loyalty/purchase-stats.js'
import { CouponIssuer, type IssueRequest, type IssueResult } from './issuing.js'
import { couponModels } from './models.js'
import adminRoutes from './routes/templates.js'
import memberRoutes from './routes/me-coupons.js'
import staffRoutes from './routes/staff-coupons.js'
import { CouponStats } from './stats.js'
import { CouponTemplates } from './templates.js'
import { CouponUsage } from './usage.js'

export const COUPONS_DAILY_JOB = 'coupons.daily'

/** The coupons service every program uses (the mall, birthday, member day, campaigns, staff, the API). */
export interface CouponsService {
  templates: CouponTemplates
  /** issues a coupon from a template under a business key: once per key; stock and per-member limits hold */
  issue(req: IssueRequest): Promise<IssueResult>
  /** several issues at once, each answered with its result or its refusal (a batch in a few commands) */
  issueMany(reqs: IssueRequest[]): Promise<(IssueResult | Error)[]>
  /** voids the unused coupon issued under `key`, giving its stock and member slot back */
  revoke(key: string, reason: string): Promise<'voided' | 'missing' | 'used' | 'expired'>
  /** a template as the admin API shows it */
  template(id: string): ReturnType<CouponTemplates['get']>
  issuer: CouponIssuer
  usage: CouponUsage
  /** counts for reports: coupons issued and used in a period (the KPI report) */
  stats: CouponStats
}

declare module 'fastify' {
  interface FastifyInstance {
    coupons: CouponsService
  }
}

/**
 * coupons: templates (admin), one issuing service, the wallet, use online (order.paid couponCodes, a domain-event
 * consumer) and in store (staff), the return of coupons on a full refund or cancellation, and the daily sweep
 * (expiry, coupon.expiring three days before, issues left pending by a crash). Routes: /api/admin/coupon-templates,
 * /api/me/coupons, /api/staff/coupons. Jobs: coupons.daily.
 */
export default fp(
  async (app) => {
    const models = await app.db.register(couponModels(app.db.connection))
    const templates = new CouponTemplates(models, app.tierTable, app.audit, app.now)
    const issuer = new CouponIssuer(models, templates, app.members.repo, app.tierTable, app.now)
    const usage = new CouponUsage(models, app.events, app.audit, app.now)

    // online use: the codes an order.paid carried; a full refund or a cancellation gives them back
    app.events.consume('coupons.order-use', ['order.paid', 'order.refunded', 'order.cancelled'], async (event) => {
      const payload = event.payload as { orderId: string; couponCodes?: string[]; paidAt?: string }
      if (event.type === 'order.paid') {
        if (payload.couponCodes?.length) await usage.useForOrder(payload.orderId, event.memberId ? new Types.ObjectId(event.memberId) : null, payload.couponCodes, new Date(payload.paidAt ?? event.at))
        return
      }
      const order = await app.orders.facts(payload.orderId)
      const net = order ? netOfOrder(order) : null
      if (event.type === 'order.cancelled' || (net && net.netFen === 0)) await usage.returnForOrder(payload.orderId)
    })

    app.jobs.register(COUPONS_DAILY_JOB, async () => {
      await usage.sweep()
      await issuer.repairPending()
      // the next run: 00:10 Shanghai tomorrow
      return { rescheduleAt: new Date(startOfNextShanghaiDay(app.now()).getTime() + 10 * 60_000) }
    })
    const first = new Date(startOfNextShanghaiDay(app.now()).getTime() + 10 * 60_000)
    await app.jobs.schedule(COUPONS_DAILY_JOB, COUPONS_DAILY_JOB, {}, first)

    app.decorate('coupons', {
      templates,
      issuer,
      usage,
      stats: new CouponStats(models),
      issue: (req: IssueRequest) => issuer.issue(req),
      issueMany: (reqs: IssueRequest[]) => issuer.issueMany(reqs),
      revoke: (key: string, reason: string) => issuer.revoke(key, reason),
      template: (id: string) => templates.get(id),
    })

    await app.register(adminRoutes, { prefix: '/api/admin' })
    await app.register(memberRoutes, { prefix: '/api/me' })
    await app.register(staffRoutes, { prefix: '/api/staff' })
  },
  { name: 'coupons', dependencies: ['core', 'members', 'loyalty'] },
)
