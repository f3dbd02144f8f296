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
import { SMS_SANDBOX_DEFAULTS } from './wechat-sandbox/sms.js'
import { DEMO_USERS } from './wechat-sandbox/users.js'

/**
 * `npm start`: the whole demo on one machine — the database (MONGODB_URI or one started here), the WeChat sandbox
 * (unless real WeChat credentials are configured), the API, the H5 mini-program at http://localhost:<PORT>/ with
 * seeded demo members, and the weapp build for WeChat DevTools. Ctrl-C stops it all.
 */
const SANDBOX_APPID = 'wx0000000000sandbox'
const SANDBOX_SECRET = 'sandbox-secret'
// the brand's Official Account in the sandbox: followers, template messages, follow pushes
const SANDBOX_OA_APPID = 'wx00000000oasandbox'
const SANDBOX_OA_SECRET = 'sandbox-oa-secret'

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
    const sandbox = createSandbox({
      apps: [
        { appid: SANDBOX_APPID, secret: SANDBOX_SECRET },
        { appid: SANDBOX_OA_APPID, secret: SANDBOX_OA_SECRET, kind: 'officialAccount' },
      ],
    })
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
    ...(realWechat ? {} : { WECHAT_OA_APPID: SANDBOX_OA_APPID, WECHAT_OA_SECRET: SANDBOX_OA_SECRET }),
    // marketing SMS: the sandbox plays the provider unless a real one is configured (README: "Configure a real SMS provider")
    ...(sandboxUrl && !process.env.SMS_SECRET_ID ? sandboxSms(sandboxUrl) : {}),
    H5_DIR,
  })
  const server = Fastify({ logger: { level: process.env.LOG_LEVEL ?? 'warn' }, frameworkErrors: answerFrameworkError })
  await server.register(app, { ...config, PUBLIC_BASE_URL: config.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}` })
  await server.ready()
  // demo members belong to the sandbox's demo users: with a real WeChat app there is nobody to seed for
  const seeded = sandboxUrl ? await seedDemo(server, config.WECHAT_APPID) : 0
  await server.listen({ port: config.PORT, host: config.HOST })
  stops.push(() => server.close())
  // the sandbox pushes consent taps and follows to this server, as WeChat does to the URL in its console
  if (sandboxUrl) await configureSandboxPush(sandboxUrl, `http://127.0.0.1:${port}`, config)
  // and delivers members' SMS replies (POST /sandbox/sms/reply {phone, text: "T"}) to the reply callback
  if (sandboxUrl && config.SMS_API_BASE === sandboxUrl) {
    const url = `http://127.0.0.1:${port}/api/sms/inbound?token=${config.SMS_INBOUND_TOKEN}`
    await fetch(`${sandboxUrl}/sandbox/sms/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) })
  }

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

/** Registers the demo server's push URLs with the sandbox (secure mode for the mini-program, plain XML for the OA). */
async function configureSandboxPush(sandboxUrl: string, base: string, config: { WECHAT_PUSH_TOKEN?: string; WECHAT_PUSH_AES_KEY?: string; WECHAT_OA_PUSH_TOKEN?: string }) {
  const configure = async (body: Record<string, unknown>) => {
    const response = await fetch(`${sandboxUrl}/sandbox/push/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, verify: true }) })
    if (!response.ok) throw new Error(`the sandbox refused the push URL: ${response.status} ${await response.text()}`)
  }
  await configure({ appid: SANDBOX_APPID, url: `${base}/api/wechat/push`, token: config.WECHAT_PUSH_TOKEN, encodingAESKey: config.WECHAT_PUSH_AES_KEY, mode: 'secure', format: 'json' })
  await configure({ appid: SANDBOX_OA_APPID, url: `${base}/api/wechat/oa-push`, token: config.WECHAT_OA_PUSH_TOKEN, mode: 'plain', format: 'xml' })
}

/** JWT and member-code secrets for the demo, generated once and kept in .data so logins survive a restart. */
function demoSecrets(): Record<'JWT_SECRET' | 'MEMBER_CODE_SECRET' | 'SHOP_WEBHOOK_SECRET' | 'WECHAT_PUSH_TOKEN' | 'WECHAT_PUSH_AES_KEY' | 'WECHAT_OA_PUSH_TOKEN', string> {
  const file = path.join(dataDir, 'secrets.json')
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {}
  const secrets = {
    JWT_SECRET: process.env.JWT_SECRET ?? stored.JWT_SECRET ?? randomBytes(32).toString('hex'),
    MEMBER_CODE_SECRET: process.env.MEMBER_CODE_SECRET ?? stored.MEMBER_CODE_SECRET ?? randomBytes(32).toString('hex'),
    SHOP_WEBHOOK_SECRET: process.env.SHOP_WEBHOOK_SECRET ?? stored.SHOP_WEBHOOK_SECRET ?? randomBytes(24).toString('hex'),
    // WeChat's push settings (a Token of letters and digits, a 43-character EncodingAESKey)
    WECHAT_PUSH_TOKEN: process.env.WECHAT_PUSH_TOKEN ?? stored.WECHAT_PUSH_TOKEN ?? randomBytes(12).toString('hex'),
    WECHAT_PUSH_AES_KEY: process.env.WECHAT_PUSH_AES_KEY ?? stored.WECHAT_PUSH_AES_KEY ?? randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(43, 'A').slice(0, 43),
    WECHAT_OA_PUSH_TOKEN: process.env.WECHAT_OA_PUSH_TOKEN ?? stored.WECHAT_OA_PUSH_TOKEN ?? randomBytes(12).toString('hex'),
  }
  writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 })
  return secrets
}

/** The SMS settings of the sandbox's provider (Tencent Cloud SMS as it plays it), with a fresh reply-callback token. */
function sandboxSms(sandboxUrl: string): Record<string, string> {
  return {
    SMS_API_BASE: sandboxUrl,
    SMS_SDK_APP_ID: SMS_SANDBOX_DEFAULTS.appId,
    SMS_SECRET_ID: SMS_SANDBOX_DEFAULTS.secretId,
    SMS_SECRET_KEY: SMS_SANDBOX_DEFAULTS.secretKey,
    SMS_SIGN_NAME: SMS_SANDBOX_DEFAULTS.signName,
    SMS_TEMPLATE_MARKETING: SMS_SANDBOX_DEFAULTS.templateId,
    SMS_INBOUND_TOKEN: process.env.SMS_INBOUND_TOKEN ?? randomBytes(24).toString('hex'),
  }
}

function withDatabaseName(uri: string, name: string): string {
  const url = new URL(uri)
  if (url.pathname.length > 1) return uri
  url.pathname = `/${name}`
  return url.toString()
}
