import rateLimit from '@fastify/rate-limit'
import fp from 'fastify-plugin'
import audit from './audit.js'
import auth from './auth.js'
import clock from './clock.js'
import database from './database.js'
import errorHandler from './error-handler.js'
import events from './events/index.js'
import health from './health.js'
import jobs from './jobs/index.js'
import settings from './settings.js'
import swagger from './swagger.js'
import wechat, { type WechatOptions } from './wechat/index.js'

export interface CoreOptions {
  mongodbUri: string
  jwt: { secret: string; expiresInSeconds: number }
  wechat: WechatOptions
  now?: () => Date
  /** run the job worker in this process */
  worker: boolean
  jobLeaseMs?: number
  /** how often an idle worker looks for due jobs (default 1 s) */
  jobPollMs?: number
}

/**
 * What every domain module uses: errors and the OpenAPI document, the database connection, authentication, rate
 * limits, the clock, settings, the audit log, the job queue, domain events and their consumers, the WeChat client,
 * and /health.
 */
export default fp<CoreOptions>(
  async (app, opts) => {
    await app.register(errorHandler)
    await app.register(swagger)
    await app.register(database, { uri: opts.mongodbUri })
    await app.register(auth, opts.jwt)
    await app.register(rateLimit, { global: false })
    await app.register(clock, { now: opts.now })
    await app.register(settings)
    await app.register(audit)
    await app.register(jobs, { worker: opts.worker, leaseMs: opts.jobLeaseMs, pollMs: opts.jobPollMs })
    await app.register(events)
    await app.register(wechat, opts.wechat)
    const configurationChecks = new Map()
    app.decorate('configurationChecks', configurationChecks)
    await app.register(health, { wechatBaseUrl: opts.wechat.baseUrl, checks: configurationChecks })
  },
  { name: 'core' },
)
