import { createSandbox, type SandboxApp } from './sandbox.js'

// Runs the WeChat sandbox alone: npm run sandbox
const port = Number(process.env.WECHAT_SANDBOX_PORT ?? 3001)
const appid = process.env.WECHAT_APPID ?? 'wx0000000000sandbox'
const secret = process.env.WECHAT_SECRET ?? 'sandbox-secret'
const apps: SandboxApp[] = [{ appid, secret }]
// the brand's Official Account, when one is configured (template messages, followers, user info)
if (process.env.WECHAT_OA_APPID && process.env.WECHAT_OA_SECRET) {
  apps.push({ appid: process.env.WECHAT_OA_APPID, secret: process.env.WECHAT_OA_SECRET, kind: 'officialAccount' })
}
// subscribe template ids the sandbox knows (comma-separated); none → any template id is accepted
const subscribeTemplates = (process.env.WECHAT_SANDBOX_TEMPLATES ?? '').split(',').map((id) => id.trim()).filter(Boolean)
const sandbox = createSandbox({ apps, subscribeTemplates })
await sandbox.listen({ port, host: '127.0.0.1' })
console.log(`WeChat sandbox on http://127.0.0.1:${port} (${apps.map((a) => `${a.kind ?? 'miniprogram'} ${a.appid}`).join(', ')})`)
