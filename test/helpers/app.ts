import Fastify, { type FastifyInstance } from 'fastify'
import app, { type AppOptions } from '../../server/src/app.js'
import { freshDatabaseUri } from './database.js'
import { startSandbox, TEST_APPID, TEST_OA_APPID, TEST_OA_SECRET, TEST_SECRET, type TestSandbox } from './sandbox.js'

export const TEST_JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789'
export const TEST_MEMBER_CODE_SECRET = 'test-member-code-secret-0123456789abcdef'

export interface TestContext {
  app: FastifyInstance
  sandbox: TestSandbox
  databaseName: string
  /** logs a sandbox user in through POST /api/auth/wechat and answers the token and member id */
  login(user: string): Promise<{ token: string; memberId: string }>
  close(): Promise<void>
}

/** The real app on a fresh database, talking HTTP to a fresh WeChat sandbox. */
export async function startTestApp(overrides: Partial<AppOptions> = {}): Promise<TestContext> {
  const sandbox = await startSandbox()
  const database = freshDatabaseUri()
  const fastify = Fastify({ logger: false })
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
    ...overrides,
  })
  await fastify.ready()
  return {
    app: fastify,
    sandbox,
    databaseName: database.name,
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
