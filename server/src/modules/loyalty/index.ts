import { DEFAULT_TIERS } from '@member-center/shared'
import fp from 'fastify-plugin'
import { ActivityService } from './activity.js'
import { AdjustmentService } from './adjustments.js'
import { LedgerRepository } from './history.js'
import { LedgerService } from './ledger.js'
import { MemberOrders } from './member-orders.js'
import { MigrationService } from './migration.js'
import { loyaltyModels } from './models/index.js'
import { CONFIRM_JOB, OrderService } from './orders.js'
import { PolicyStore } from './policy-store.js'
import { PURCHASE_EVENT_TYPES, PurchaseStatsService } from './purchase-stats.js'
import { reconcile, type Difference } from './reconcile.js'
import { SalesReader } from './sales.js'
import adjustmentRoutes from './routes/adjustments.js'
import cardRoutes from './routes/card.js'
import policyRoutes from './routes/loyalty-policy.js'
import historyRoutes from './routes/points-history.js'
import tierRoutes from './routes/tiers.js'
import tierAdminRoutes from './routes/tiers-admin.js'
import { DAILY_JOB, LoyaltySweeps } from './sweeps.js'
import { TierRepository } from './tier-repository.js'
import { TIER_HOLD_END_JOB, TIER_RECOMPUTE_JOB, TierRules } from './tier-rules.js'
import { TierTable } from './tier-table.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** the loyalty policy (earning, windows, expiry, tier policy), cached per process */
    policies: PolicyStore
    /** the tier table, cached per process */
    tierTable: TierTable
    /** changes to the tier table and tier policy, and what they do to members (upgrades, reviews, holds) */
    tierRules: TierRules
    /** the one writer of points, growth and tiers: exactly once, without transactions */
    ledger: LedgerService
    /** orders: facts from shop events, settlement into the ledger, confirmation */
    orders: OrderService
    /** the daily sweep: expiry, reminders, tier reviews, recovery */
    sweeps: LoyaltySweeps
    adjustments: AdjustmentService
    /** activity points (reviews, birthday, campaigns, goodwill) through the ledger, idempotent by key per member */
    activity: ActivityService
    /** reads of the points ledger */
    pointsHistory: LedgerRepository
    /** a migration from another CRM: balances carried over as they were, orders as history (npm run import) */
    migration: MigrationService
    /** proves every member's balances equal their ledgers (npm run reconcile) */
    reconcile: () => Promise<{ members: number; differences: Difference[] }>
    /** reads of paid orders for reports (the member day's results): paid total, net, rates and boosts, points */
    sales: SalesReader
    /** reads of orders for the staff counter: a member's recent orders, a sale's points, a store's buyers, shipments */
    memberOrders: MemberOrders
  }
}

/**
 * loyalty: the points and growth ledgers, orders and their settlement, tiers, expiry, adjustments, the policy and
 * reconciliation. Routes: /api/me/card, /api/me/points/history, /api/tiers, /api/admin/… (adjustments, policy,
 * tiers). Jobs: order.confirm-points, loyalty.daily, loyalty.tier-recompute, loyalty.tier-hold-end.
 */
export default fp(
  async (app) => {
    const models = await app.db.register(loyaltyModels(app.db.connection))
    const tierRepository = new TierRepository(models)
    await tierRepository.seedDefaults(DEFAULT_TIERS)
    const tierTable = new TierTable(tierRepository)
    const policies = new PolicyStore(app.settings)
    const ledger = new LedgerService(models, app.members.balances, app.events, policies, tierTable)
    const orders = new OrderService({ models, members: app.members.repo, ledger, policies, tiers: tierTable, jobs: app.jobs, now: app.now })
    const sweeps = new LoyaltySweeps(app.members.balances, app.events, ledger, policies, app.jobs, app.now, tierTable)
    const tierRules = new TierRules({ repo: tierRepository, table: tierTable, policies, members: app.members.balances, ledger, jobs: app.jobs, audit: app.audit, now: app.now })

    app.jobs.register(CONFIRM_JOB, async (payload) => orders.confirm(payload.orderId as string))
    app.jobs.register(DAILY_JOB, async () => sweeps.daily())
    app.jobs.register(TIER_RECOMPUTE_JOB, async (payload) => tierRules.recompute(payload as { id: string; cause: string; actor?: string }))
    app.jobs.register(TIER_HOLD_END_JOB, async (payload) => tierRules.endHold(payload as { until: string }))
    await sweeps.scheduleNext()
    // purchase statistics and home store, recomputed from the member's orders as they are paid, refunded, cancelled
    const purchaseStats = new PurchaseStatsService(models, app.members.repo)
    const migration = new MigrationService({ models, members: app.members.repo, ledger, orders, policies, tiers: tierTable, purchaseStats, now: app.now })
    // orders that named a member before they were known are settled as soon as the member appears, then balances
    // carried over by a migration are opened (their growth window comes from those orders)
    app.members.onSeen(async (member, refKeys) => {
      await orders.adopt(member._id, refKeys)
      await migration.adopt(member._id, refKeys)
    })
    app.events.consume('loyalty.purchase-stats', PURCHASE_EVENT_TYPES, (event) => purchaseStats.onOrderEvent(event))
    orders.onAdopted((orderIds) => purchaseStats.recomputeOrders(orderIds))

    app.decorate('policies', policies)
    app.decorate('tierTable', tierTable)
    app.decorate('tierRules', tierRules)
    app.decorate('ledger', ledger)
    app.decorate('orders', orders)
    app.decorate('sweeps', sweeps)
    app.decorate('adjustments', new AdjustmentService(app.members.repo, app.audit, ledger, app.now))
    app.decorate('activity', new ActivityService(app.members.repo, ledger, app.now))
    app.decorate('pointsHistory', new LedgerRepository(models))
    app.decorate('migration', migration)
    app.decorate('reconcile', () => reconcile(models, app.members.balances, ledger))
    app.decorate('sales', new SalesReader(models))
    app.decorate('memberOrders', new MemberOrders(models))

    await app.register(cardRoutes, { prefix: '/api/me' })
    await app.register(historyRoutes, { prefix: '/api/me' })
    await app.register(tierRoutes, { prefix: '/api/tiers' })
    await app.register(adjustmentRoutes, { prefix: '/api/admin' })
    await app.register(policyRoutes, { prefix: '/api/admin' })
    await app.register(tierAdminRoutes, { prefix: '/api/admin' })
  },
  { name: 'loyalty', dependencies: ['core', 'members'] },
)
