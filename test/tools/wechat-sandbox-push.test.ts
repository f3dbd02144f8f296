import { createDecipheriv, createHash } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { originalIdOf } from '../../tools/wechat-sandbox/sandbox.js'
import { sandboxOpenid } from '../../tools/wechat-sandbox/users.js'
import { startSandbox, TEST_APPID, TEST_OA_APPID, TEST_SECRET, type TestSandbox } from '../helpers/sandbox.js'

// The receiving side is written here from WeChat's documentation, independently of the sandbox's push.ts.

const TOKEN = 'pushToken123'
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' // 43 characters, as WeChat's settings page generates

const sha1Sorted = (...parts: string[]) => createHash('sha1').update(parts.sort().join('')).digest('hex')

/** WeChat's message decryption, step by step: base64 → AES-256-CBC (IV = key[0..16]) → PKCS#7 → random ‖ len ‖ msg ‖ appid. */
function decrypt(encrypted: string): { message: string; appid: string; blockAligned: boolean } {
  const key = Buffer.from(AES_KEY + '=', 'base64')
  expect(key).toHaveLength(32)
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16))
  decipher.setAutoPadding(false)
  const raw = Buffer.from(encrypted, 'base64')
  const padded = Buffer.concat([decipher.update(raw), decipher.final()])
  const pad = padded[padded.length - 1]!
  expect(pad).toBeGreaterThanOrEqual(1)
  expect(pad).toBeLessThanOrEqual(32)
  expect([...padded.subarray(padded.length - pad)].every((b) => b === pad)).toBe(true)
  const plain = padded.subarray(0, padded.length - pad)
  const length = plain.readUInt32BE(16)
  return { message: plain.subarray(20, 20 + length).toString('utf8'), appid: plain.subarray(20 + length).toString('utf8'), blockAligned: raw.length % 32 === 0 }
}

const xmlText = (xml: string, tag: string) => {
  const m = new RegExp(`<${tag}>(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))</${tag}>`).exec(xml)
  return m ? (m[1] ?? m[2]) : undefined
}

interface Received {
  method: string
  query: Record<string, string>
  contentType?: string
  body: string
}

interface Answer {
  status?: number
  body?: string
  delayMs?: number
}

/** A push receiver on a free port: records every request and answers as `answer` says (by default like a good server). */
async function startReceiver(answer: (request: Received, index: number) => Answer = () => ({})) {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver')
      const request: Received = { method: req.method ?? '', query: Object.fromEntries(url.searchParams), contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }
      received.push(request)
      const a = answer(request, received.length - 1)
      const defaultBody = request.method === 'GET' ? (validSignature(request.query) ? request.query.echostr! : 'bad signature') : 'success'
      setTimeout(() => {
        if (res.destroyed) return
        res.writeHead(a.status ?? 200, { 'content-type': 'text/plain' })
        res.end(a.body ?? defaultBody)
      }, a.delayMs ?? 0)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat/push`
  return {
    url,
    received,
    posts: () => received.filter((r) => r.method === 'POST'),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

const validSignature = (q: Record<string, string>) => q.signature === sha1Sorted(TOKEN, q.timestamp ?? '', q.nonce ?? '')

/** Opens a received push as the server must: checks signatures, decrypts in secure mode; answers the plaintext. */
function open(request: Received, appid: string): string {
  expect(validSignature(request.query)).toBe(true)
  if (request.query.encrypt_type !== 'aes') {
    expect(request.query.msg_signature).toBeUndefined()
    return request.body
  }
  const encrypted = request.body.startsWith('{') ? (JSON.parse(request.body) as { Encrypt: string }).Encrypt : xmlText(request.body, 'Encrypt')!
  expect(request.query.msg_signature).toBe(sha1Sorted(TOKEN, request.query.timestamp!, request.query.nonce!, encrypted))
  const { message, appid: from, blockAligned } = decrypt(encrypted)
  expect(from).toBe(appid)
  expect(blockAligned).toBe(true)
  return message
}

describe('WeChat sandbox: message push', () => {
  let sandbox: TestSandbox
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  const alice = sandboxOpenid(TEST_APPID, 'alice')
  const mpOriginalId = originalIdOf({ appid: TEST_APPID, secret: TEST_SECRET })

  beforeAll(async () => {
    sandbox = await startSandbox({ pushTimeoutMs: 500 })
  })
  afterAll(async () => {
    await sandbox.close()
  })
  beforeEach(async () => {
    await sandbox.reset()
  })
  afterEach(async () => {
    await receiver?.close()
  })

  const configure = async (config: { appid?: string; mode?: 'plain' | 'secure'; format?: 'json' | 'xml'; createTimeAsString?: boolean } = {}) =>
    sandbox.configurePush({
      appid: config.appid ?? TEST_APPID,
      url: receiver.url,
      token: TOKEN,
      encodingAESKey: AES_KEY,
      mode: config.mode ?? 'plain',
      format: config.format ?? 'json',
      createTimeAsString: config.createTimeAsString,
      verify: true,
    })

  describe('configuration and the GET handshake', () => {
    it('verifies the URL like WeChat: signature over token, timestamp, nonce; echostr back as plain text', async () => {
      receiver = await startReceiver()
      await sandbox.configurePush({ appid: TEST_APPID, url: receiver.url, token: TOKEN, mode: 'plain', format: 'json' })
      // not verified yet: WeChat pushes nothing to it
      const before = await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      expect(before.push).toMatchObject({ outcome: 'not-verified' })
      const check = await sandbox.handshake(TEST_APPID)
      expect(check).toMatchObject({ passed: true, status: 200 })
      expect(receiver.received).toHaveLength(1)
      const get = receiver.received[0]!
      expect(get.method).toBe('GET')
      expect(get.query.signature).toBe(sha1Sorted(TOKEN, get.query.timestamp!, get.query.nonce!))
      expect(get.query.echostr).toBe(check.echostr)
      expect(Math.abs(Number(get.query.timestamp) - Date.now() / 1000)).toBeLessThan(60)
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      expect((await sandbox.pushes()).map((p) => p.outcome)).toEqual(['not-verified', 'delivered'])
      expect(receiver.posts()).toHaveLength(1)
    })

    it('fails the handshake when the answer is not exactly echostr, and refuses to save with verify', async () => {
      receiver = await startReceiver((r) => (r.method === 'GET' ? { body: `"${r.query.echostr}"` } : {}))
      await sandbox.configurePush({ appid: TEST_APPID, url: receiver.url, token: TOKEN, mode: 'plain', format: 'json' })
      expect(await sandbox.handshake(TEST_APPID)).toMatchObject({ passed: false })
      const refused = await fetch(`${sandbox.url}/sandbox/push/config`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ appid: TEST_APPID, url: receiver.url, token: TOKEN, mode: 'plain', format: 'json', verify: true }),
      })
      expect(refused.status).toBe(400)
    })

    it('checks a configuration like WeChat: OA is XML only, secure needs a 43-character key, token 3–32 characters', async () => {
      const config = (body: object) =>
        fetch(`${sandbox.url}/sandbox/push/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.status)
      const base = { appid: TEST_APPID, url: 'http://127.0.0.1:9/x', token: TOKEN, mode: 'plain', format: 'json' }
      expect(await config(base)).toBe(200)
      expect(await config({ ...base, appid: TEST_OA_APPID })).toBe(400)
      expect(await config({ ...base, appid: TEST_OA_APPID, format: 'xml' })).toBe(200)
      expect(await config({ ...base, mode: 'secure' })).toBe(400)
      expect(await config({ ...base, mode: 'secure', encodingAESKey: 'short' })).toBe(400)
      expect(await config({ ...base, mode: 'secure', encodingAESKey: AES_KEY })).toBe(200)
      expect(await config({ ...base, token: 'x' })).toBe(400)
      expect(await config({ ...base, format: 'yaml' })).toBe(400)
    })

    it('records a push for an app without a push URL and sends nothing', async () => {
      const tap = await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      expect(tap.push).toMatchObject({ outcome: 'not-configured' })
      expect(await sandbox.pushes()).toMatchObject([{ event: 'subscribe_msg_popup_event', outcome: 'not-configured', attempts: [] }])
    })
  })

  describe('subscribe_msg_popup_event', () => {
    it('JSON, plain: List is an object for one template, with strings for numbers', async () => {
      receiver = await startReceiver()
      await configure()
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      await sandbox.pushes()
      const [post] = receiver.posts()
      expect(post!.contentType).toMatch(/application\/json/)
      expect(post!.query.encrypt_type).toBeUndefined()
      const event = JSON.parse(open(post!, TEST_APPID))
      expect(event).toEqual({
        ToUserName: mpOriginalId,
        FromUserName: alice,
        CreateTime: expect.any(Number),
        MsgType: 'event',
        Event: 'subscribe_msg_popup_event',
        List: { TemplateId: 'tmpl-a', SubscribeStatusString: 'accept', PopupScene: '0' },
      })
      expect(mpOriginalId).toMatch(/^gh_[0-9a-f]{12}$/)
    })

    it('JSON, plain: List is an array for several templates; ban and filter are not in it; CreateTime may be a string', async () => {
      receiver = await startReceiver()
      await configure({ createTimeAsString: true })
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept', 'tmpl-b': 'reject', 'tmpl-c': 'filter' })
      await sandbox.pushes()
      const event = JSON.parse(open(receiver.posts()[0]!, TEST_APPID))
      expect(event.CreateTime).toMatch(/^\d{10}$/)
      expect(event.List).toEqual([
        { TemplateId: 'tmpl-a', SubscribeStatusString: 'accept', PopupScene: '0' },
        { TemplateId: 'tmpl-b', SubscribeStatusString: 'reject', PopupScene: '0' },
      ])
    })

    it('XML, plain: <SubscribeMsgPopupEvent> with one <List> per template', async () => {
      receiver = await startReceiver()
      await configure({ format: 'xml' })
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept', 'tmpl-b': 'reject' })
      await sandbox.pushes()
      const [one, two] = receiver.posts().map((p) => open(p, TEST_APPID))
      expect(receiver.posts()[0]!.contentType).toMatch(/xml/)
      for (const xml of [one!, two!]) {
        expect(xml).toMatch(/^<xml>.*<\/xml>$/s)
        expect(xmlText(xml, 'ToUserName')).toBe(mpOriginalId)
        expect(xmlText(xml, 'FromUserName')).toBe(alice)
        expect(xmlText(xml, 'CreateTime')).toMatch(/^\d{10}$/)
        expect(xmlText(xml, 'MsgType')).toBe('event')
        expect(xmlText(xml, 'Event')).toBe('subscribe_msg_popup_event')
      }
      const lists = (xml: string) => [...(/<SubscribeMsgPopupEvent>([\s\S]*)<\/SubscribeMsgPopupEvent>/.exec(xml)?.[1] ?? '').matchAll(/<List>([\s\S]*?)<\/List>/g)].map((m) => m[1]!)
      expect(lists(one!)).toHaveLength(1)
      expect(lists(two!)).toHaveLength(2)
      expect(lists(two!).map((l) => [xmlText(l, 'TemplateId'), xmlText(l, 'SubscribeStatusString'), xmlText(l, 'PopupScene')])).toEqual([
        ['tmpl-a', 'accept', '0'],
        ['tmpl-b', 'reject', '0'],
      ])
    })

    it('JSON, secure: {ToUserName, Encrypt}, msg_signature and signature, AES with the appid at the end', async () => {
      receiver = await startReceiver()
      await configure({ mode: 'secure' })
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept', 'tmpl-b': 'accept' })
      await sandbox.pushes()
      const [post] = receiver.posts()
      expect(post!.query.encrypt_type).toBe('aes')
      const envelope = JSON.parse(post!.body)
      expect(Object.keys(envelope).sort()).toEqual(['Encrypt', 'ToUserName'])
      expect(envelope.ToUserName).toBe(mpOriginalId)
      expect(post!.body).not.toContain('tmpl-a')
      const event = JSON.parse(open(post!, TEST_APPID))
      expect(event).toMatchObject({ Event: 'subscribe_msg_popup_event', FromUserName: alice, List: [{ TemplateId: 'tmpl-a' }, { TemplateId: 'tmpl-b' }] })
    })

    it('XML, secure: <xml><ToUserName/><Encrypt/></xml>', async () => {
      receiver = await startReceiver()
      await configure({ mode: 'secure', format: 'xml' })
      await sandbox.subscribe('alice', { 'tmpl-a': 'reject' })
      await sandbox.pushes()
      const [post] = receiver.posts()
      expect(post!.body).toMatch(/^<xml><ToUserName><!\[CDATA\[gh_[0-9a-f]{12}\]\]><\/ToUserName><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><\/xml>$/)
      const xml = open(post!, TEST_APPID)
      expect(xmlText(xml, 'SubscribeStatusString')).toBe('reject')
    })
  })

  describe('subscribe_msg_change_event and subscribe_msg_sent_event', () => {
    it('pushes the switch-off as rejections only', async () => {
      receiver = await startReceiver()
      await configure()
      await sandbox.switchOff('alice', ['tmpl-a'])
      await sandbox.switchOff('alice', ['tmpl-b', 'tmpl-c'])
      await sandbox.pushes()
      const [one, two] = receiver.posts().map((p) => JSON.parse(open(p, TEST_APPID)))
      expect(one).toMatchObject({ Event: 'subscribe_msg_change_event', FromUserName: alice, List: { TemplateId: 'tmpl-a', SubscribeStatusString: 'reject' } })
      expect(two.List).toEqual([
        { TemplateId: 'tmpl-b', SubscribeStatusString: 'reject' },
        { TemplateId: 'tmpl-c', SubscribeStatusString: 'reject' },
      ])
    })

    it('reports each successful send, MsgID as a string, and a delivery failure when told to', async () => {
      receiver = await startReceiver()
      await configure({ format: 'xml' })
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      const { access_token: token } = (await (
        await fetch(`${sandbox.url}/cgi-bin/stable_token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credential', appid: TEST_APPID, secret: TEST_SECRET }),
        })
      ).json()) as { access_token: string }
      const send = async () => {
        const response = await fetch(`${sandbox.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ touser: alice, template_id: 'tmpl-a', data: { thing1: { value: '已发货' } } }),
        })
        return /"msgid":(\d+)/.exec(await response.text())![1]!
      }
      const first = await send()
      await sandbox.failNextDelivery({ appid: TEST_APPID })
      const second = await send()
      // a failing send (43101: no accept left) is not reported
      await fetch(`${sandbox.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ touser: alice, template_id: 'tmpl-a', data: { thing1: { value: '已发货' } } }),
      })
      const sent = (await sandbox.pushes()).filter((p) => p.event === 'subscribe_msg_sent_event')
      expect(sent).toHaveLength(2)
      const xmls = receiver.posts().map((p) => open(p, TEST_APPID)).filter((x) => x.includes('subscribe_msg_sent_event'))
      expect(xmls).toHaveLength(2)
      const item = (xml: string) => /<SubscribeMsgSentEvent><List>([\s\S]*?)<\/List><\/SubscribeMsgSentEvent>/.exec(xml)![1]!
      expect([xmlText(item(xmls[0]!), 'TemplateId'), xmlText(item(xmls[0]!), 'MsgID'), xmlText(item(xmls[0]!), 'ErrorCode'), xmlText(item(xmls[0]!), 'ErrorStatus')]).toEqual([
        'tmpl-a',
        first,
        '0',
        'success',
      ])
      expect([xmlText(item(xmls[1]!), 'MsgID'), xmlText(item(xmls[1]!), 'ErrorCode'), xmlText(item(xmls[1]!), 'ErrorStatus')]).toEqual([second, '10005', 'fail_user_refuse'])
      expect((await sandbox.messages()).map((m) => m.delivery?.errorCode)).toEqual(['0', '10005'])
    })

    it('sends MsgID as a JSON string, exact above 2^53', async () => {
      receiver = await startReceiver()
      await configure()
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      const token = ((await (
        await fetch(`${sandbox.url}/cgi-bin/stable_token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ grant_type: 'client_credential', appid: TEST_APPID, secret: TEST_SECRET }),
        })
      ).json()) as { access_token: string }).access_token
      const answer = await (
        await fetch(`${sandbox.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ touser: alice, template_id: 'tmpl-a', data: { thing1: { value: '已发货' } } }),
        })
      ).text()
      const msgid = /"msgid":(\d+)/.exec(answer)![1]!
      await sandbox.pushes()
      const event = JSON.parse(open(receiver.posts().at(-1)!, TEST_APPID))
      expect(event).toMatchObject({ Event: 'subscribe_msg_sent_event', List: { TemplateId: 'tmpl-a', MsgID: msgid, ErrorCode: '0', ErrorStatus: 'success' } })
      expect(BigInt(event.List.MsgID) > 2n ** 53n).toBe(true)
    })
  })

  describe('Official Account follow and unfollow', () => {
    it('pushes subscribe and unsubscribe as XML with the OA openid (secure mode, openid in the query)', async () => {
      receiver = await startReceiver()
      await configure({ appid: TEST_OA_APPID, mode: 'secure', format: 'xml' })
      const oaOpenid = sandboxOpenid(TEST_OA_APPID, 'bob')
      await sandbox.follow('bob')
      await sandbox.follow('bob') // already following: nothing happens
      await sandbox.unfollow('bob')
      await sandbox.pushes()
      const posts = receiver.posts()
      expect(posts).toHaveLength(2)
      const [follow, unfollow] = posts.map((p) => open(p, TEST_OA_APPID))
      expect(posts[0]!.query.openid).toBe(oaOpenid)
      for (const [xml, event] of [
        [follow!, 'subscribe'],
        [unfollow!, 'unsubscribe'],
      ] as const) {
        expect(xmlText(xml, 'ToUserName')).toBe(originalIdOf({ appid: TEST_OA_APPID, secret: '' }))
        expect(xmlText(xml, 'FromUserName')).toBe(oaOpenid)
        expect(xmlText(xml, 'CreateTime')).toMatch(/^\d{10}$/)
        expect(xmlText(xml, 'MsgType')).toBe('event')
        expect(xmlText(xml, 'Event')).toBe(event)
      }
    })

    it('pushes plain XML with signature, timestamp, nonce and openid', async () => {
      receiver = await startReceiver()
      await configure({ appid: TEST_OA_APPID, format: 'xml' })
      await sandbox.follow('carol')
      await sandbox.pushes()
      const [post] = receiver.posts()
      expect(Object.keys(post!.query).sort()).toEqual(['nonce', 'openid', 'signature', 'timestamp'])
      expect(xmlText(open(post!, TEST_OA_APPID), 'Event')).toBe('subscribe')
    })
  })

  describe('delivery like WeChat', () => {
    it('retries a push answered 500, then stops at success; every retry is the same request', async () => {
      receiver = await startReceiver((r, i) => (r.method === 'POST' && i <= 2 ? { status: 500, body: 'oops' } : {}))
      await configure() // request 0 is the handshake
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      const [push] = await sandbox.pushes()
      expect(push).toMatchObject({ outcome: 'delivered' })
      expect(push!.attempts.map((a) => a.status)).toEqual([500, 500, 200])
      const posts = receiver.posts()
      expect(posts).toHaveLength(3)
      expect(new Set(posts.map((p) => p.body + JSON.stringify(p.query))).size).toBe(1)
    })

    it('retries an answer that is not `success` or empty, and a receiver that does not answer in time', async () => {
      receiver = await startReceiver((r, i) => (r.method !== 'POST' ? {} : i === 1 ? { body: 'ok' } : i === 2 ? { delayMs: 1500 } : { body: '' }))
      await configure()
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      const [push] = await sandbox.pushes()
      expect(push!.outcome).toBe('delivered')
      expect(push!.attempts).toHaveLength(3)
      expect(push!.attempts[0]).toMatchObject({ status: 200, body: 'ok', ok: false })
      expect(push!.attempts[1]!.error).toMatch(/no answer within 500 ms/)
      expect(push!.attempts[2]).toMatchObject({ status: 200, ok: true })
    })

    it('gives up after three retries', async () => {
      receiver = await startReceiver((r) => (r.method === 'POST' ? { status: 503 } : {}))
      await configure()
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      const [push] = await sandbox.pushes()
      expect(push).toMatchObject({ outcome: 'failed' })
      expect(push!.attempts).toHaveLength(4)
      expect(receiver.posts()).toHaveLength(4)
    })

    it('replays the last push: the same event again, freshly signed and encrypted', async () => {
      receiver = await startReceiver()
      await configure({ mode: 'secure' })
      await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      await sandbox.pushes()
      const replay = await sandbox.replayPush(TEST_APPID)
      const pushes = await sandbox.pushes()
      expect(pushes).toHaveLength(2)
      expect(pushes[1]).toMatchObject({ id: replay.id, replayOf: pushes[0]!.id, outcome: 'delivered', event: 'subscribe_msg_popup_event' })
      const [first, again] = receiver.posts()
      expect(open(again!, TEST_APPID)).toBe(open(first!, TEST_APPID))
      expect(again!.body).not.toBe(first!.body)
    })

    it('reset forgets push configurations and records', async () => {
      receiver = await startReceiver()
      await configure()
      await sandbox.reset()
      const tap = await sandbox.subscribe('alice', { 'tmpl-a': 'accept' })
      expect(tap.push).toMatchObject({ outcome: 'not-configured' })
      expect(await sandbox.pushes()).toHaveLength(1)
      expect(receiver.posts()).toHaveLength(0)
    })
  })
})
