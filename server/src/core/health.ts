import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthSchema, type Health } from '@member-center/shared'

/** GET /health — 200 when the database and WeChat answer, 503 (same body) when one does not. */
const health: FastifyPluginAsyncTypebox<{ wechatBaseUrl: string }> = async (app, opts) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['ops'],
        summary: 'Whether the database and WeChat are reachable',
        response: { 200: HealthSchema, 503: HealthSchema },
      },
    },
    async (_request, reply) => {
      const [database, wechat] = await Promise.all([
        timed(async () => {
          await app.db.connection.db!.command({ ping: 1 })
        }),
        timed(async () => {
          // any HTTP answer means WeChat's API host is reachable; no token or quota is spent
          await fetch(new URL('/cgi-bin/token', opts.wechatBaseUrl), { signal: AbortSignal.timeout(3000) })
        }),
      ])
      const body: Health = { status: database.ok && wechat.ok ? 'ok' : 'degraded', checks: { database, wechat } }
      return reply.code(body.status === 'ok' ? 200 : 503).send(body)
    },
  )
}

async function timed(check: () => Promise<void>) {
  const started = performance.now()
  try {
    await check()
    return { ok: true, latencyMs: Math.round(performance.now() - started) }
  } catch (error) {
    return { ok: false, latencyMs: Math.round(performance.now() - started), detail: (error as Error).message }
  }
}
export default health
