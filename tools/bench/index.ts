import autocannon from 'autocannon'
import Fastify from 'fastify'
import { Types } from 'mongoose'
import app from '../../server/src/app.js'
import { startDatabase } from '../database.js'
import { createSandbox } from '../wechat-sandbox/sandbox.js'
import { benchInsights } from './insights.js'
import { benchMall } from './mall.js'
import { benchMessaging } from './messaging.js'

/**
 * `npm run bench`: the member card route against a baseline measured in the same run, on the same app instance and
 * database. The baseline route is registered here, not in server/src: one findOne by id, nothing else.
 * Prints requests/s and p50/p99 latency for both and the ratio (target: card ≥ 0.8× baseline). Then ingestion, the
 * points mall (mall.ts) and messaging (messaging.ts), each against its own baseline measured in the same run. Then order.paid
 * ingestion against insertOne, and points-mall redemptions against a conditional updateOne (mall.ts).
 * Then insights at scale (insights.ts): stages, a segment count and the KPI report at 100,000 members and 1,000,000 orders
 * against one aggregation pass over the orders.
 * `BENCH_ONLY=mall npm run bench` runs only the parts named (card, ingestion, mall, messaging, insights; comma-separated).
 */
const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20)
const APPID = 'wxbench000000000001'
const SECRET = 'bench-secret'
/** `BENCH_ONLY=mall` (or a comma-separated list of card, ingestion, mall, messaging, insights): only those parts run */
const PARTS = ['card', 'ingestion', 'mall', 'messaging', 'insights'] as const
const only = process.env.BENCH_ONLY?.split(',').map((p) => p.trim()).filter(Boolean)
const unknownParts = only?.filter((p) => !(PARTS as readonly string[]).includes(p)) ?? []
if (unknownParts.length > 0) throw new Error(`BENCH_ONLY: unknown part(s) ${unknownParts.join(', ')}; the parts are ${PARTS.join(', ')}`)
const runs = (part: (typeof PARTS)[number]) => !only || only.length === 0 || only.includes(part)

const database = await startDatabase()
const sandbox = createSandbox({ apps: [{ appid: APPID, secret: SECRET }] })
const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' })
const server = Fastify({ logger: process.env.BENCH_LOG ? { level: process.env.BENCH_LOG } : false })
await server.register(app, {
  MONGODB_URI: `${database.uri}/bench_${Date.now()}`,
  JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
  JWT_EXPIRES_IN_SECONDS: 3600,
  MEMBER_CODE_SECRET: 'bench-member-code-secret-0123456789abcdef',
  WECHAT_APPID: APPID,
  WECHAT_SECRET: SECRET,
  WECHAT_API_BASE: sandboxUrl,
  WECHAT_TIMEOUT_MS: 5000,
  LOGIN_RATE_LIMIT_PER_MINUTE: 1000,
  // the confirmation jobs the events schedule are not due during the run; keep the worker's polling out of the figures
  WORKER_ENABLED: false,
})
await server.register(async (bench) => {
  bench.get<{ Params: { id: string } }>('/bench/baseline/:id', async (request) => {
    return bench.db.connection.model('Member').findOne({ _id: new Types.ObjectId(request.params.id) }).lean()
  })
})
const url = await server.listen({ port: 0, host: '127.0.0.1' })

try {
  // a real member, logged in through the sandbox like any other
  const { code } = (await (await fetch(`${sandboxUrl}/sandbox/code?user=bench`)).json()) as { code: string }
  const login = (await (await fetch(`${url}/api/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) })).json()) as {
    token: string
    member: { id: string }
  }
  await server.db.connection.model('Member').updateOne({ _id: login.member.id }, { $set: { growth: 12_345, 'points.available': 678 } })

  console.log(`database: ${database.description}; ${CONNECTIONS} connections, ${DURATION} s per route${only?.length ? `; only ${only.join(', ')}` : ''}\n`)
  if (runs('card')) {
    const run = async (title: string, path: string, headers: Record<string, string> = {}) => {
      await autocannon({ url: url + path, connections: CONNECTIONS, duration: 2, headers }) // warm-up
      const result = await autocannon({ url: url + path, connections: CONNECTIONS, duration: DURATION, headers })
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${title}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
      return { title, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 }
    }
    const baseline = await run('baseline: findOne by id', `/bench/baseline/${login.member.id}`)
    const card = await run('GET /api/me/card', '/api/me/card', { authorization: `Bearer ${login.token}` })
    console.table([baseline, card].map((r) => ({ route: r.title, 'requests/s': Math.round(r.rps), 'p50 ms': r.p50, 'p99 ms': r.p99 })))
    const ratio = card.rps / baseline.rps
    console.log(`card / baseline throughput: ${ratio.toFixed(2)}× (target ≥ 0.80×) ${ratio >= 0.8 ? 'OK' : 'BELOW TARGET'}\n`)
  }

  if (runs('ingestion')) await benchIngestion(login.member.id)
  // points-mall redemptions against a conditional updateOne (tools/bench/mall.ts)
  if (runs('mall')) await benchMall(server, sandboxUrl)
  // messaging: dispatch at a send rate, and planning a segment's messages against insertMany (tools/bench/messaging.ts)
  if (runs('messaging')) await benchMessaging(database.uri)
  // insights at scale: the daily stage job, a segment count and the KPI report against one aggregation pass (tools/bench/insights.ts)
  if (runs('insights')) await benchInsights(database.uri)
} finally {
  await server.close()
  await sandbox.close()
  await database.stop()
}

/**
 * Ingestion of order.paid events (the service the webhook calls, in process) against plain insertOne of a document
 * of the same size on the same database, with the same concurrency. Ingesting an event = accepting it durably (what
 * the shop waits for); applying it (points, ledger, order, job) follows in the background while the run goes on, so
 * the figure includes that competition. Also prints the end-to-end rate (until every event is applied) and how many
 * writes an event costs on each side.
 */
async function benchIngestion(firstMemberId: string) {
  const EVENTS = Number(process.env.BENCH_EVENTS ?? 3000)
  const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16)
  // events spread over 50 members, as real traffic is
  const memberIds = [firstMemberId]
  for (let i = 1; i < 50; i++) {
    const { code } = (await (await fetch(`${sandboxUrl}/sandbox/code?user=bench-${i}`)).json()) as { code: string }
    memberIds.push((await server.members.login.loginWithWechat(code)).member.id)
  }
  const run = Date.now()
  const event = (i: number) => ({
    eventId: `bench-${run}-${i}`,
    type: 'order.paid' as const,
    occurredAt: new Date().toISOString(),
    data: {
      orderId: `BENCH-${run}-${i}`,
      member: { memberId: memberIds[i % memberIds.length]! },
      paidAt: new Date().toISOString(),
      lines: [{ lineId: '1', sku: 'SKU-1', name: 'ring', quantity: 1, paidFen: 12_345 + i }],
    },
  })
  const pool = async (count: number, work: (i: number) => Promise<unknown>) => {
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < count) await work(next++)
      }),
    )
    return count / ((performance.now() - started) / 1000)
  }
  const raw = server.db.connection.collection('bench_baseline_events')
  const baselineRate = await pool(EVENTS, (i) => raw.insertOne({ ...event(i), receivedAt: new Date() }))

  // write commands, and the documents they write (a bulk write or insertMany carries several); accepting inserts
  // into the queue collection, everything else is applying
  const writes = { accept: { commands: 0, documents: 0 }, apply: { commands: 0, documents: 0 } }
  const WRITE_METHODS = new Set(['insertOne', 'insertMany', 'updateOne', 'updateMany', 'findOneAndUpdate', 'deleteOne', 'deleteMany', 'bulkWrite', 'replaceOne'])
  server.db.connection.set('debug', (collection: string, method: string, first: unknown) => {
    if (!WRITE_METHODS.has(method)) return
    const side = collection === 'shop_event_queue' && method === 'insertMany' ? writes.accept : writes.apply
    side.commands++
    side.documents += (method === 'bulkWrite' || method === 'insertMany') && Array.isArray(first) ? first.length : 1
  })
  const started = performance.now()
  const acceptRate = await pool(EVENTS, (i) => server.shopEvents.accept(event(i) as never))
  await server.shopEvents.idle()
  const appliedRate = EVENTS / ((performance.now() - started) / 1000)
  server.db.connection.set('debug', false)

  // every event applied, exactly once
  const model = (name: string) => server.db.connection.model(name)
  const models = { ShopEvent: model('ShopEvent'), PointsEntry: model('PointsEntry'), ShopEventQueue: model('ShopEventQueue') }
  const applied = await models.ShopEvent.countDocuments({ eventId: { $regex: `^bench-${run}-` }, state: 'applied' })
  const entries = await models.PointsEntry.countDocuments({ orderId: { $regex: `^BENCH-${run}-` } })
  if (applied !== EVENTS || entries !== EVENTS || (await models.ShopEventQueue.countDocuments()) !== 0) {
    throw new Error(`ingestion: ${applied} events applied and ${entries} ledger entries for ${EVENTS} events`)
  }

  console.table([
    { what: 'baseline: insertOne', 'events/s': Math.round(baselineRate) },
    { what: 'order.paid ingestion (accepted)', 'events/s': Math.round(acceptRate) },
    { what: 'order.paid end to end (applied)', 'events/s': Math.round(appliedRate) },
  ])
  const ratio = acceptRate / baselineRate
  console.log(`ingestion / baseline: ${ratio.toFixed(2)}× (target ≥ 0.40×) ${ratio >= 0.4 ? 'OK' : 'BELOW TARGET'}`)
  console.log(`end to end / baseline: ${(appliedRate / baselineRate).toFixed(2)}× (every event applied: points, ledger entry, order, confirmation job)`)
  const per = (n: number) => (n / EVENTS).toFixed(2)
  console.log(
    `writes per order.paid event: accepting ${per(writes.accept.commands)} write commands carrying ${per(writes.accept.documents)} documents ` +
      `(the queue insert, shared by the events accepted together); applying ${per(writes.apply.commands)} write commands carrying ` +
      `${per(writes.apply.documents)} documents (${EVENTS} events, ${CONCURRENCY} at a time)`,
  )
}
