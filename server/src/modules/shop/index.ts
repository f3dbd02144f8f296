import fp from 'fastify-plugin'
import { APPLY_QUEUED_JOB, ShopEventService } from './events.js'
import { shopModels } from './models.js'
import eventRoutes from './routes/events.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** shop events in: accepted durably, answered at once, applied in batches right behind */
    shopEvents: ShopEventService
  }
}

/**
 * shop: the signed webhook for the brand's shop or ERP, its queue and the applier that turns events into order facts
 * (settled by loyalty). Routes: /api/integrations/shop/events (+ /batch, /{eventId}). Jobs: shop.apply-queued.
 */
export default fp<{ webhookSecret?: string }>(
  async (app, opts) => {
    const models = await app.db.register(shopModels(app.db.connection))
    const shopEvents = new ShopEventService(models, app.orders, app.events, app.now, app.log, app.members.repo, (orderId) => app.coupons.usage.usesOf(orderId))
    app.orders.onAdopted((orderIds) => shopEvents.markAdopted(orderIds))
    // events accepted but left unapplied (their process died, or applying them failed): taken up every 30 s
    app.jobs.register(APPLY_QUEUED_JOB, async () => {
      await shopEvents.applyLeftBehind()
      return { rescheduleAt: new Date(app.now().getTime() + 30_000) }
    })
    // it must never give up for good: a failing run (the database away, say) is retried with backoff, capped at an hour
    await app.jobs.schedule(APPLY_QUEUED_JOB, APPLY_QUEUED_JOB, {}, app.now(), { maxAttempts: 1_000_000 })
    // requests still being answered when the app closes may have handed events to the applier
    app.addHook('onClose', async () => shopEvents.idle())
    app.decorate('shopEvents', shopEvents)

    await app.register(eventRoutes, { prefix: '/api/integrations/shop', secret: opts.webhookSecret })
  },
  { name: 'shop', dependencies: ['core', 'members', 'loyalty', 'coupons'] },
)
