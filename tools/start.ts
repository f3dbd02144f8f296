import Fastify from 'fastify'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import app from '../server/src/app.js'
import { loadConfig } from '../server/src/core/config.js'
import { answerFrameworkError } from '../server/src/core/error-handler.js'
import { buildClient, H5_DIR, ROOT, WEAPP_DIR, writeDevtoolsAppid } from './build-client.js'
import { startDatabase } from './database.js'
import { seedDemo } from './seed.js'
import { createSandbox } from './wechat-sandbox/sandbox.js'
import { DEMO_USERS } from './wechat-sandbox/users.js'

/**
 * `npm start`: the whole demo on one machine — the database (MONGODB_URI or one started here), the WeChat sandbox
 * (unless real WeChat credentials are configured), the API, the H5 mini-program at http://localhost:<PORT>/ with
 * seeded demo members, and the weapp build for WeChat DevTools. Ctrl-C stops it all.
 */
const SANDBOX_APPID = 'wx0000000000sandbox'
const SANDBOX_SECRET = 'sandbox-secret'

const dataDir = path.join(ROOT, '.data')
mkdirSync(dataDir, { recursive: true })
const port = Number(process.env.PORT ?? 3000)
const sandboxPort = Number(process.env.WECHAT_SANDBOX_PORT ?? 3001)
const realWechat = Boolean(process.env.WECHAT_APPID && process.env.WECHAT_SECRET)

const stops: (() => Promise<void>)[] = []
async function stopAll(code: number) {
  for (const stop of stops.reverse()) await stop().catch(() => {})
  process.exit(code)
}
process.once('SIGINT', () => void stopAll(0))
process.once('SIGTERM', () => void stopAll(0))

try {
  const database = await startDatabase({ dataDir: path.join(dataDir, 'db') })
  stops.push(() => database.stop())
  console.log(`✔ database   ${database.description}`)

  let wechatBase = process.env.WECHAT_API_BASE ?? 'https://api.weixin.qq.com'
  let sandboxUrl: string | null = null
  if (!realWechat) {
    const sandbox = createSandbox({ apps: [{ appid: SANDBOX_APPID, secret: SANDBOX_SECRET }] })
    await sandbox.listen({ port: sandboxPort, host: '0.0.0.0' })
    const url = `http://localhost:${sandboxPort}`
    stops.push(() => sandbox.close())
    sandboxUrl = url
    wechatBase = url
    console.log(`✔ sandbox    WeChat sandbox on ${url} (appid ${SANDBOX_APPID}; messages at ${sandboxUrl}/sandbox/messages)`)
  } else {
    console.log(`✔ wechat     real WeChat app ${process.env.WECHAT_APPID} at ${wechatBase}`)
  }

  console.log('… building the H5 and weapp mini-program (about a minute)')
  await buildClient('h5', sandboxUrl ? { TARO_APP_SANDBOX_URL: sandboxUrl } : {})
  await buildClient('weapp', { TARO_APP_API_BASE: process.env.PUBLIC_API_BASE ?? `http://localhost:${port}` })
  writeDevtoolsAppid(process.env.WECHAT_APPID)
  console.log(`✔ built      ${path.relative(ROOT, H5_DIR)} and ${path.relative(ROOT, WEAPP_DIR)}`)

  const config = loadConfig({
    ...process.env,
    ...demoSecrets(),
    PORT: String(port),
    HOST: process.env.HOST ?? '0.0.0.0',
    MONGODB_URI: withDatabaseName(database.uri, process.env.MONGODB_DATABASE ?? 'member_center'),
    WECHAT_APPID: process.env.WECHAT_APPID ?? SANDBOX_APPID,
    WECHAT_SECRET: process.env.WECHAT_SECRET ?? SANDBOX_SECRET,
    WECHAT_API_BASE: wechatBase,
    H5_DIR,
  })
  const server = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' }, frameworkErrors: answerFrameworkError })
  await server.register(app, config)
  await server.ready()
  // demo members belong to the sandbox's demo users: with a real WeChat app there is nobody to seed for
  const seeded = sandboxUrl ? await seedDemo(server, config.WECHAT_APPID) : 0
  await server.listen({ port: config.PORT, host: config.HOST })
  stops.push(() => server.close())

  const base = `http://localhost:${port}`
  console.log(`✔ api        ${base}/api  ·  docs ${base}/docs  ·  health ${base}/health`)
  if (seeded) console.log(`✔ seeded     ${seeded} demo members with 14 months of orders (through the shop webhook's event service)`)
  console.log(`\n  Open the mini-program (H5): ${base}/`)
  if (sandboxUrl) console.log(`  Log in as a demo user: ${DEMO_USERS.join(', ')} (or any name)`)
  console.log(`  WeChat DevTools: open ${ROOT} (project.config.json → client/dist/weapp)`)
  console.log(`  Shop webhook: POST ${base}/api/integrations/shop/events, signed with SHOP_WEBHOOK_SECRET=${config.SHOP_WEBHOOK_SECRET}`)
  console.log(`  Admin token: JWT_SECRET=${config.JWT_SECRET} npm run admin-token -- you@brand`)
  console.log('\n  Ctrl-C stops everything.')
} catch (error) {
  console.error('✘ could not start the demo:', (error as Error).message)
  await stopAll(1)
}

/** JWT and member-code secrets for the demo, generated once and kept in .data so logins survive a restart. */
function demoSecrets(): { JWT_SECRET: string; MEMBER_CODE_SECRET: string; SHOP_WEBHOOK_SECRET: string } {
  const file = path.join(dataDir, 'secrets.json')
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {}
  const secrets = {
    JWT_SECRET: process.env.JWT_SECRET ?? stored.JWT_SECRET ?? randomBytes(32).toString('hex'),
    MEMBER_CODE_SECRET: process.env.MEMBER_CODE_SECRET ?? stored.MEMBER_CODE_SECRET ?? randomBytes(32).toString('hex'),
    SHOP_WEBHOOK_SECRET: process.env.SHOP_WEBHOOK_SECRET ?? stored.SHOP_WEBHOOK_SECRET ?? randomBytes(24).toString('hex'),
  }
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 })
  return secrets
}

function withDatabaseName(uri: string, name: string): string {
  const url = new URL(uri)
  if (url.pathname.length > 1) return uri
  url.pathname = `/${name}`
  return url.toString()
}
