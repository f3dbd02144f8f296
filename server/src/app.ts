import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'
import fp from 'fastify-plugin'
import { existsSync } from 'node:fs'
import type { Config } from './core/config.js'
import core from './core/index.js'
import appointments from './modules/appointments/index.js'
import birthday from './modules/birthday/index.js'
import coupons from './modules/coupons/index.js'
import loyalty from './modules/loyalty/index.js'
import mall from './modules/mall/index.js'
import memberDay from './modules/member-day/index.js'
import messaging from './modules/messaging/index.js'
import members from './modules/members/index.js'
import shop from './modules/shop/index.js'
import staff from './modules/staff/index.js'
import staffCounter from './modules/staff/counter/index.js'
import reviews from './modules/reviews/index.js'
import insights from './modules/insights/index.js'

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
  Partial<
    Pick<
      Config,
      | 'WECHAT_OA_APPID'
      | 'WECHAT_OA_SECRET'
      | 'WECHAT_PUSH_TOKEN'
      | 'WECHAT_PUSH_AES_KEY'
      | 'WECHAT_OA_PUSH_TOKEN'
      | 'WECHAT_OA_PUSH_AES_KEY'
      | 'H5_DIR'
      | 'PUBLIC_BASE_URL'
      | 'SHOP_WEBHOOK_SECRET'
      | 'WORKER_ENABLED'
      | 'SMS_API_BASE'
      | 'SMS_SDK_APP_ID'
      | 'SMS_SECRET_ID'
      | 'SMS_SECRET_KEY'
      | 'SMS_REGION'
      | 'SMS_SIGN_NAME'
      | 'SMS_TEMPLATE_MARKETING'
      | 'SMS_INBOUND_TOKEN'
      | 'SMS_TIMEOUT_MS'
    >
  > & {
    /** the clock; tests pass their own */
    now?: () => Date
    /** job lease in ms (tests shorten it) */
    jobLeaseMs?: number
    /** how often an idle job worker looks for due jobs, in ms (default 1000) */
    jobPollMs?: number
  }

/**
 * The whole application as one plugin — the product's table of contents. server.ts registers it and listens; tests,
 * tools and the benchmark register the same plugin. Core first, then each domain module after the ones it uses.
 */
const app: FastifyPluginAsync<AppOptions> = async (fastify, opts) => {
  // what every module uses: errors, OpenAPI, database, auth, clock, settings, audit, jobs, domain events, WeChat, /health
  await fastify.register(core, {
    mongodbUri: opts.MONGODB_URI,
    jwt: { secret: opts.JWT_SECRET, expiresInSeconds: opts.JWT_EXPIRES_IN_SECONDS },
    wechat: {
      appid: opts.WECHAT_APPID,
      secret: opts.WECHAT_SECRET,
      baseUrl: opts.WECHAT_API_BASE,
      timeoutMs: opts.WECHAT_TIMEOUT_MS,
      officialAccount:
        opts.WECHAT_OA_APPID && opts.WECHAT_OA_SECRET ? { appid: opts.WECHAT_OA_APPID, secret: opts.WECHAT_OA_SECRET } : undefined,
    },
    now: opts.now,
    worker: opts.WORKER_ENABLED ?? true,
    jobLeaseMs: opts.jobLeaseMs,
    jobPollMs: opts.jobPollMs,
  })
  // members: WeChat login, profile, phone binding, the member code
  await fastify.register(members, {
    tokenTtlSeconds: opts.JWT_EXPIRES_IN_SECONDS,
    memberCodeSecret: opts.MEMBER_CODE_SECRET,
    loginRateLimitPerMinute: opts.LOGIN_RATE_LIMIT_PER_MINUTE,
  })
  // loyalty: points and growth ledgers, orders, tiers, expiry, adjustments, policy, reconcile
  await fastify.register(loyalty)
  // coupons: templates, one issuing service for every program, the wallet, use online and in store
  await fastify.register(coupons)
  // shop: the signed webhook, its queue and the applier
  await fastify.register(shop, { webhookSecret: opts.SHOP_WEBHOOK_SECRET })
  // mall: redeem points for coupons and gifts
  await fastify.register(mall)
  // messaging: the outbox, the inbox, consent, and pushes through subscribe messages, the Official Account and SMS
  await fastify.register(messaging, {
    appid: opts.WECHAT_APPID,
    push: { token: opts.WECHAT_PUSH_TOKEN, aesKey: opts.WECHAT_PUSH_AES_KEY },
    officialAccountPush: opts.WECHAT_OA_APPID ? { appid: opts.WECHAT_OA_APPID, token: opts.WECHAT_OA_PUSH_TOKEN, aesKey: opts.WECHAT_OA_PUSH_AES_KEY } : undefined,
    sms: {
      SMS_API_BASE: opts.SMS_API_BASE,
      SMS_SDK_APP_ID: opts.SMS_SDK_APP_ID,
      SMS_SECRET_ID: opts.SMS_SECRET_ID,
      SMS_SECRET_KEY: opts.SMS_SECRET_KEY,
      SMS_REGION: opts.SMS_REGION,
      SMS_SIGN_NAME: opts.SMS_SIGN_NAME,
      SMS_TEMPLATE_MARKETING: opts.SMS_TEMPLATE_MARKETING,
      SMS_INBOUND_TOKEN: opts.SMS_INBOUND_TOKEN,
      SMS_TIMEOUT_MS: opts.SMS_TIMEOUT_MS,
    },
  })
  // birthday: the date-only birthday, the yearly gift a few days before, the birthday-month multiplier
  await fastify.register(birthday)
  // member day: monthly member days with tier coupons, a points multiplier, a reminder, themes and a results report
  await fastify.register(memberDay)
  // appointments: the stores and their slots, members booking visits, staff managing them
  await fastify.register(appointments)
  // staff: identity, roles and stores, invitations, the audit log; then the counter: look-up, notes, purchases, tasks
  await fastify.register(staff)
  await fastify.register(staffCounter)
  // reviews: photo-review campaigns, invitations after delivery, photos without metadata, content checks, moderation
  await fastify.register(reviews, { publicBaseUrl: opts.PUBLIC_BASE_URL })
  // insights: lifecycle stages from purchase days, recomputed on order events and by a daily job; counts and report
  await fastify.register(insights)
  // the H5 build of the mini-program, when this process serves it (the demo does)
  if (opts.H5_DIR && existsSync(opts.H5_DIR)) {
    await fastify.register(fastifyStatic, { root: opts.H5_DIR, prefix: '/', wildcard: false })
  }
}

export default fp(app, { name: 'member-center' })
