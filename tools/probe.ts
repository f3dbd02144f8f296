import Fastify from 'fastify'
import app from '../server/src/app.js'
import { startDatabase } from './database.js'
import { createSandbox } from './wechat-sandbox/sandbox.js'
const database = await startDatabase()
const sandbox = createSandbox({ apps: [{ appid: 'wxprobe', secret: 's' }] })
const sandboxUrl = await sandbox.listen({ port: 0, host: '127.0.0.1' })
const server = Fastify({ logger: false })
await server.register(app, { MONGODB_URI: `${database.uri}/probe`, JWT_SECRET: 'x'.repeat(40), JWT_EXPIRES_IN_SECONDS: 3600, MEMBER_CODE_SECRET: 'y'.repeat(40), WECHAT_APPID: 'wxprobe', WECHAT_SECRET: 's', WECHAT_API_BASE: sandboxUrl, WECHAT_TIMEOUT_MS: 5000, LOGIN_RATE_LIMIT_PER_MINUTE: 1000, WORKER_ENABLED: false })
await server.ready()
const { code } = (await (await fetch(`${sandboxUrl}/sandbox/code?user=p`)).json()) as { code: string }
const memberId = (await server.authService.loginWithWechat(code)).member.id
const ids = [memberId]
for (let i = 1; i < 50; i++) { const { code } = (await (await fetch(`${sandboxUrl}/sandbox/code?user=p${i}`)).json()) as { code: string }; ids.push((await server.authService.loginWithWechat(code)).member.id) }
const stats = new Map<string, { n: number; ms: number }>()
const orig = server.db.connection.db!.command.bind(server.db.connection.db!)
const client = server.db.connection.getClient()
const started = new Map<number, number>()
client.on('commandStarted', (e) => started.set(e.requestId, performance.now()))
client.on('commandSucceeded', (e) => { const s = stats.get(e.commandName) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - started.get(e.requestId)!; stats.set(e.commandName, s) })
let next = 0
const t0 = performance.now()
await Promise.all(Array.from({ length: 16 }, async () => { while (next < 200) { const i = next++; await server.shopEvents.ingest({ eventId: `e${i}`, type: 'order.paid', occurredAt: new Date().toISOString(), data: { orderId: `O${i}`, member: { memberId: ids[i % 50] }, lines: [{ lineId: '1', sku: 's', name: 'n', quantity: 1, paidFen: 1000 }] } } as never) } }))
console.log('events/s', (200 / ((performance.now() - t0) / 1000)).toFixed(1))
for (const [k, v] of stats) console.log(k, v.n, (v.ms / v.n).toFixed(1), 'ms avg')
await server.close(); await sandbox.close(); await database.stop()
