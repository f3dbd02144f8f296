import Fastify from 'fastify'
import core from '../../../server/src/core/index.js'
import coupons from '../../../server/src/modules/coupons/index.js'
import loyalty from '../../../server/src/modules/loyalty/index.js'
import mall from '../../../server/src/modules/mall/index.js'
import members from '../../../server/src/modules/members/index.js'
import shop from '../../../server/src/modules/shop/index.js'

/**
 * A server process for the crash test (crash.test.ts): the app's modules up to the mall, on the test's database and
 * clock, with no job worker (the test's own process repairs). It redeems one item for one member and, once the saga
 * has recorded the step named in its arguments, says so on stdout and hangs there — the test kills it with SIGKILL.
 * Usage: crash-child.ts <mongoUri> <nowIso> <memberId> <itemId> <idempotencyKey> <stopAfterStep> [address json]
 * (The mall is registered here with its test hook, which app.ts does not take; the rest is as app.ts registers it.)
 */
const [uri, nowIso, memberId, itemId, key, stopAfter, address] = process.argv.slice(2) as [string, string, string, string, string, string, string | undefined]
const now = () => new Date(nowIso)
const app = Fastify({ logger: false })
await app.register(core, {
  mongodbUri: uri,
  jwt: { secret: 'crash-child-secret-0123456789abcdef0123456', expiresInSeconds: 60 },
  wechat: { appid: 'wxcrash', secret: 'unused', baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 },
  now,
  worker: false,
})
await app.register(members, { tokenTtlSeconds: 60, memberCodeSecret: 'crash-child-member-code-secret-0123456789', loginRateLimitPerMinute: 10 })
await app.register(loyalty)
await app.register(coupons)
await app.register(shop, {})
await app.register(mall, {
  afterStep: async (step, ids) => {
    process.stdout.write(`step:${step}:${ids.join(',')}\n`)
    if (step === stopAfter) await new Promise(() => {}) // hangs: the test kills the process here
  },
})
await app.ready()
process.stdout.write('ready\n')
const result = await app.mall.redemptions.redeem(memberId, { itemId, idempotencyKey: key, ...(address ? { address: JSON.parse(address) } : {}) })
process.stdout.write(`finished:${result.redemption.id}\n`)
await app.close()
