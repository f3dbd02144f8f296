import { createSandbox } from './sandbox.js'

// Runs the WeChat sandbox alone: npm run sandbox
const port = Number(process.env.WECHAT_SANDBOX_PORT ?? 3001)
const appid = process.env.WECHAT_APPID ?? 'wx0000000000sandbox'
const secret = process.env.WECHAT_SECRET ?? 'sandbox-secret'
const sandbox = createSandbox({ apps: [{ appid, secret }] })
await sandbox.listen({ port, host: '127.0.0.1' })
console.log(`WeChat sandbox on http://127.0.0.1:${port} (appid ${appid})`)
