import { DEFAULT_TIERS } from '@member-center/shared'
import fp from 'fastify-plugin'
import { MemberRepository } from '../repositories/members.js'
import { TierRepository } from '../repositories/tiers.js'
import { WechatTokenRepository } from '../repositories/wechat-tokens.js'
import { LedgerRepository } from '../repositories/ledger.js'
import { AdjustmentService } from '../services/adjustments.js'
import { PhoneService } from '../services/phone.js'
import { JobRunner } from '../jobs/runner.js'
import { AuthService } from '../services/auth.js'
import { LedgerService } from '../services/ledger.js'
import { DAILY_JOB, LoyaltySweeps } from '../services/loyalty-jobs.js'
import { CONFIRM_JOB, OrderService } from '../services/orders.js'
import { PolicyStore } from '../services/policy-store.js'
import { APPLY_QUEUED_JOB, ShopEventService } from '../services/shop-events.js'
import { TierTable } from '../services/tier-table.js'
import { WechatClient } from '../wechat/client.js'
import { memberRefKeys } from '../repositories/members.js'

declare module 'fastify' {
  interface FastifyInstance {
    repos: { members: MemberRepository; tiers: TierRepository; wechatTokens: WechatTokenRepository; ledger: LedgerRepository }
    wechat: WechatClient
    tierTable: TierTable
    authService: AuthService
    policies: PolicyStore
    ledger: LedgerService
    jobs: JobRunner
    orders: OrderService
    shopEvents: ShopEventService
    sweeps: LoyaltySweeps
    adjustments: AdjustmentService
    phone: PhoneService
    /** the clock every service reads; tests pass their own */
    now: () => Date
  }
}

export interface ServicesOptions {
  wechat: {
    appid: string
    secret: string
    baseUrl: string
    timeoutMs: number
    officialAccount?: { appid: string; secret: string }
  }
  tokenTtlSeconds: number
  now?: () => Date
  /** run the job worker in this process (tests drain jobs themselves) */
  worker?: boolean
  /** job lease; a job whose worker died is taken over after this */
  jobLeaseMs?: number
}

/** Repositories, the WeChat client and the services, built once on the app's database connection. */
export default fp<ServicesOptions>(
  async (app, opts) => {
    const { models } = app.db
    const repos = {
      members: new MemberRepository(models),
      tiers: new TierRepository(models),
      wechatTokens: new WechatTokenRepository(models),
      ledger: new LedgerRepository(models),
    }
    const now = opts.now ?? (() => new Date())
    const wechat = new WechatClient({ ...opts.wechat, tokens: repos.wechatTokens })
    await repos.tiers.seedDefaults(DEFAULT_TIERS)
    app.decorate('repos', repos)
    app.decorate('wechat', wechat)
    app.decorate('now', now)
    const tierTable = new TierTable(repos.tiers)
    const policies = new PolicyStore(models)
    const ledger = new LedgerService(models, policies, tierTable)
    const jobs = new JobRunner(models, { now, leaseMs: opts.jobLeaseMs, log: app.log })
    const orders = new OrderService({ models, members: repos.members, ledger, policies, tiers: tierTable, jobs, now })
    const sweeps = new LoyaltySweeps(models, ledger, policies, jobs, now)
    jobs.register(CONFIRM_JOB, async (payload) => orders.confirm(payload.orderId as string))
    jobs.register(DAILY_JOB, async () => sweeps.daily())
    await sweeps.scheduleNext()
    const shopEvents = new ShopEventService(models, orders, now, app.log)
    // events accepted but left unapplied (their process died, or applying them failed): taken up every 30 s
    jobs.register(APPLY_QUEUED_JOB, async () => {
      await shopEvents.applyLeftBehind()
      return { rescheduleAt: new Date(now().getTime() + 30_000) }
    })
    // it must never give up for good: a failing run (the database away, say) is retried with backoff, capped at an hour
    await jobs.schedule(APPLY_QUEUED_JOB, APPLY_QUEUED_JOB, {}, now(), { maxAttempts: 1_000_000 })
    // requests still being answered when the app closes may have handed events to the applier
    app.addHook('onClose', async () => shopEvents.idle())

    app.decorate('tierTable', tierTable)
    app.decorate('policies', policies)
    app.decorate('ledger', ledger)
    app.decorate('jobs', jobs)
    app.decorate('orders', orders)
    app.decorate('shopEvents', shopEvents)
    app.decorate('sweeps', sweeps)
    app.decorate('adjustments', new AdjustmentService(models, ledger, now))
    app.decorate('phone', new PhoneService(models, wechat, orders, now))
    app.decorate(
      'authService',
      new AuthService({
        wechat,
        members: repos.members,
        signToken: (payload) => app.jwt.sign(payload),
        tokenTtlSeconds: opts.tokenTtlSeconds,
        now,
        // shop events that named this member before they ever logged in
        onMemberSeen: (member) => orders.adopt(member._id, memberRefKeys(member)).then(() => undefined),
      }),
    )
    if (opts.worker !== false) {
      app.addHook('onReady', async () => jobs.start())
      app.addHook('onClose', async () => jobs.stop())
    }
  },
  { name: 'services', dependencies: ['database', 'auth'] },
)
