import fp from 'fastify-plugin'
import { GIFT_SHIPPING_EVENTS, GiftOrders } from './gift-orders.js'
import { MallItems } from './items.js'
import { mallModels } from './models.js'
import { reconcileMall, type MallReconcileResult } from './reconcile.js'
import { REPAIR_JOB, RedemptionService, type RedemptionOptions } from './redemptions.js'
import itemsAdminRoutes from './routes/items-admin.js'
import itemRoutes from './routes/items.js'
import meRedemptionRoutes from './routes/me-redemptions.js'
import redemptionRoutes from './routes/redemptions.js'

export interface MallOptions extends RedemptionOptions {
  /** redemptions one member may ask for per minute (default 30) */
  redeemRateLimitPerMinute?: number
}

export interface MallService {
  items: MallItems
  redemptions: RedemptionService
  giftOrders: GiftOrders
  /** what does not add up: stuck redemptions, units, slots, points, gift orders (see reconcile.ts) */
  reconcile(options?: { stuckAfterMs?: number }): Promise<MallReconcileResult>
}

declare module 'fastify' {
  interface FastifyInstance {
    mall: MallService
  }
}

/**
 * mall: the points mall — items (coupons, gifts; admin), the member's view of them, redemptions (a saga through the
 * ledger, the item's stock and the coupons service, repaired by a job if a process dies midway), gift orders moved by
 * the shop's shipping events, cancellation of a gift before it ships, reconcile. Routes: /api/admin/mall/…,
 * /api/mall/items, /api/mall/redemptions, /api/me/redemptions. Jobs: mall.redemption-repair. Consumers:
 * mall.gift-shipping. Events: mall.redeemed, mall.gift-shipped, mall.cancelled.
 */
export default fp<MallOptions>(
  async (app, opts) => {
    const models = await app.db.register(mallModels(app.db.connection))
    const items = new MallItems(models, { coupons: app.coupons, tiers: app.tierTable, members: app.members.repo, audit: app.audit, now: app.now })
    const redemptions = new RedemptionService(
      {
        models,
        ledger: app.ledger,
        coupons: app.coupons,
        members: app.members.repo,
        tiers: app.tierTable,
        events: app.events,
        jobs: app.jobs,
        audit: app.audit,
        now: app.now,
        log: app.log,
      },
      opts,
    )
    const giftOrders = new GiftOrders(models, app.events)

    app.jobs.register(REPAIR_JOB, async (payload) => redemptions.repairAll((payload.redemptionIds as string[] | undefined) ?? []))
    // the gift's shipping events arrive through the shop-event flow, under the gift order's id as orderId
    app.events.consume('mall.gift-shipping', GIFT_SHIPPING_EVENTS, (event) => giftOrders.onShopEvent(event))
    // requests still being answered when the app closes may have handed redemptions to the batcher
    app.addHook('onClose', async () => redemptions.idle())

    app.decorate('mall', {
      items,
      redemptions,
      giftOrders,
      // (after this process's answered redemptions are recorded: their bookkeeping may still be being written)
      reconcile: async (options?: { stuckAfterMs?: number }) => {
        await redemptions.settled()
        return reconcileMall(models, app.ledger, app.now(), options)
      },
    })

    await app.register(itemsAdminRoutes, { prefix: '/api/admin' })
    await app.register(itemRoutes, { prefix: '/api/mall' })
    await app.register(redemptionRoutes, { prefix: '/api/mall', rateLimitPerMinute: opts.redeemRateLimitPerMinute ?? 30 })
    await app.register(meRedemptionRoutes, { prefix: '/api/me' })
  },
  { name: 'mall', dependencies: ['core', 'members', 'loyalty', 'coupons', 'shop'] },
)
