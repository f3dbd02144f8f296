import Fastify, { type FastifyInstance } from 'fastify'
import { Types } from 'mongoose'
import app from '../../server/src/app.js'
import { createSandbox } from '../wechat-sandbox/sandbox.js'

/**
 * Messaging benchmarks (issue 10), each against a figure measured in the same run on the same database:
 *  1. dispatch: MESSAGES queued shipping messages pushed through the sandbox by DISPATCHERS server instances (each
 *     with its job worker, sharing the database like separate processes) with a send rate of RATE/s — prints the
 *     achieved rate / RATE (target ≥ 0.9, never above 1.0);
 *  2. planning: enqueueing PLANNED messages for a segment (outbox entries and their send jobs) against a baseline
 *     insertMany of as many documents of the same size — prints baseline time / planning time (target ≥ 0.3×).
 */
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 10_000)
const RATE = Number(process.env.BENCH_RATE ?? 30)
const DISPATCHERS = Number(process.env.BENCH_DISPATCHERS ?? 4)
const PLANNED = Number(process.env.BENCH_PLANNED ?? 100_000)
const APPID = 'wxbenchmsg000000001'
const SECRET = 'bench-msg-secret'

export async function benchMessaging(databaseUri: string): Promise<void> {
  // the sandbox records every send; consent is set on the server's side (a balance), the sandbox does not ask again
  const sandbox = createSandbox({ apps: [{ appid: APPID, secret: SECRET }], enforceConsent: false })
  const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' })
  const uri = `${databaseUri}/bench_messaging_${Date.now()}`
  const boot = async (worker: boolean) => {
    const server = Fastify({ logger: false })
    await server.register(app, {
      MONGODB_URI: uri,
      JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
      JWT_EXPIRES_IN_SECONDS: 3600,
      MEMBER_CODE_SECRET: 'bench-member-code-secret-0123456789abcdef',
      WECHAT_APPID: APPID,
      WECHAT_SECRET: SECRET,
      WECHAT_API_BASE: sandboxUrl,
      WECHAT_TIMEOUT_MS: 5000,
      LOGIN_RATE_LIMIT_PER_MINUTE: 1000,
      WORKER_ENABLED: worker,
      jobPollMs: 5,
    })
    await server.ready()
    return server
  }
  const main = await boot(false)
  const servers: FastifyInstance[] = [main]
  try {
    await main.messaging.mappings.set('shipped', 'subscribe', { templateId: 'bench-shipped' }, { actor: 'bench', role: 'admin' })
    await main.settings.put('messaging-policy', { ...(await main.messaging.dispatcher.policy()), ratePerSecond: { subscribe: RATE, official_account: RATE } }, 'bench')
    const { code } = (await (await fetch(`${sandboxUrl}/sandbox/code?user=bench-msg`)).json()) as { code: string }
    const login = await main.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code } })
    const memberId = new Types.ObjectId(login.json().member.id as string)
    await main.db.connection.model('MessageSubscription').create({ _id: JSON.stringify([memberId.toString(), 'bench-shipped']), memberId, templateId: 'bench-shipped', balance: MESSAGES * 2 })

    // 1. dispatch at the rate
    for (let i = 0; i < MESSAGES; i += 2000) {
      await main.messaging.enqueue(
        Array.from({ length: Math.min(2000, MESSAGES - i) }, (_, j) => ({
          dedupeKey: `shipped:BENCH-${i + j}`,
          kind: 'shipped' as const,
          memberId,
          data: { orderId: `BENCH-${i + j}`, carrier: '顺丰速运', trackingNo: `SF${i + j}`, item: '18K 金钻石戒指' },
        })),
      )
    }
    const started = Date.now()
    for (let i = 0; i < DISPATCHERS; i++) servers.push(await boot(true))
    const Message = main.db.connection.model('Message')
    let sent = 0
    while (sent < MESSAGES) {
      await new Promise((r) => setTimeout(r, 500))
      sent = await Message.countDocuments({ status: 'sent' })
      if (Date.now() - started > (MESSAGES / RATE) * 5_000 + 60_000) throw new Error(`dispatch stalled at ${sent}/${MESSAGES}`)
    }
    const seconds = (Date.now() - started) / 1000
    const begun = (await Message.find({}, { rateWindow: 1 }).lean()) as unknown as { rateWindow: string }[]
    const perSecond = new Map<number, number>()
    for (const m of begun) {
      const second = Number(m.rateWindow.split(':').pop())
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1)
    }
    const busiest = Math.max(...perSecond.values())
    // the first and last seconds are partial: the achieved rate is over the full seconds between them
    const full = [...perSecond.keys()].sort((a, b) => a - b).slice(1, -1)
    const achieved = full.reduce((sum, s) => sum + perSecond.get(s)!, 0) / Math.max(1, full.length)
    const ratio = achieved / RATE
    console.log(`messaging dispatch: ${MESSAGES} messages by ${DISPATCHERS} dispatchers in ${seconds.toFixed(1)} s; send rate ${RATE}/s`)
    console.log(`  achieved ${achieved.toFixed(0)}/s over full seconds, busiest second ${busiest}: achieved / rate ${ratio.toFixed(2)} (target ≥ 0.90, never above 1.00) ${ratio >= 0.9 && busiest <= RATE ? 'OK' : 'BELOW TARGET'}`)
    for (const server of servers.splice(1)) await server.close()

    // 2. planning 100,000 messages for a segment against a baseline insertMany of as many documents
    const members = Array.from({ length: 1000 }, () => new Types.ObjectId())
    const drafts = Array.from({ length: PLANNED }, (_, i) => ({
      dedupeKey: `campaign:bench-autumn:${members[i % members.length]!.toString()}:${i}`,
      kind: 'member_day' as const,
      memberId: members[i % members.length]!,
      data: { date: '2026-12-18', offer: '会员日全场 9 折，积分翻倍' },
      notBefore: new Date(Date.now() + 86_400_000),
    }))
    const baselineCollection = main.db.connection.collection(`bench_baseline_${Date.now()}`)
    const sample = await Message.findOne({}).lean()
    const CHUNK = 5000
    let t0 = performance.now()
    for (let i = 0; i < PLANNED; i += CHUNK) {
      await baselineCollection.insertMany(Array.from({ length: Math.min(CHUNK, PLANNED - i) }, (_, j) => ({ ...sample, _id: new Types.ObjectId(), dedupeKey: `baseline:${i + j}` })))
    }
    const baselineSeconds = (performance.now() - t0) / 1000
    t0 = performance.now()
    for (let i = 0; i < PLANNED; i += CHUNK) await main.messaging.enqueue(drafts.slice(i, i + CHUNK))
    const planSeconds = (performance.now() - t0) / 1000
    const planRatio = baselineSeconds / planSeconds
    console.log(`messaging planning: ${PLANNED} messages in ${planSeconds.toFixed(1)} s; baseline insertMany of ${PLANNED} in ${baselineSeconds.toFixed(1)} s`)
    console.log(`  planning / baseline speed ${planRatio.toFixed(2)}× (target ≥ 0.30×) ${planRatio >= 0.3 ? 'OK' : 'BELOW TARGET'}\n`)
  } finally {
    for (const server of servers) await server.close()
    await sandbox.close()
  }
}
