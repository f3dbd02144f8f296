import Fastify, { type FastifyInstance } from 'fastify'
import type { Model } from 'mongoose'
import { afterAll, beforeAll, expect } from 'vitest'
import app, { type AppOptions } from '../../server/src/app.js'
import { answerFrameworkError } from '../../server/src/core/error-handler.js'
import { shopSignature } from '../../server/src/modules/shop/signature.js'
import { freshDatabaseUri } from './database.js'
import { startSandbox, TEST_APPID, TEST_OA_APPID, TEST_OA_SECRET, TEST_SECRET, type TestSandbox } from './sandbox.js'

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789'
export const TEST_MEMBER_CODE_SECRET = 'test-member-code-secret-0123456789abcdef'
export const TEST_SHOP_SECRET = 'test-shop-webhook-secret-0123456789'

/** A clock tests move by hand; the app, its jobs and the ledger all read it. */
export class TestClock {
  constructor(private current = new Date('2026-03-10T02:00:00.000Z')) {}
  now = (): Date => new Date(this.current)
  set(at: Date | string): void {
    this.current = new Date(at)
  }
  advanceDays(days: number): Date {
    this.current = new Date(this.current.getTime() + days * 86_400_000)
    return this.now()
  }
}

/** The collections' models by name, for tests that look at or plant data directly (modules never do). */
const MODEL_NAMES = [
  'Member', 'PhoneBinding', 'Tier', 'PointsEntry', 'GrowthEntry', 'TierChange', 'Order', 'ShopEvent', 'ShopEventQueue',
  'DomainEvent', 'Job', 'Audit', 'Setting', 'WechatToken',
] as const
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestModels = Record<(typeof MODEL_NAMES)[number], Model<any>>

export function modelsOf(app: FastifyInstance): TestModels {
  return Object.fromEntries(MODEL_NAMES.map((name) => [name, app.db.connection.model(name)])) as TestModels
}

export interface TestContext {
  app: FastifyInstance
  models: TestModels
  sandbox: TestSandbox
  databaseName: string
  /** the URI of this test's database */
  databaseUri: string
  clock: TestClock
  /** POSTs signed shop events (one, or a batch) */
  sendEvent(event: unknown): Promise<import('light-my-request').Response>
  sendBatch(events: unknown[]): Promise<import('light-my-request').Response>
  /** POSTs one signed shop event, expects 202 `accepted` and answers the body (once it is applied) */
  sendAccepted(event: unknown): Promise<{ eventId: string; status: string }>
  /** a member's balances as stored: points available, pending, debt; growth; tier level */
  balances(memberId: string): Promise<{ available: number; pending: number; debt: number; growth: number; tierLevel: number }>
  /** fails the test unless every balance and order line reconciles with the ledger */
  expectReconciled(): Promise<void>
  /** an admin token, as issued by `npm run admin-token` */
  adminToken(name?: string): string
  /** logs a sandbox user in through POST /api/auth/wechat and answers the token and member id */
  login(user: string): Promise<{ token: string; memberId: string }>
  close(): Promise<void>
}

/** The real app on a fresh database, talking HTTP to a fresh WeChat sandbox. */
export async function startTestApp(overrides: Partial<AppOptions> = {}, clock = new TestClock()): Promise<TestContext> {
  const sandbox = await startSandbox()
  const database = freshDatabaseUri()
  const fastify = Fastify({ logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false, frameworkErrors: answerFrameworkError })
  await fastify.register(app, {
    MONGODB_URI: database.uri,
    JWT_SECRET: TEST_JWT_SECRET,
    JWT_EXPIRES_IN_SECONDS: 3600,
    MEMBER_CODE_SECRET: TEST_MEMBER_CODE_SECRET,
    WECHAT_APPID: TEST_APPID,
    WECHAT_SECRET: TEST_SECRET,
    WECHAT_OA_APPID: TEST_OA_APPID,
    WECHAT_OA_SECRET: TEST_OA_SECRET,
    WECHAT_API_BASE: sandbox.url,
    WECHAT_TIMEOUT_MS: 2000,
    LOGIN_RATE_LIMIT_PER_MINUTE: 1000,
    SHOP_WEBHOOK_SECRET: TEST_SHOP_SECRET,
    WORKER_ENABLED: false,
    now: clock.now,
    ...overrides,
  })
  await fastify.ready()
  return {
    app: fastify,
    models: modelsOf(fastify),
    sandbox,
    databaseName: database.name,
    databaseUri: database.uri,
    clock,
    // accepted events are applied just after the answer: wait for that, as the shop would see it moments later
    sendEvent: async (event) => applied(fastify, await postSigned(fastify, '/api/integrations/shop/events', event)),
    sendBatch: async (events) => applied(fastify, await postSigned(fastify, '/api/integrations/shop/events/batch', { events })),
    async sendAccepted(event) {
      const response = await applied(fastify, await postSigned(fastify, '/api/integrations/shop/events', event))
      expect(response.statusCode, response.body).toBe(202)
      return response.json()
    },
    async balances(memberId) {
      const m = (await fastify.db.connection.model('Member').findById(memberId).lean()) as unknown as { points: { available: number; pending: number; debt: number }; growth: number; tierLevel: number }
      return { available: m.points.available, pending: m.points.pending, debt: m.points.debt, growth: m.growth, tierLevel: m.tierLevel }
    },
    async expectReconciled() {
      const { differences } = await fastify.reconcile()
      expect(differences, JSON.stringify(differences)).toEqual([])
    },
    adminToken: (name = 'ops@brand.test') => fastify.jwt.sign({ sub: name, role: 'admin' }),
    async login(user) {
      const response = await fastify.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code: await sandbox.code(user) } })
      if (response.statusCode !== 200) throw new Error(`login as ${user} failed: ${response.statusCode} ${response.body}`)
      const body = response.json()
      return { token: body.token, memberId: body.member.id }
    },
    async close() {
      await fastify.close()
      await sandbox.close()
      await database.drop()
    },
  }
}

/** A shop webhook call signed as the shop signs it. */
async function applied<T>(app: FastifyInstance, response: T): Promise<T> {
  await app.shopEvents.idle()
  return response
}

export function postSigned(app: FastifyInstance, url: string, body: unknown, options: { secret?: string; timestamp?: number } = {}) {
  const payload = JSON.stringify(body)
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000))
  return app.inject({
    method: 'POST',
    url,
    payload,
    headers: {
      'content-type': 'application/json',
      'x-shop-timestamp': timestamp,
      'x-shop-signature': shopSignature(options.secret ?? TEST_SHOP_SECRET, timestamp, payload),
    },
  })
}

/** A GET signed like the shop signs it: over the timestamp and an empty body. */
export function getSigned(app: FastifyInstance, url: string) {
  const timestamp = String(Math.floor(Date.now() / 1000))
  return app.inject({ method: 'GET', url, headers: { 'x-shop-timestamp': timestamp, 'x-shop-signature': shopSignature(TEST_SHOP_SECRET, timestamp, '') } })
}

/**
 * Starts the test app before the file's tests and closes it after: `const t = useTestApp()`. The returned object
 * forwards to the context once it exists.
 */
export function useTestApp(overrides: Partial<AppOptions> = {}, clock?: TestClock): TestContext {
  let context: TestContext | undefined
  beforeAll(async () => {
    context = await startTestApp(overrides, clock)
  })
  afterAll(async () => {
    await context?.close()
  })
  return new Proxy({} as TestContext, {
    get(_target, key) {
      if (!context) throw new Error('the test app starts in beforeAll; use it inside a test')
      return context[key as keyof TestContext]
    },
  })
}
