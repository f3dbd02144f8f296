import Fastify, { type FastifyInstance } from 'fastify'
import { randomBytes } from 'node:crypto'
import app from '../server/src/app.js'

/**
 * `npm run reconcile` (MONGODB_URI must name the database): proves every member's balances equal the ledger sums
 * and lots, and every order's line states equal the ledger entries of their lines; finds shop events stuck in the
 * queue (failed at least once, or not applied within 10 minutes) and jobs or event deliveries that failed for good
 * or keep failing (3 attempts and more), the mall's redemptions, stock and gift orders, coupon templates' stock and per-member counters against their coupons, appointment slots against their appointments, lifecycle stages against the orders, and a migration's member records that could not be carried over. Prints each problem and exits 1 if there is one; orders whose facts came in
 * an impossible order are printed as notes. It boots the app without its worker (nothing is served and WeChat is not
 * called, so no secrets are needed).
 */
/** A job failing this many times in a row is reported, even before it fails for good. */
const FAILING_ATTEMPTS = 3

const uri = process.env.MONGODB_URI
if (!uri) {
  console.error('set MONGODB_URI to the database to check, e.g. MONGODB_URI=mongodb://127.0.0.1:27017/member_center')
  process.exit(2)
}
const unused = randomBytes(32).toString('hex')
const server = Fastify({ logger: { level: 'warn' } })
await server.register(app, {
  MONGODB_URI: uri,
  JWT_SECRET: unused,
  JWT_EXPIRES_IN_SECONDS: 60,
  MEMBER_CODE_SECRET: unused,
  WECHAT_APPID: 'unused',
  WECHAT_SECRET: 'unused',
  WECHAT_API_BASE: 'http://127.0.0.1:9',
  WECHAT_TIMEOUT_MS: 1000,
  LOGIN_RATE_LIMIT_PER_MINUTE: 1,
  WORKER_ENABLED: false,
})
try {
  await server.ready()
  const problems = await findProblems(server)
  for (const line of problems.lines) console.log(line)
  for (const note of problems.notes) console.log(note)
  console.log(
    problems.lines.length === 0
      ? `✔ ${problems.members} members reconcile with their ledgers, every order line with the ledger; no shop event or job is failing`
      : `✘ ${problems.lines.length} problems (${problems.members} members checked)`,
  )
  process.exitCode = problems.lines.length === 0 ? 0 : 1
} finally {
  await server.close()
}

/**
 * Everything that is wrong, one line each: balances against the ledgers, order lines against the ledger, shop
 * events stuck in the queue, jobs and event deliveries failing; and notes that are not failures (orders whose facts
 * came in an impossible order, recorded and handled).
 */
async function findProblems(app: FastifyInstance): Promise<{ members: number; lines: string[]; notes: string[] }> {
  const lines: string[] = []
  const { members, differences } = await app.reconcile()
  for (const d of differences) {
    if (d.orderId === undefined) lines.push(`member ${d.memberId}: ${d.field} is ${d.member} on the member, ${d.ledger} in the ledger`)
    else if (d.field === 'line member') lines.push(`order ${d.orderId} line ${d.lineId}: ledger entries on member ${d.memberId}, not the order's member`)
    else lines.push(`order ${d.orderId} line ${d.lineId} (member ${d.memberId || 'none'}): ${d.field} is ${d.member} on the order, ${d.ledger} in the ledger`)
  }
  for (const e of await app.shopEvents.stuck()) {
    const why = e.lastError ? `${e.attempts} failed attempts, last error: ${e.lastError}` : 'never applied'
    lines.push(`shop event ${e.eventId}: still queued since ${e.receivedAt.toISOString()} (${why})`)
  }
  // every job type, event deliveries (`event:{consumer}:{event key}`) included
  for (const job of await app.jobs.troubled(FAILING_ATTEMPTS)) {
    const attempts = job.attempts ?? 0
    const what = job.type.startsWith('event:') ? `event delivery ${job.key.slice('event:'.length)}` : `job ${job.key}`
    if (job.state === 'failed') lines.push(`${what}: failed for good after ${attempts} attempts: ${job.lastError ?? 'no error recorded'}`)
    else lines.push(`${what}: keeps failing (${attempts} attempts so far): ${job.lastError ?? 'no error recorded'}`)
  }
  // the mall: redemptions stuck mid-way, stock, claims, points and gift orders that disagree
  for (const p of (await app.mall.reconcile()).problems) lines.push(`mall ${p.kind}: ${p.message}`)
  // coupon counters against the coupons: a unit lost to a crash between two steps of an issue (under-sold) or worse
  for (const p of await app.coupons.usage.reconcile()) lines.push(p)
  // appointments: slot counters against the appointments holding their places, members' places against their upcoming ones
  for (const p of await app.appointments.reconcile()) lines.push(p)
  // photo reviews: campaign budgets against the rewarded reviews, rewards and reversals against the ledger
  for (const p of await app.reviews.reconcile()) lines.push(p)
  // lifecycle stages: every stored stage, purchase days and rolling year against the orders
  for (const p of await app.insights.reconcile()) lines.push(p)
  // a migration's member record that could not be carried over (another record had opened the member's balances)
  const migration = await app.migration.status()
  for (const p of migration.problems) lines.push(`migration: ${p.problem}`)
  const notes = (await app.orders.withAnomalies()).flatMap((o) =>
    o.anomalies.map(
      (a) => `note: order ${o.orderId}: ${a.kind}${a.eventId ? ` (event ${a.eventId})` : ''} — reported ${a.at.toISOString()}, counted at the payment, ${a.usedAt.toISOString()}`,
    ),
  )
  if (migration.waiting > 0) notes.push(`note: ${migration.waiting} migrated members' balances wait for their member to log in or bind a phone`)
  return { members, lines, notes }
}
