import { startOfNextShanghaiDay, type LifecycleStage } from '@member-center/shared'
import fp from 'fastify-plugin'
import type { DomainEvent } from '../../core/events/index.js'
import { PURCHASE_EVENT_TYPES } from '../loyalty/purchase-stats.js'
import { KpiReports } from './kpis.js'
import { insightsModels } from './models.js'
import adminRoutes from './routes/admin-lifecycle.js'
import kpiRoutes from './routes/admin-kpis.js'
import staffRoutes from './routes/staff-lifecycle.js'
import { LIFECYCLE_DAILY_JOB, LifecycleStages, STAGE_CHANGED } from './stages.js'
import { OUTREACH_START_JOB, OUTREACH_STEPS_JOB, OutreachService, STEP_EVERY_MS } from './outreach.js'
import { OutreachResultsReader } from './outreach-results.js'
import outreachRoutes from './routes/admin-outreach.js'
import segmentRoutes from './routes/admin-segments.js'
import { Segments } from './segments.js'

export { LIFECYCLE_DAILY_JOB }

/** The daily job runs at 00:15 Shanghai: members whose stage became due at midnight move along. */
const DAILY_AT_MS = 15 * 60_000

export interface InsightsService {
  lifecycle: LifecycleStages
  segments: Segments
  outreach: OutreachService
  results: OutreachResultsReader
  /** the KPI report (GET /api/admin/kpis) and its policy; the outreach slice plugs its results in with setOutreachSource */
  kpis: KpiReports
  /** `npm run reconcile`: stored stages against the orders, leaving members whose order events are still in flight */
  reconcile(): Promise<string[]>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** insights (issue 14): lifecycle stages, their policy, counts and report */
    insights: InsightsService
  }
}

/**
 * insights, first slice: lifecycle stages (DESIGN.md §2 "Lifecycle", issue 14). Each member's stage is recomputed
 * from their orders on order.paid, order.refunded and order.cancelled (consumer insights.lifecycle), when orders are
 * adopted by a member who appeared, and by the daily job at 00:15 Shanghai for the members whose nextChangeAt has
 * come; every change is recorded once and emits lifecycle.stage_changed. Routes: /api/admin/lifecycle/policy,
 * /api/admin/lifecycle/report, /api/staff/lifecycle. Job: insights.lifecycle-daily.
 */
export default fp(
  async (app) => {
    const models = await app.db.register(insightsModels(app.db.connection))
    const lifecycle = new LifecycleStages({
      models,
      orders: app.memberOrders,
      members: app.members.repo,
      events: app.events,
      settings: app.settings,
      audit: app.audit,
      now: app.now,
    })

    app.events.consume('insights.lifecycle', PURCHASE_EVENT_TYPES, async (event: DomainEvent) => {
      const orderId = (event.payload as { orderId?: string }).orderId
      const memberIds = event.memberId ? [event.memberId] : orderId ? await app.memberOrders.membersOf([orderId]) : []
      // an order whose member is not known yet: staged when it is adopted (below)
      for (const memberId of memberIds) await lifecycle.recompute(memberId, event.type)
    })
    app.orders.onAdopted(async (orderIds) => {
      for (const memberId of await app.memberOrders.membersOf(orderIds)) await lifecycle.recompute(memberId, 'order.adopted')
    })

    app.jobs.register(LIFECYCLE_DAILY_JOB, async () => {
      const result = await lifecycle.recomputeDue()
      if (result.members > 0) app.log.info(result, 'lifecycle stages moved along')
      return { rescheduleAt: new Date(startOfNextShanghaiDay(app.now()).getTime() + DAILY_AT_MS) }
    })
    // the first run at once (idempotent): a process started after 00:15 still moves the day's members along
    await app.jobs.schedule(LIFECYCLE_DAILY_JOB, LIFECYCLE_DAILY_JOB, {}, app.now(), { maxAttempts: 1_000 })

    const segments = new Segments({ models, members: app.members.repo, orders: app.memberOrders, audience: app.messaging.audience, audit: app.audit, now: app.now })
    const outreach = new OutreachService({
      models,
      segments,
      orders: app.memberOrders,
      coupons: app.coupons,
      messaging: app.messaging,
      jobs: app.jobs,
      settings: app.settings,
      audit: app.audit,
      now: app.now,
    })
    const results = new OutreachResultsReader({ models, outreach, orders: app.memberOrders, coupons: app.coupons, messaging: app.messaging, now: app.now })

    // outreach: a launched outreach starts at its startAt; members entering a stage join its trigger outreaches;
    // due steps go out every few minutes
    app.jobs.register(OUTREACH_START_JOB, async (payload) => {
      await outreach.start(payload.outreachId as string)
    })
    app.events.consume('insights.outreach-trigger', [STAGE_CHANGED], async (event: DomainEvent) => {
      if (event.memberId) await outreach.entered(event.memberId.toString(), (event.payload as { to: LifecycleStage }).to, event.at)
    })
    app.jobs.register(OUTREACH_STEPS_JOB, async () => {
      const done = await outreach.runDueSteps()
      if (done.sent + done.skipped + done.couponFailed > 0) app.log.info(done, 'outreach steps')
      return { rescheduleAt: new Date(app.now().getTime() + STEP_EVERY_MS) }
    })
    await app.jobs.schedule(OUTREACH_STEPS_JOB, OUTREACH_STEPS_JOB, {}, app.now(), { maxAttempts: 1_000 })

    const kpis = new KpiReports({
      orders: app.memberOrders,
      members: app.members.repo,
      tiers: app.tierTable,
      coupons: () => app.coupons.stats,
      messages: () => app.messaging.stats,
      settings: app.settings,
      audit: app.audit,
      now: app.now,
    })
    // the KPI report's outreach rows: each outreach started in the period, with its lift against the holdout
    kpis.setOutreachSource((from, to) => results.liftSummaries(from, to))
    const reconcile = async () => {
      // the members whose order events the lifecycle consumer has not handled yet: their stage is about to change
      const pending = await app.events.pending('insights.lifecycle')
      const orderIds = pending.filter((e) => !e.memberId && typeof e.payload.orderId === 'string').map((e) => e.payload.orderId as string)
      const inFlight = new Set([...pending.flatMap((e) => (e.memberId ? [e.memberId.toString()] : [])), ...(await app.memberOrders.membersOf(orderIds)).map(String)])
      return lifecycle.reconcile(inFlight)
    }
    app.decorate('insights', { lifecycle, segments, outreach, results, kpis, reconcile })

    await app.register(adminRoutes, { prefix: '/api/admin' })
    await app.register(segmentRoutes, { prefix: '/api/admin' })
    await app.register(outreachRoutes, { prefix: '/api/admin' })
    await app.register(kpiRoutes, { prefix: '/api/admin' })
    await app.register(staffRoutes, { prefix: '/api/staff' })
  },
  { name: 'insights', dependencies: ['core', 'members', 'loyalty', 'coupons', 'messaging', 'staff', 'staff-counter'] },
)
