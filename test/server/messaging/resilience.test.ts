import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../../tools/build-client.js'
import { useTestApp } from '../../helpers/app.js'

/**
 * The dispatcher when things go wrong: the access token expiring mid-batch, WeChat away for a while then back
 * (nothing lost), and two server processes dispatching together without passing the shared send rate.
 */
describe('messaging under failure and load', () => {
  const t = useTestApp()
  const children: ChildProcess[] = []
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL')
  })
  const model = (name: string) => t.app.db.connection.model(name)
  const admin = { actor: 'ops', role: 'admin' }

  /** A member with `accepts` unused "allow" taps for the shipped template, in WeChat and on the server. */
  async function subscribed(user: string, accepts: number) {
    await t.app.messaging.mappings.set('shipped', 'subscribe', { templateId: 'tpl-shipped' }, admin)
    const me = await t.login(user)
    for (let i = 0; i < accepts; i++) {
      await t.sandbox.subscribe(user, { 'tpl-shipped': 'accept' })
      await t.app.messaging.subscriptions.record(me.memberId as never, { 'tpl-shipped': 'accept' }, 'client')
    }
    return me
  }
  const shipments = (memberId: string, prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => ({ dedupeKey: `shipped:${prefix}-${i}`, kind: 'shipped' as const, memberId, data: { orderId: `${prefix}-${i}`, carrier: 'SF', trackingNo: `SF${i}`, item: '戒指' } }))
  const statuses = async (prefix: string) => {
    const docs = (await model('Message').find({ dedupeKey: new RegExp(`^shipped:${prefix}-`) }, { status: 1 }).lean()) as unknown as { status: string }[]
    return docs.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.status]: (acc[m.status] ?? 0) + 1 }), {})
  }

  it('refreshes an access token that expires in the middle of a batch, once, and sends every message', async () => {
    const me = await subscribed('resilience-token', 6)
    await t.app.messaging.enqueue(shipments(me.memberId, 'TOK', 6))
    await t.app.jobs.runOnce()
    await t.app.jobs.runOnce()
    await t.sandbox.expireTokens()
    await t.app.jobs.drain()
    expect(await statuses('TOK')).toEqual({ sent: 6 })
    const tokenCalls = (await t.sandbox.calls()).filter((c) => c.path.includes('token'))
    expect(tokenCalls.length).toBeLessThanOrEqual(3)
  })

  it('loses nothing while WeChat is away: every message goes out once it is back', async () => {
    const me = await subscribed('resilience-down', 5)
    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 8, status: 502 })
    await t.app.messaging.enqueue(shipments(me.memberId, 'DOWN', 5))
    for (let round = 0; round < 12; round++) {
      await t.app.jobs.drain()
      t.clock.set(new Date(t.clock.now().getTime() + 120_000))
    }
    expect(await statuses('DOWN')).toEqual({ sent: 5 })
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-shipped')).toBe(0)
  })

  it('never pushes twice when a dispatcher process is killed during a push: the message is recorded unconfirmed', async () => {
    const me = await subscribed('resilience-kill', 2)
    // WeChat takes its time answering the next send: the child is killed while waiting for it
    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, delayMs: 4_000 })
    const sendsBefore = (await t.sandbox.calls()).filter((c) => c.path === '/cgi-bin/message/subscribe/send').length
    await t.app.messaging.enqueue(shipments(me.memberId, 'KILL', 1).map((s) => ({ ...s, notBefore: new Date() })))
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'dispatcher-process.ts'), t.databaseUri, t.sandbox.url, '1000'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(child)
    // killed once its push has reached WeChat (and WeChat is taking its time over it)
    for (let waited = 0; waited < 30_000; waited += 100) {
      if ((await t.sandbox.calls()).filter((c) => c.path === '/cgi-bin/message/subscribe/send').length > sendsBefore) break
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(await statuses('KILL')).toEqual({ sending: 1 })
    child.kill('SIGKILL')
    // another worker takes the job over once its lease ran out, finds the push under way, and does not push again
    t.clock.set(new Date(Date.now() + 5_000))
    await t.app.jobs.drain()
    expect(await statuses('KILL')).toEqual({ unconfirmed: 1 })
    await new Promise((r) => setTimeout(r, 4_500))
    const openid = ((await model('Member').findById(me.memberId).lean()) as unknown as { openid: string }).openid
    // WeChat may have delivered the one push the dead worker made (its request was under way); never a second
    expect((await t.sandbox.messages()).filter((m) => m.body.touser === openid).length).toBeLessThanOrEqual(1)
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-shipped')).toBe(2)
  }, 60_000)

  it('never passes the send rate with two dispatcher processes', async () => {
    const RATE = 8
    const me = await subscribed('resilience-rate', 40)
    await t.app.settings.put('messaging-policy', { ...(await t.app.messaging.dispatcher.policy()), ratePerSecond: { subscribe: RATE, official_account: RATE } }, 'test')
    // due now by the processes' own clock
    const now = new Date()
    await t.app.messaging.enqueue(shipments(me.memberId, 'RATE', 40).map((s) => ({ ...s, notBefore: now })))
    const started = Date.now()
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'dispatcher-process.ts'), t.databaseUri, t.sandbox.url], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
      children.push(child)
    }
    for (let waited = 0; waited < 60_000; waited += 250) {
      if ((await statuses('RATE')).sent === 40) break
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(await statuses('RATE')).toEqual({ sent: 40 })
    const sent = (await t.sandbox.messages()).filter((m) => (m.body.data as Record<string, { value: string }>).character_string4?.value.startsWith('RATE-'))
    expect(sent).toHaveLength(40)
    // pushes begun in each second, all processes together (the window the rate counts)
    const begun = (await model('Message').find({ dedupeKey: /^shipped:RATE-/ }, { rateWindow: 1 }).lean()) as unknown as { rateWindow: string }[]
    const perSecond = new Map<string, number>()
    for (const m of begun) perSecond.set(m.rateWindow, (perSecond.get(m.rateWindow) ?? 0) + 1)
    const seconds = (Date.now() - started) / 1000
    console.log(`two dispatchers: ${sent.length} sends in ${seconds.toFixed(1)} s, at most ${Math.max(...perSecond.values())} begun in a second (rate ${RATE}/s)`)
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(RATE)
    // and not slower than the rate allows by much: 40 at 8/s is at least 4 seconds' windows
    expect(perSecond.size).toBeGreaterThanOrEqual(5)
  }, 90_000)
})
