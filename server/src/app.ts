import rateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { existsSync } from 'node:fs'
import type { Config } from './config.js'
import auth from './plugins/auth.js'
import database from './plugins/database.js'
import errors from './plugins/errors.js'
import services from './plugins/services.js'
import swagger from './plugins/swagger.js'
import wechatLogin from './routes/auth/wechat.js'
import health from './routes/health/index.js'
import card from './routes/me/card.js'
import profile from './routes/me/profile.js'
import pointsHistory from './routes/me/points.js'
import phone from './routes/me/phone.js'
import tiers from './routes/tiers/index.js'
import shopEvents from './routes/integrations/shop-events.js'
import adjustments from './routes/admin/adjustments.js'
import loyaltyPolicy from './routes/admin/loyalty-policy.js'

export type AppOptions = Pick<
  Config,
  | 'MONGODB_URI'
  | 'JWT_SECRET'
  | 'JWT_EXPIRES_IN_SECONDS'
  | 'MEMBER_CODE_SECRET'
  | 'WECHAT_APPID'
  | 'WECHAT_SECRET'
  | 'WECHAT_API_BASE'
  | 'WECHAT_TIMEOUT_MS'
  | 'LOGIN_RATE_LIMIT_PER_MINUTE'
> &
  Partial<Pick<Config, 'WECHAT_OA_APPID' | 'WECHAT_OA_SECRET' | 'H5_DIR' | 'SHOP_WEBHOOK_SECRET' | 'WORKER_ENABLED'>> & {
    /** the clock; tests pass their own */
    now?: () => Date
    /** job lease in ms (tests shorten it) */
    jobLeaseMs?: number
  }

/**
 * The whole application as one plugin. server.ts registers it and listens; tests and the benchmark register the
 * same plugin. Order: external plugins → app (repositories, services, WeChat) → routes.
 */
const app: FastifyPluginAsync<AppOptions> = async (fastify, opts) => {
  // external
  await fastify.register(errors)
  await fastify.register(swagger)
  await fastify.register(database, { uri: opts.MONGODB_URI })
  await fastify.register(auth, { secret: opts.JWT_SECRET, expiresInSeconds: opts.JWT_EXPIRES_IN_SECONDS })
  await fastify.register(rateLimit, { global: false })
  // app
  await fastify.register(services, {
    wechat: {
      appid: opts.WECHAT_APPID,
      secret: opts.WECHAT_SECRET,
      baseUrl: opts.WECHAT_API_BASE,
      timeoutMs: opts.WECHAT_TIMEOUT_MS,
      officialAccount:
        opts.WECHAT_OA_APPID && opts.WECHAT_OA_SECRET ? { appid: opts.WECHAT_OA_APPID, secret: opts.WECHAT_OA_SECRET } : undefined,
    },
    tokenTtlSeconds: opts.JWT_EXPIRES_IN_SECONDS,
    now: opts.now,
    worker: opts.WORKER_ENABLED ?? true,
    jobLeaseMs: opts.jobLeaseMs,
  })
  // routes
  await fastify.register(health, { wechatBaseUrl: opts.WECHAT_API_BASE })
  await fastify.register(wechatLogin, { prefix: '/api/auth', rateLimitPerMinute: opts.LOGIN_RATE_LIMIT_PER_MINUTE })
  await fastify.register(profile, { prefix: '/api/me' })
  await fastify.register(card, { prefix: '/api/me', memberCodeSecret: opts.MEMBER_CODE_SECRET })
  await fastify.register(pointsHistory, { prefix: '/api/me' })
  await fastify.register(phone, { prefix: '/api/me' })
  await fastify.register(tiers, { prefix: '/api/tiers' })
  await fastify.register(shopEvents, { prefix: '/api/integrations/shop', secret: opts.SHOP_WEBHOOK_SECRET })
  await fastify.register(adjustments, { prefix: '/api/admin' })
  await fastify.register(loyaltyPolicy, { prefix: '/api/admin' })
  // the H5 build of the mini-program, when this process serves it (the demo does)
  if (opts.H5_DIR && existsSync(opts.H5_DIR)) {
    await fastify.register(fastifyStatic, { root: opts.H5_DIR, prefix: '/', wildcard: false })
  }
}

export default fp(app, { name: 'member-center' })
