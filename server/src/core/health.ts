import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthSchema, type Health } from '@member-center/shared'
import type { FastifyRequest } from 'fastify'

/** Each check gets this long; /health answers within it (load balancers wait about 2 s). */
const CHECK_TIMEOUT_MS = 1500

/** A module's configuration problems for /health (a message kind without a template, …). */
export type ConfigurationCheck = () => Promise<string[]>

declare module 'fastify' {
  interface FastifyInstance {
    /** modules add what /health reports as configuration problems (to an admin token) */
    configurationChecks: Map<string, ConfigurationCheck>
  }
}

/**
 * GET /health — 200 when the database and WeChat answer, 503 (same body) when one does not. What went wrong
 * (`detail`: addresses, driver messages) is shown to an admin token only.
 */
const health: FastifyPluginAsyncTypebox<{ wechatBaseUrl: string; checks: Map<string, ConfigurationCheck> }> = async (app, opts) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['ops'],
        summary: 'Whether the database and WeChat are reachable',
        description: `Each check waits at most ${CHECK_TIMEOUT_MS} ms. \`detail\` says what failed, to an admin token only.`,
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (request, reply) => {
      const [database, wechat] = await Promise.all([
        timed(async () => {
          await app.db.connection.db!.command({ ping: 1 })
        }),
        timed(async () => {
          // any HTTP answer means WeChat's API host is reachable; no token or quota is spent
          await fetch(new URL('/cgi-bin/token', opts.wechatBaseUrl), { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) })
        }),
      ])
      const admin = await isAdmin(request)
      if (!admin) {
        delete database.detail
        delete wechat.detail
      }
      const body: Health = { status: database.ok && wechat.ok ? 'ok' : 'degraded', checks: { database, wechat } }
      if (admin && database.ok) {
        const found = await Promise.all([...opts.checks].map(async ([area, check]) => (await check().catch((e: Error) => [`could not be checked: ${e.message}`])).map((problem) => ({ area, problem }))))
        body.configuration = found.flat()
      }
      return reply.code(body.status === 'ok' ? 200 : 503).send(body)
    },
  )

  /** An anonymous caller (a load balancer) gets the status; only an admin token the details. */
  async function isAdmin(request: FastifyRequest): Promise<boolean> {
    if (!request.headers.authorization?.startsWith('Bearer ')) return false
    try {
      await request.jwtVerify()
      return request.user?.role === 'admin'
    } catch {
      return false
    }
  }
}

async function timed(check: () => Promise<void>): Promise<{ ok: boolean; latencyMs: number; detail?: string }> {
  const started = performance.now()
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)
      }),
    ])
    return { ok: true, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), detail: (error as Error).message }
  } finally {
    clearTimeout(timer)
  }
}
export default health
