import { MESSAGE_CATALOGUE, type MessageKind } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { sandboxUnionid } from '../../../tools/wechat-sandbox/users.js'
import { useTestApp } from '../../helpers/app.js'

/**
 * The outbox and the dispatcher against the WeChat sandbox over HTTP: consent and balances, the Official Account
 * fallback, WeChat's errors, quiet hours and caps, and the delivery guarantee when a worker dies mid-push.
 */
describe('messaging: outbox and dispatcher', () => {
  const t = useTestApp()
  const model = (name: string) => t.app.db.connection.model(name)
  const admin = { actor: 'ops', role: 'admin' }
  const tpl = (kind: MessageKind) => `tpl-${kind}`

  async function mapAll() {
    for (const kind of Object.keys(MESSAGE_CATALOGUE) as MessageKind[]) {
      await t.app.messaging.mappings.set(kind, 'subscribe', { templateId: tpl(kind) }, admin)
      if (MESSAGE_CATALOGUE[kind].category === 'service' && MESSAGE_CATALOGUE[kind].keys.official_account) {
        await t.app.messaging.mappings.set(kind, 'official_account', { templateId: `oa-${kind}` }, admin)
      }
    }
  }
  /** The member taps "allow" for a kind: WeChat records it, and the mini-program reports it. */
  async function allow(user: string, token: string, kind: MessageKind, taps = 1) {
    for (let i = 0; i < taps; i++) {
      await t.sandbox.subscribe(user, { [tpl(kind)]: 'accept' })
      const reported = await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: { authorization: `Bearer ${token}` }, payload: { results: { [tpl(kind)]: 'accept' } } })
      expect(reported.statusCode, reported.body).toBe(200)
    }
  }
  const shippedDraft = (memberId: string, orderId: string) => ({
    dedupeKey: `shipped:${orderId}`,
    kind: 'shipped' as const,
    memberId,
    data: { orderId, carrier: '顺丰速运', trackingNo: 'SF1234567890', item: '18K 金钻石戒指（典藏系列·限量款·附证书与礼盒）' },
  })
  const message = async (dedupeKey: string) => (await model('Message').findOne({ dedupeKey }).lean()) as unknown as { status: string; channel: string | null; reason: string | null; msgid: string | null }
  const inbox = async (token: string) => (await t.app.inject({ method: 'GET', url: '/api/me/inbox', headers: { authorization: `Bearer ${token}` } })).json()

  it('writes one message per fact, pushes it with the member’s consent, and keeps it in the inbox', async () => {
    await mapAll()
    const me = await t.login('msg-consent')
    await allow('msg-consent', me.token, 'shipped')
    const first = await t.app.messaging.enqueue([shippedDraft(me.memberId, 'O-1'), shippedDraft(me.memberId, 'O-1')])
    expect(first).toEqual({ created: 1, duplicate: 1, suppressed: 0 })
    expect(await t.app.messaging.enqueue([shippedDraft(me.memberId, 'O-1')])).toEqual({ created: 0, duplicate: 1, suppressed: 0 })
    await t.app.jobs.drain()
    expect(await message('shipped:O-1')).toMatchObject({ status: 'sent', channel: 'subscribe' })
    const openid = ((await model('Member').findById(me.memberId).lean()) as unknown as { openid: string }).openid
    const sent = (await t.sandbox.messages()).filter((m) => m.body.touser === openid)
    expect(sent).toHaveLength(1)
    // the long item name is cut to a thing's 20 characters; WeChat took it
    expect((sent[0]!.body.data as Record<string, { value: string }>).thing1!.value).toHaveLength(20)
    const box = await inbox(me.token)
    expect(box).toMatchObject({ unread: 1, items: [{ kind: 'shipped', title: '订单已发货', read: false }] })
    expect(box.items[0].body).toContain('SF1234567890')

    // the one accept is used: the next shipment reaches the inbox only, with the reason (no OA follow)
    await t.app.messaging.enqueue([shippedDraft(me.memberId, 'O-2')])
    await t.app.jobs.drain()
    expect(await message('shipped:O-2')).toMatchObject({ status: 'inbox', channel: null, reason: expect.stringContaining('Official Account') })
    expect((await inbox(me.token)).unread).toBe(2)
  })

  it('falls back to the Official Account for a service message when the member follows it; marketing never goes there', async () => {
    await mapAll()
    const me = await t.login('msg-follower')
    const { openid } = await t.sandbox.follow('msg-follower')
    await model('OaFollower').create({ _id: openid, unionid: sandboxUnionid('msg-follower'), followedAt: t.clock.now() })
    await t.app.messaging.enqueue([shippedDraft(me.memberId, 'O-3'), { dedupeKey: 'campaign:spring', kind: 'campaign', memberId: me.memberId, data: { title: '春季新品', content: '到店礼遇' } }])
    t.clock.set('2026-03-10T04:00:00Z')
    await t.app.jobs.drain()
    expect(await message('shipped:O-3')).toMatchObject({ status: 'sent', channel: 'official_account' })
    expect(await message('campaign:spring')).toMatchObject({ status: 'inbox', reason: expect.stringContaining('subscri') })
    const oa = (await t.sandbox.messages()).filter((m) => m.kind === 'template')
    expect(oa.map((m) => m.body.template_id)).toEqual(['oa-shipped'])
  })

  it('treats 43101 as no consent (balance 0), retries 45011, defers 45009 to the next day, and fails for good on 47003', async () => {
    await mapAll()
    const me = await t.login('msg-errors')
    // the mini-program reported an accept WeChat never recorded: WeChat answers 43101
    await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: { authorization: `Bearer ${me.token}` }, payload: { results: { [tpl('shipped')]: 'accept' } } })
    await t.app.messaging.enqueue([shippedDraft(me.memberId, 'E-1')])
    await t.app.jobs.drain()
    expect(await message('shipped:E-1')).toMatchObject({ status: 'inbox' })
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, tpl('shipped'))).toBe(0)

    await allow('msg-errors', me.token, 'shipped', 3)
    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, errcode: 45011 })
    await t.app.messaging.enqueue([shippedDraft(me.memberId, 'E-2')])
    await t.app.jobs.drain()
    expect(await message('shipped:E-2')).toMatchObject({ status: 'queued', reason: expect.stringContaining('45011') })
    t.clock.set(new Date(t.clock.now().getTime() + 60_000))
    await t.app.jobs.drain()
    expect(await message('shipped:E-2')).toMatchObject({ status: 'sent' })

    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, errcode: 45009 })
    await t.app.messaging.enqueue([shippedDraft(me.memberId, 'E-3')])
    await t.app.jobs.drain()
    expect(await message('shipped:E-3')).toMatchObject({ status: 'queued', reason: expect.stringContaining('45009') })
    const job = (await model('Job').findById('messaging.send:shipped:E-3').lean()) as unknown as { dueAt: Date }
    expect(job.dueAt.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-11T00:00:00+08:00'))
    t.clock.set('2026-03-11T02:00:00Z')
    await t.app.jobs.drain()
    expect(await message('shipped:E-3')).toMatchObject({ status: 'sent' })

    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, errcode: 47003 })
    await t.app.messaging.enqueue([shippedDraft(me.memberId, 'E-4')])
    await t.app.jobs.drain()
    expect(await message('shipped:E-4')).toMatchObject({ status: 'failed', reason: expect.stringContaining('47003') })
    // the failed push consumed nothing; the inbox has all four
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, tpl('shipped'))).toBe(1)
    expect((await inbox(me.token)).items).toHaveLength(4)
  })

  it('records a push a dead worker left under way as unconfirmed, and never pushes it twice', async () => {
    await mapAll()
    const me = await t.login('msg-crash')
    await allow('msg-crash', me.token, 'shipped')
    await t.app.messaging.enqueue([shippedDraft(me.memberId, 'C-1')])
    // a worker marked the push and died before recording WeChat's answer; its job's lease has run out
    await model('Message').updateOne({ dedupeKey: 'shipped:C-1' }, { $set: { status: 'sending', sendingBy: 'dead-worker:1', channel: 'subscribe' } })
    await model('Job').updateOne({ _id: 'messaging.send:shipped:C-1' }, { $set: { state: 'running', leaseOwner: 'dead-worker', leaseUntil: new Date(t.clock.now().getTime() - 1) } })
    await t.app.jobs.drain()
    expect(await message('shipped:C-1')).toMatchObject({ status: 'unconfirmed' })
    const openid = ((await model('Member').findById(me.memberId).lean()) as unknown as { openid: string }).openid
    expect((await t.sandbox.messages()).filter((m) => m.body.touser === openid)).toHaveLength(0)
  })

  it('holds marketing in quiet hours until 09:00 Shanghai, caps it per day, and sends none to a member who turned it off', async () => {
    await mapAll()
    const me = await t.login('msg-marketing')
    await allow('msg-marketing', me.token, 'campaign', 3)
    const campaign = (n: number) => ({ dedupeKey: `campaign:${n}`, kind: 'campaign' as const, memberId: me.memberId, data: { title: `活动 ${n}`, content: '新品鉴赏会' } })
    // 20:59:59 Shanghai: still allowed; 21:00: quiet
    t.clock.set('2026-03-10T12:59:59Z')
    await t.app.messaging.enqueue([campaign(1)])
    await t.app.jobs.drain()
    expect(await message('campaign:1')).toMatchObject({ status: 'sent' })
    t.clock.set('2026-03-10T13:00:00Z')
    await t.app.messaging.enqueue([campaign(2)])
    await t.app.jobs.drain()
    expect(await message('campaign:2')).toMatchObject({ status: 'queued' })
    expect(((await model('Job').findById('messaging.send:campaign:2').lean()) as unknown as { dueAt: Date }).dueAt).toEqual(new Date('2026-03-11T09:00:00+08:00'))
    t.clock.set('2026-03-11T01:00:00Z')
    await t.app.jobs.drain()
    expect(await message('campaign:2')).toMatchObject({ status: 'sent' })
    // the day's cap (1) is used: the next marketing message stays in the inbox
    await t.app.messaging.enqueue([campaign(3)])
    await t.app.jobs.drain()
    expect(await message('campaign:3')).toMatchObject({ status: 'inbox', reason: expect.stringContaining('cap') })

    const off = await t.app.inject({ method: 'PATCH', url: '/api/me/message-preferences', headers: { authorization: `Bearer ${me.token}` }, payload: { marketing: false } })
    expect(off.json()).toEqual({ marketing: false, sms: true, kindsOff: [] })
    expect(await t.app.messaging.enqueue([campaign(4)])).toMatchObject({ suppressed: 1, created: 0 })
  })

  it('answers the member’s subscriptions with the template ids to ask for, and counts one tap reported twice once', async () => {
    await mapAll()
    const me = await t.login('msg-pairing')
    const auth = { authorization: `Bearer ${me.token}` }
    await t.app.messaging.subscriptions.record(me.memberId as never, { [tpl('shipped')]: 'accept' }, 'push')
    const reported = await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: auth, payload: { results: { [tpl('shipped')]: 'accept', [tpl('delivered')]: 'reject' } } })
    expect(reported.statusCode).toBe(200)
    const list = (await t.app.inject({ method: 'GET', url: '/api/me/subscriptions', headers: auth })).json().templates as { kind: string; templateId: string; balance: number }[]
    expect(list.find((x) => x.kind === 'shipped')).toMatchObject({ templateId: tpl('shipped'), balance: 1 })
    expect(list.find((x) => x.kind === 'delivered')).toMatchObject({ balance: 0 })
    for (const payload of [{ results: {} }, { results: { a: 'accept', b: 'accept', c: 'accept', d: 'accept' } }, { results: { a: 'maybe' } }, { results: { a: 'accept' }, extra: 1 }]) {
      expect((await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: auth, payload })).statusCode).toBe(400)
    }
  })
})
