import Fastify from 'fastify'
import { randomBytes } from 'node:crypto'
import app from '../server/src/app.js'

/**
 * `npm run reconcile` (MONGODB_URI must name the database): proves every member's balances equal the ledger sums
 * and lots; prints each difference and exits 1 if there is one. It boots the app without its worker (nothing is
 * served and WeChat is not called, so no secrets are needed) and runs the loyalty module's reconcile.
 */
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
  const { members, differences } = await server.reconcile()
  for (const d of differences) console.log(`member ${d.memberId}: ${d.field} is ${d.member} on the member, ${d.ledger} in the ledger`)
  console.log(differences.length === 0 ? `✔ ${members} members reconcile with their ledgers` : `✘ ${differences.length} differences in ${members} members`)
  process.exitCode = differences.length === 0 ? 0 : 1
} finally {
  await server.close()
}
