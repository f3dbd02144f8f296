import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Types } from 'mongoose'
import { useTestApp } from '../../helpers/app.js'
import { smsSettings, startSandbox, TEST_SMS, TEST_SMS_INBOUND_TOKEN } from '../../helpers/sandbox.js'

// the SMS provider, played by a sandbox of its own (the app's WeChat sandbox is started by useTestApp)
const provider = await startSandbox()

/**
 * Marketing SMS through the provider the sandbox plays (Tencent Cloud SMS over HTTP): only for marketing messages that
 * ask for it, to members with a phone number, after a subscribe message and under the same fatigue rules; every SMS
 * ends with 回T退订, and a reply of T (delivered by the sandbox to /api/sms/inbound) stops all of them at once.
 */
describe('messaging: marketing SMS', () => {
  const t = useTestApp(smsSettings(provider.url))
  const model = (name: string) => t.app.db.connection.model(name)
  let base = ''
  let phoneSeq = 0

  beforeAll(async () => {
    base = await t.app.listen({ port: 0, host: '127.0.0.1' })
    await provider.sms.setCallback(`${base}/api/sms/inbound?token=${TEST_SMS_INBOUND_TOKEN}`)
  })
  afterAll(async () => {
    await provider.close()
  })

  /** A member logged in through the WeChat sandbox, with a phone number unless `phone: false`. */
  async function member(user: string, { phone = true } = {}) {
    const me = await t.login(user)
    const number = `1390000${String(++phoneSeq).padStart(4, '0')}`
    if (phone) await t.app.members.repo.setPhone(new Types.ObjectId(me.memberId), number)
    return { ...me, phone: number }
  }
  const campaign = (memberId: string, key: string, extra: Record<string, unknown> = {}) => ({
    dedupeKey: `campaign:${key}`,
    kind: 'campaign' as const,
    memberId,
    data: { title: '新品鉴赏会', content: `本周六门店专场 ${key}` },
    sms: true,
    ...extra,
  })
  const message = async (dedupeKey: string) =>
    (await model('Message').findOne({ dedupeKey }).lean()) as unknown as { status: string; channel: string | null; reason: string | null; msgid: string | null; sms: boolean }
  const smsTo = async (phone: string) => (await provider.sms.sent()).filter((s) => s.phoneNumber === `+86${phone}`)
  const attemptsTo = async (phone: string) => (await provider.sms.attempts()).filter((a) => a.phoneNumber === `+86${phone}`)
  const auth = (token: string) => ({ authorization: `Bearer ${token}` })

  it('sends a marketing message that asks for SMS to a member with a phone and no subscription, ending with 回T退订', async () => {
    const me = await member('sms-basic')
    await t.app.messaging.enqueue([campaign(me.memberId, 'basic')])
    await t.app.jobs.drain()
    const sent = await smsTo(me.phone)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ signName: TEST_SMS.signName, templateId: TEST_SMS.templateId })
    expect(sent[0]!.content.startsWith(`【${TEST_SMS.signName}】新品鉴赏会：本周六门店专场 basic`)).toBe(true)
    expect(sent[0]!.content.endsWith(' 回T退订')).toBe(true)
    expect(await message('campaign:basic')).toMatchObject({ status: 'sent', channel: 'sms', msgid: sent[0]!.serialNo, sms: true })
    // the inbox has it too
    const inbox = (await t.app.inject({ method: 'GET', url: '/api/me/inbox', headers: auth(me.token) })).json()
    expect(inbox.items.map((i: { kind: string }) => i.kind)).toEqual(['campaign'])
  })

  it('keeps a long text within two SMS segments, still ending with 回T退订', async () => {
    const me = await member('sms-long')
    await t.app.messaging.enqueue([campaign(me.memberId, 'long', { data: { title: '典藏', content: '臻'.repeat(300) } })])
    await t.app.jobs.drain()
    const [sms] = await smsTo(me.phone)
    expect(sms!.fee).toBeLessThanOrEqual(2)
    expect(sms!.content).toMatch(/… 回T退订$/)
  })

  it('prefers a subscribe message when the member has an accept left', async () => {
    await t.app.messaging.mappings.set('campaign', 'subscribe', { templateId: 'tpl-campaign' }, { actor: 'ops', role: 'admin' })
    try {
      const me = await member('sms-subscribed')
      await t.sandbox.subscribe('sms-subscribed', { 'tpl-campaign': 'accept' })
      const reported = await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: auth(me.token), payload: { results: { 'tpl-campaign': 'accept' } } })
      expect(reported.statusCode, reported.body).toBe(200)
      await t.app.messaging.enqueue([campaign(me.memberId, 'subscribed')])
      await t.app.jobs.drain()
      expect(await message('campaign:subscribed')).toMatchObject({ status: 'sent', channel: 'subscribe' })
      expect(await attemptsTo(me.phone)).toHaveLength(0)
    } finally {
      await model('MessageTemplate').deleteMany({})
      ;(t.app.messaging.mappings as unknown as { cached: unknown }).cached = null
    }
  })

  it('sends no SMS without a phone, with marketing off, without asking, or for a service kind', async () => {
    const noPhone = await member('sms-nophone', { phone: false })
    const off = await member('sms-off')
    const notAsked = await member('sms-notasked')
    const service = await member('sms-service')
    const off1 = await t.app.inject({ method: 'PUT', url: '/api/me/message-preferences', headers: auth(off.token), payload: { marketing: false } })
    expect(off1.statusCode, off1.body).toBe(200)
    const result = await t.app.messaging.enqueue([
      campaign(noPhone.memberId, 'nophone'),
      campaign(off.memberId, 'off'),
      campaign(notAsked.memberId, 'notasked', { sms: false }),
      { dedupeKey: 'shipped:SMS-1', kind: 'shipped', memberId: service.memberId, data: { orderId: 'SMS-1', carrier: '顺丰', trackingNo: 'SF1', item: '戒指' }, sms: true },
    ])
    // marketing to a member who turned it off is not even written
    expect(result).toMatchObject({ created: 3, suppressed: 1 })
    await t.app.jobs.drain()
    expect(await message('campaign:nophone')).toMatchObject({ status: 'inbox', reason: expect.stringContaining('no phone number') })
    expect(await message('campaign:notasked')).toMatchObject({ status: 'inbox', sms: false })
    expect(await message('shipped:SMS-1')).toMatchObject({ status: 'inbox', sms: false })
    for (const m of [off, notAsked, service]) expect(await attemptsTo(m.phone)).toHaveLength(0)

    // the member's own switch: SMS off, marketing on
    const smsOff = await member('sms-switch')
    const put = await t.app.inject({ method: 'PUT', url: '/api/me/message-preferences', headers: auth(smsOff.token), payload: { sms: false } })
    expect(put.statusCode, put.body).toBe(200)
    expect(put.json()).toMatchObject({ marketing: true, sms: false })
    await t.app.messaging.enqueue([campaign(smsOff.memberId, 'switch')])
    await t.app.jobs.drain()
    expect(await message('campaign:switch')).toMatchObject({ status: 'inbox', reason: expect.stringContaining('turned marketing SMS off') })
    expect(await attemptsTo(smsOff.phone)).toHaveLength(0)
  })

  it('holds SMS in quiet hours until 09:00 Shanghai, and counts it against the daily marketing cap', async () => {
    const me = await member('sms-quiet')
    t.clock.set('2026-03-10T14:00:00Z') // 22:00 Shanghai
    await t.app.messaging.enqueue([campaign(me.memberId, 'quiet-1')])
    await t.app.jobs.drain()
    expect(await message('campaign:quiet-1')).toMatchObject({ status: 'queued' })
    expect(await attemptsTo(me.phone)).toHaveLength(0)

    t.clock.set('2026-03-11T01:00:01Z') // 09:00:01
    await t.app.jobs.drain()
    expect(await message('campaign:quiet-1')).toMatchObject({ status: 'sent', channel: 'sms' })
    // one marketing message a day: the second SMS of the day stays in the inbox
    await t.app.messaging.enqueue([campaign(me.memberId, 'quiet-2')])
    await t.app.jobs.drain()
    expect(await message('campaign:quiet-2')).toMatchObject({ status: 'inbox', reason: expect.stringContaining('cap') })
    expect(await smsTo(me.phone)).toHaveLength(1)
    t.clock.set('2026-03-10T02:00:00Z')
  })

  it('stops the next SMS and a queued one once the member replies T, and lets the member turn SMS back on', async () => {
    const me = await member('sms-unsub')
    t.clock.set('2026-03-12T02:00:00Z')
    // queued for later (a reminder's delay), then the member replies to an earlier SMS
    await t.app.messaging.enqueue([campaign(me.memberId, 'unsub-queued', { notBefore: new Date('2026-03-12T04:00:00Z') })])
    const reply = await provider.sms.reply(me.phone, ' t ')
    expect(reply).toMatchObject({ outcome: 'delivered' })
    expect(await model('SmsOptOut').findById(me.phone).lean()).toMatchObject({ source: 'reply' })
    const audit = await t.app.audit.list({ memberId: me.memberId, action: 'sms.opt-out' })
    expect(audit).toHaveLength(1)

    t.clock.set('2026-03-12T04:00:01Z')
    await t.app.messaging.enqueue([campaign(me.memberId, 'unsub-next')])
    await t.app.jobs.drain()
    for (const key of ['campaign:unsub-queued', 'campaign:unsub-next']) {
      expect(await message(key)).toMatchObject({ status: 'inbox', reason: expect.stringContaining('回T退订') })
    }
    expect(await attemptsTo(me.phone)).toHaveLength(0)

    // the member sees it in their preferences, and turns SMS on again
    const prefs = await t.app.inject({ method: 'GET', url: '/api/me/message-preferences', headers: auth(me.token) })
    expect(prefs.json()).toMatchObject({ marketing: true, sms: false })
    const on = await t.app.inject({ method: 'PATCH', url: '/api/me/message-preferences', headers: auth(me.token), payload: { sms: true } })
    expect(on.statusCode, on.body).toBe(200)
    expect(on.json()).toMatchObject({ sms: true })
    expect(await model('SmsOptOut').findById(me.phone).lean()).toBeNull()
    expect(await t.app.audit.list({ memberId: me.memberId, action: 'sms.opt-in' })).toHaveLength(1)
    await t.app.messaging.enqueue([campaign(me.memberId, 'unsub-again')])
    await t.app.jobs.drain()
    expect(await message('campaign:unsub-again')).toMatchObject({ status: 'sent', channel: 'sms' })
    t.clock.set('2026-03-10T02:00:00Z')
  })

  it.each(['TD', '退订', 'td。', '  Ｔ  '])('takes %j as an unsubscribe, and other replies as replies', async (text) => {
    const phone = `1370000${String(++phoneSeq).padStart(4, '0')}`
    await provider.sms.reply(phone, '谢谢')
    expect(await model('SmsOptOut').findById(phone).lean()).toBeNull()
    await provider.sms.reply(phone, text)
    expect(await model('SmsOptOut').findById(phone).lean()).not.toBeNull()
    // a number that is no member's: recorded all the same
    const replies = (await model('SmsReply').find({ phone }).lean()) as unknown as { text: string; unsubscribe: boolean; memberId: unknown }[]
    expect(replies.map((r) => [r.text, r.unsubscribe, r.memberId])).toEqual(expect.arrayContaining([['谢谢', false, null], [text, true, null]]))
  })

  it('handles a reply delivered twice once', async () => {
    const me = await member('sms-replay')
    await provider.sms.reply(me.phone, 'T')
    const replayed = await provider.sms.replayReply()
    expect(replayed).toMatchObject({ outcome: 'delivered' })
    expect(await model('SmsReply').countDocuments({ phone: me.phone })).toBe(1)
    expect(await t.app.audit.list({ memberId: me.memberId, action: 'sms.opt-out' })).toHaveLength(1)
    // the member turned SMS on again since: the provider's late retry of the old reply changes nothing
    await t.app.inject({ method: 'PUT', url: '/api/me/message-preferences', headers: auth(me.token), payload: { sms: true } })
    await provider.sms.replayReply()
    expect(await model('SmsOptOut').findById(me.phone).lean()).toBeNull()
  })

  it('defers on the number’s daily limit, retries an outage, opts out a blacklisted number, and fails for good on a bad template', async () => {
    t.clock.set('2026-03-13T02:00:00Z')
    const [limited, outage, blocked, refused] = [await member('sms-limit'), await member('sms-outage'), await member('sms-blocked'), await member('sms-refused')]
    await provider.sms.setDailyLimit(0)
    await t.app.messaging.enqueue([campaign(limited.memberId, 'limit')])
    await t.app.jobs.drain()
    expect(await message('campaign:limit')).toMatchObject({ status: 'queued', reason: expect.stringContaining('LimitExceeded.PhoneNumberDailyLimit') })
    const job = (await model('Job').findById('messaging.send:campaign:limit').lean()) as unknown as { dueAt: Date }
    expect(job.dueAt.getTime()).toBeGreaterThanOrEqual(Date.parse('2026-03-14T00:00:00+08:00'))
    await provider.sms.setDailyLimit(10)

    await provider.sms.fault({ count: 1, status: 502 })
    await t.app.messaging.enqueue([campaign(outage.memberId, 'outage')])
    await t.app.jobs.drain()
    expect(await message('campaign:outage')).toMatchObject({ status: 'queued', reason: expect.stringContaining('unreachable') })
    t.clock.set(new Date(t.clock.now().getTime() + 60_000))
    await t.app.jobs.drain()
    // the failed attempt gave its marketing cap back: the retry is the day's one message
    expect(await message('campaign:outage')).toMatchObject({ status: 'sent', channel: 'sms' })

    await provider.sms.blacklist(blocked.phone)
    await t.app.messaging.enqueue([campaign(blocked.memberId, 'blocked')])
    await t.app.jobs.drain()
    expect(await message('campaign:blocked')).toMatchObject({ status: 'inbox', reason: expect.stringContaining('回T退订') })
    expect(await model('SmsOptOut').findById(blocked.phone).lean()).toMatchObject({ source: 'provider', ref: 'FailedOperation.PhoneNumberInBlacklist' })

    await provider.sms.fault({ count: 1, code: 'FailedOperation.TemplateIncorrectOrUnapproved' })
    await t.app.messaging.enqueue([campaign(refused.memberId, 'refused')])
    await t.app.jobs.drain()
    expect(await message('campaign:refused')).toMatchObject({ status: 'failed', channel: 'sms', reason: expect.stringContaining('FailedOperation.TemplateIncorrectOrUnapproved') })
    t.clock.set('2026-03-10T02:00:00Z')
  })

  describe('POST /api/sms/inbound', () => {
    const body = (extra: Record<string, unknown> = {}) => ({ extend: '', mobile: '13911112222', nationcode: '86', sign: TEST_SMS.signName, text: 'T', time: 1773100000, ...extra })
    const post = (payload: unknown, token: string | null = TEST_SMS_INBOUND_TOKEN) =>
      t.app.inject({ method: 'POST', url: `/api/sms/inbound${token === null ? '' : `?token=${encodeURIComponent(token)}`}`, payload: payload as object })

    it('refuses a callback without the token, or with another, and changes nothing', async () => {
      for (const token of [null, 'forged-token-0123456789', '']) {
        const response = await post(body(), token)
        expect(response.statusCode, response.body).toBe(401)
        expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED' })
      }
      expect(await model('SmsOptOut').findById('13911112222').lean()).toBeNull()
      expect(await model('SmsReply').countDocuments({ phone: '13911112222' })).toBe(0)
    })

    it('answers the provider’s {result: 0} once per reply', async () => {
      const first = await post(body({ mobile: '13911113333' }))
      expect(first.statusCode, first.body).toBe(200)
      expect(first.json()).toEqual({ result: 0, errmsg: 'OK' })
      expect((await post(body({ mobile: '13911113333' }))).statusCode).toBe(200)
      expect(await model('SmsReply').countDocuments({ phone: '13911113333' })).toBe(1)
    })

    it('refuses hostile input with a 4xx', async () => {
      let deep: unknown = 'T'
      for (let i = 0; i < 40; i++) deep = { a: deep }
      const hostile: unknown[] = [
        body({ mobile: 'not-a-number' }),
        body({ mobile: '1'.repeat(33) }),
        body({ mobile: '12' }),
        body({ nationcode: '86; drop' }),
        body({ $where: 'sleep(1000)' }),
        body({ text: { $ne: null } }),
        body({ time: -1 }),
        body({ time: 1e20 }),
        body({ text: deep }),
        { ...body(), mobile: undefined },
        [body()],
        'T',
      ]
      for (const payload of hostile) {
        const response = await post(payload)
        expect(response.statusCode, `${JSON.stringify(payload).slice(0, 80)} → ${response.body}`).toBeGreaterThanOrEqual(400)
        expect(response.statusCode).toBeLessThan(500)
      }
      expect(await model('SmsReply').countDocuments({ phone: { $in: ['not-a-number', '12'] } })).toBe(0)
    })
  })
})
