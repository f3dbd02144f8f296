import { DEFAULT_TIERS } from '@member-center/shared'
import fp from 'fastify-plugin'
import { MemberRepository } from '../repositories/members.js'
import { TierRepository } from '../repositories/tiers.js'
import { WechatTokenRepository } from '../repositories/wechat-tokens.js'
import { AuthService } from '../services/auth.js'
import { TierTable } from '../services/tier-table.js'
import { WechatClient } from '../wechat/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    repos: { members: MemberRepository; tiers: TierRepository; wechatTokens: WechatTokenRepository }
    wechat: WechatClient
    tierTable: TierTable
    authService: AuthService
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
}

/** Repositories, the WeChat client and the services, built once on the app's database connection. */
export default fp<ServicesOptions>(
  async (app, opts) => {
    const { models } = app.db
    const repos = {
      members: new MemberRepository(models),
      tiers: new TierRepository(models),
      wechatTokens: new WechatTokenRepository(models),
    }
    const now = opts.now ?? (() => new Date())
    const wechat = new WechatClient({ ...opts.wechat, tokens: repos.wechatTokens })
    await repos.tiers.seedDefaults(DEFAULT_TIERS)
    app.decorate('repos', repos)
    app.decorate('wechat', wechat)
    app.decorate('now', now)
    app.decorate('tierTable', new TierTable(repos.tiers))
    app.decorate(
      'authService',
      new AuthService({
        wechat,
        members: repos.members,
        signToken: (payload) => app.jwt.sign(payload),
        tokenTtlSeconds: opts.tokenTtlSeconds,
        now,
      }),
    )
  },
  { name: 'services', dependencies: ['database', 'auth'] },
)
