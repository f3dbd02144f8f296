import type { SegmentFilter } from '@member-center/shared'
import Fastify from 'fastify'
import { Types } from 'mongoose'
import app from '../../server/src/app.js'

/**
 * Insights at scale (issue 14): BENCH_INSIGHTS_MEMBERS members (default 100,000) and BENCH_INSIGHTS_ORDERS orders
 * (default 1,000,000) over two years, seeded through the driver (the fast path: orders as history, as an import writes
 * them, with no ledger effects), stages rebuilt in bulk from one pass over the orders, then checked by reconcile.
 * Against a baseline measured in the same run — one full aggregation pass over the orders (every order counted) — it
 * prints the time of the daily stage job (the members due the next day), of a segment count, and of the KPI report
 * (target: within 3× the baseline).
 */
export async function benchInsights(databaseUri: string): Promise<void> {
  const MEMBERS = Number(process.env.BENCH_INSIGHTS_MEMBERS ?? 100_000)
  const ORDERS = Number(process.env.BENCH_INSIGHTS_ORDERS ?? 1_000_000)
  const DAY = 86_400_000
  let offsetMs = 0
  const now = () => new Date(Date.now() + offsetMs)
  const server = Fastify({ logger: false })
  await server.register(app, {
    MONGODB_URI: `${databaseUri}/bench_insights_${Date.now()}`,
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
    JWT_EXPIRES_IN_SECONDS: 3600,
    MEMBER_CODE_SECRET: 'bench-member-code-secret-0123456789abcdef',
    WECHAT_APPID: 'wxbenchinsights0001',
    WECHAT_SECRET: 'unused',
    WECHAT_API_BASE: 'http://127.0.0.1:9',
    WECHAT_TIMEOUT_MS: 1000,
    LOGIN_RATE_LIMIT_PER_MINUTE: 1,
    WORKER_ENABLED: false,
    now,
  })
  await server.ready()
  const seconds = async <T>(work: () => Promise<T>): Promise<{ value: T; s: number }> => {
    const started = performance.now()
    const value = await work()
    return { value, s: (performance.now() - started) / 1000 }
  }
  try {
    console.log(`insights at scale: ${MEMBERS.toLocaleString('en')} members, ${ORDERS.toLocaleString('en')} orders`)
    const db = server.db.connection.db!
    // a deterministic pseudo-random sequence, so two runs seed the same shapes
    let seed = 42
    // mulberry32: 32-bit integer arithmetic (Math.imul), so no precision is lost
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0
      let r = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r
      return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296
    }
    const stores = Array.from({ length: 20 }, (_, i) => `S${String(i + 1).padStart(2, '0')}`)
    const start = now().getTime()

    const seeded = await seconds(async () => {
      const memberIds: Types.ObjectId[] = []
      for (let i = 0; i < MEMBERS; i += 5_000) {
        const docs = Array.from({ length: Math.min(5_000, MEMBERS - i) }, (_, k) => {
          const n = i + k
          const _id = new Types.ObjectId()
          memberIds.push(_id)
          const month = 1 + Math.floor(random() * 12)
          return {
            _id,
            openid: `bench-insights-${n}`,
            nickname: `会员${n}`,
            phone: random() < 0.6 ? `138${String(n).padStart(8, '0')}` : null,
            birthday: random() < 0.7 ? `${String(month).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}` : null,
            growth: 0,
            growthByMonth: [],
            points: { available: 0, pending: 0, debt: 0, expired: 0 },
            lots: [],
            tierLevel: 1 + Math.floor(random() ** 2 * 4),
            rev: 0,
            pendingOps: [],
            homeStore: random() < 0.8 ? stores[Math.floor(random() * stores.length)]! : null,
            lastLoginAt: new Date(start - Math.floor(random() * 120) * DAY),
            createdAt: new Date(start - Math.floor(random() * 900) * DAY),
            updatedAt: new Date(start),
          }
        })
        await db.collection('members').insertMany(docs, { ordered: false })
      }
      // 90% of the members buy; each order on a day in the last two years, 2% refunded in full, 1% cancelled
      const buyers = Math.max(1, Math.floor(MEMBERS * 0.9))
      for (let i = 0; i < ORDERS; i += 5_000) {
        const docs = Array.from({ length: Math.min(5_000, ORDERS - i) }, (_, k) => {
          const n = i + k
          const memberId = memberIds[Math.floor(random() * buyers)]!
          const at = new Date(start - Math.floor(random() * 730 * DAY))
          const paidFen = 1_000 + Math.floor(random() * 200_000)
          const roll = random()
          const orderId = `BENCH-${n}`
          const store = stores[Math.floor(random() * stores.length)]!
          return {
            _id: orderId,
            orderId,
            memberId,
            memberRef: `memberId:${memberId.toString()}`,
            paid: { at, channel: random() < 0.5 ? 'store' : 'mall', store, advisor: null, lines: [{ lineId: '1', sku: `SKU-${Math.floor(random() * 500)}`, name: '商品', quantity: 1, paidFen, category: ['ring', 'necklace', 'earring', 'bracelet'][Math.floor(random() * 4)] }], eventId: `bench-${n}` },
            refunds: roll < 0.02 ? [{ refundId: `R-${n}`, lines: [{ lineId: '1', refundFen: paidFen }], at: new Date(at.getTime() + DAY) }] : [],
            cancelledAt: roll >= 0.02 && roll < 0.03 ? new Date(at.getTime() + 3_600_000) : null,
            lines: [],
            createdAt: at,
            updatedAt: at,
          }
        })
        await db.collection('orders').insertMany(docs as never[], { ordered: false })
      }
    })
    console.log(`seeded through the driver in ${seeded.s.toFixed(1)} s`)

    const rebuilt = await seconds(() => server.insights.lifecycle.rebuildAll())
    console.log(`stages rebuilt from one pass over the orders: ${rebuilt.value.members.toLocaleString('en')} members in ${rebuilt.s.toFixed(1)} s`)
    const reconciled = await seconds(async () => [...(await server.reconcile()).differences, ...(await server.insights.reconcile())])
    console.log(`reconcile: ${reconciled.value.length === 0 ? 'OK' : `${reconciled.value.length} PROBLEMS, e.g. ${JSON.stringify(reconciled.value[0])}`} (${reconciled.s.toFixed(1)} s)`)

    // the baseline: one full aggregation pass over the orders
    // Every order through the aggregation engine once, counted. Not grouped by member: FerretDB 1.24's $group looks
    // each document's group up in a list, so its time grows with documents × groups (100,000 orders by 9,000 members:
    // 29 s; 1,000,000 by 90,000: over half an hour) — a baseline no report would be measured against. (It also drops
    // the connection on a pipeline that does not start with $match: an empty one leads.)
    const baseline = await seconds(() => server.db.connection.model('Order').aggregate<{ orders: number }>([{ $match: {} }, { $group: { _id: null, orders: { $sum: 1 } } }]))
    console.log(`baseline: one aggregation pass over the orders ($match, $group counting ${baseline.value[0]?.orders.toLocaleString('en')} orders): ${baseline.s.toFixed(2)} s`)

    // the daily job on the next day: the members whose stage or rolling year changes overnight
    offsetMs = DAY
    const daily = await seconds(() => server.insights.lifecycle.recomputeDue())
    console.log(`daily stage job (tomorrow): ${daily.value.members.toLocaleString('en')} members due, ${daily.value.changed.toLocaleString('en')} changed stage, in ${daily.s.toFixed(2)} s (${(daily.s / baseline.s).toFixed(2)}× the baseline)`)

    const filter: SegmentFilter = { stages: ['at_risk', 'lapsed'], rfm: { m: { min: 2 } }, homeStores: stores.slice(0, 5), hasPhone: true }
    const segment = await seconds(() => server.insights.segments.count(filter))
    console.log(`segment count (at risk or lapsed, M ≥ 2, 5 stores, with a phone): ${segment.value.count.toLocaleString('en')} members in ${segment.s.toFixed(2)} s (${(segment.s / baseline.s).toFixed(2)}× the baseline)`)
    const bought = await seconds(() => server.insights.segments.count({ bought: { categories: ['ring'], withinDays: 90 }, stages: ['repeat'] }))
    console.log(`segment count (repeat customers who bought a ring in 90 days: a read of the orders): ${bought.value.count.toLocaleString('en')} in ${bought.s.toFixed(2)} s (${(bought.s / baseline.s).toFixed(2)}× the baseline)`)

    const kpis = await seconds(() => server.insights.kpis.report({}))
    const ratio = kpis.s / baseline.s
    console.log(
      `KPI report (rolling year, 12 months of series, cohorts): ${kpis.value.customers.value.toLocaleString('en')} customers in ${kpis.s.toFixed(2)} s — ${ratio.toFixed(2)}× the baseline (target ≤ 3×) ${ratio <= 3 ? 'OK' : 'ABOVE TARGET'}\n`,
    )
  } finally {
    await server.db.connection.db?.dropDatabase().catch(() => undefined)
    await server.close()
  }
}
