import { describe, expect, it, beforeAll, afterEach } from 'vitest'
import type { MediaCheckVerdict } from '../../../server/src/modules/messaging/push.js'
import { sandboxUnionid } from '../../../tools/wechat-sandbox/users.js'
import { useTestApp } from '../../helpers/app.js'
import { TEST_APPID, TEST_OA_APPID } from '../../helpers/sandbox.js'

const TOKEN = 'pushToken123'
const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG'
const OA_TOKEN = 'oaPushToken456'

/**
 * WeChat's message push, sent by the sandbox the way WeChat sends it (signed, JSON or XML, plain or AES, retried,
 * replayed) to the server listening on a real port: accepts counted once with the mini-program's report, switches
 * off, delivery reports, Official Account follows joined by unionid; bad signatures refused.
 */
describe('WeChat message push', () => {
  const t = useTestApp({ WECHAT_PUSH_TOKEN: TOKEN, WECHAT_PUSH_AES_KEY: AES_KEY, WECHAT_OA_PUSH_TOKEN: OA_TOKEN })
  let base = ''
  const model = (name: string) => t.app.db.connection.model(name)

  beforeAll(async () => {
    base = await t.app.listen({ port: 0, host: '127.0.0.1' })
    for (const kind of ['shipped', 'delivered'] as const) {
      await t.app.messaging.mappings.set(kind, 'subscribe', { templateId: `tpl-${kind}` }, { actor: 'ops', role: 'admin' })
      await t.app.messaging.mappings.set(kind, 'official_account', { templateId: `oa-${kind}` }, { actor: 'ops', role: 'admin' })
    }
  })

  it('passes WeChat’s URL check, and counts an accept pushed (secure JSON) and reported by the mini-program once', async () => {
    await t.sandbox.configurePush({ appid: TEST_APPID, url: `${base}/api/wechat/push`, token: TOKEN, encodingAESKey: AES_KEY, mode: 'secure', format: 'json', verify: true })
    expect((await t.sandbox.handshake(TEST_APPID)).passed).toBe(true)
    const me = await t.login('push-accept')
    await t.sandbox.subscribe('push-accept', { 'tpl-shipped': 'accept', 'tpl-delivered': 'reject' })
    const pushes = await t.sandbox.pushes({ appid: TEST_APPID })
    expect(pushes.at(-1)).toMatchObject({ outcome: 'delivered' })
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-shipped')).toBe(1)
    // the same tap, as the mini-program reports it: still one
    await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: { authorization: `Bearer ${me.token}` }, payload: { results: { 'tpl-shipped': 'accept' } } })
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-shipped')).toBe(1)
    // WeChat's retry of the same push changes nothing
    await t.sandbox.replayPush(TEST_APPID)
    await t.sandbox.pushes({ appid: TEST_APPID })
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-shipped')).toBe(1)

    // the send uses it; WeChat's delivery report lands on the message
    await t.sandbox.failNextDelivery({ appid: TEST_APPID, errorCode: '10005', errorStatus: 'fail_user_refuse' })
    await t.app.messaging.enqueue([{ dedupeKey: 'shipped:PUSH-1', kind: 'shipped', memberId: me.memberId, data: { orderId: 'PUSH-1', carrier: 'SF', trackingNo: 'SF1', item: '戒指' } }])
    await t.app.jobs.drain()
    await t.sandbox.pushes({ appid: TEST_APPID })
    expect(await model('Message').findOne({ dedupeKey: 'shipped:PUSH-1' }).lean()).toMatchObject({ status: 'sent', deliveryReport: '10005 fail_user_refuse' })

    // switched off in WeChat's settings: nothing left
    await t.sandbox.subscribe('push-accept', { 'tpl-shipped': 'accept' })
    await t.sandbox.switchOff('push-accept', ['tpl-shipped'])
    await t.sandbox.pushes({ appid: TEST_APPID })
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-shipped')).toBe(0)
  })

  it('takes plain XML pushes with List as one item or several', async () => {
    await t.sandbox.configurePush({ appid: TEST_APPID, url: `${base}/api/wechat/push`, token: TOKEN, mode: 'plain', format: 'xml', verify: true })
    const me = await t.login('push-xml')
    await t.sandbox.subscribe('push-xml', { 'tpl-shipped': 'accept' })
    await t.sandbox.subscribe('push-xml', { 'tpl-shipped': 'accept', 'tpl-delivered': 'accept' })
    await t.sandbox.pushes({ appid: TEST_APPID })
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-shipped')).toBe(2)
    expect(await t.app.messaging.subscriptions.balance(me.memberId as never, 'tpl-delivered')).toBe(1)
  })

  it('records Official Account follows with the unionid fetched at follow time, and forgets them on unfollow', async () => {
    await t.sandbox.configurePush({ appid: TEST_OA_APPID, url: `${base}/api/wechat/oa-push`, token: OA_TOKEN, mode: 'plain', format: 'xml', verify: true })
    const me = await t.login('push-follower')
    const { openid } = await t.sandbox.follow('push-follower')
    await t.sandbox.pushes({ appid: TEST_OA_APPID })
    expect(await model('OaFollower').findById(openid).lean()).toMatchObject({ unionid: sandboxUnionid('push-follower') })
    // a shipment with no subscription reaches the follower through the Official Account
    await t.app.messaging.enqueue([{ dedupeKey: 'shipped:PUSH-OA', kind: 'shipped', memberId: me.memberId, data: { orderId: 'PUSH-OA', carrier: 'SF', trackingNo: 'SF2', item: '项链' } }])
    await t.app.jobs.drain()
    expect(await model('Message').findOne({ dedupeKey: 'shipped:PUSH-OA' }).lean()).toMatchObject({ status: 'sent', channel: 'official_account' })
    await t.sandbox.unfollow('push-follower')
    await t.sandbox.pushes({ appid: TEST_OA_APPID })
    expect(await model('OaFollower').findById(openid).lean()).toBeNull()
  })

  describe('media-check verdicts (wxa_media_check) reach the module that registered for them', () => {
    const removals: (() => void)[] = []
    afterEach(() => {
      for (const remove of removals.splice(0)) remove()
    })
    /** collects the verdicts handed to a handler registered with app.messaging.push.onMediaCheck */
    const collectVerdicts = (fail?: () => boolean) => {
      const verdicts: MediaCheckVerdict[] = []
      removals.push(
        t.app.messaging.push.onMediaCheck(async (verdict) => {
          if (fail?.()) throw new Error('the reviews store is down')
          verdicts.push(verdict)
        }),
      )
      return verdicts
    }
    const openidOf = async (user: string) => {
      const me = await t.login(user)
      return (await model('Member').findById(me.memberId).lean<{ openid: string }>())!.openid
    }
    const checkPhoto = (openid: string, name: string) =>
      t.app.wechat.checkMediaAsync({ openid, mediaUrl: `${base}/photos/${name}`, mediaType: 'image', scene: 2 })

    it('hands a verdict pushed in secure JSON to the handler once, even when WeChat replays it', async () => {
      await t.sandbox.configurePush({ appid: TEST_APPID, url: `${base}/api/wechat/push`, token: TOKEN, encodingAESKey: AES_KEY, mode: 'secure', format: 'json', verify: true })
      await t.sandbox.setContentRules([{ kind: 'media', contains: 'risky', suggest: 'risky', label: 20002 }], { replace: true })
      const verdicts = collectVerdicts()
      const openid = await openidOf('push-media-json')
      const { traceId } = await checkPhoto(openid, 'risky.jpg')
      expect(verdicts).toEqual([]) // nothing until WeChat pushes the verdict
      const [released] = await t.sandbox.releaseMediaChecks({ traceIds: [traceId] })
      expect(released!.push).toMatchObject({ outcome: 'delivered' })
      expect(verdicts).toEqual([{ traceId, openid, suggest: 'risky', label: 20002, errcode: 0 }])
      await t.sandbox.replayPush(TEST_APPID)
      expect((await t.sandbox.pushes({ appid: TEST_APPID })).at(-1)).toMatchObject({ outcome: 'delivered', replayOf: released!.push!.id })
      expect(verdicts).toHaveLength(1)
    })

    it('lets WeChat’s retry run the handler again when it failed, and counts the verdict once', async () => {
      await t.sandbox.configurePush({ appid: TEST_APPID, url: `${base}/api/wechat/push`, token: TOKEN, mode: 'plain', format: 'json', verify: true })
      let failures = 1
      const verdicts = collectVerdicts(() => failures-- > 0)
      const openid = await openidOf('push-media-retry')
      const { traceId } = await checkPhoto(openid, 'fine.jpg')
      const [released] = await t.sandbox.releaseMediaChecks({ traceIds: [traceId] })
      const push = (await t.sandbox.pushes({ appid: TEST_APPID })).find((p) => p.id === released!.push!.id)!
      expect(push.attempts.map((a) => a.status)).toEqual([500, 200])
      expect(push.outcome).toBe('delivered')
      expect(verdicts).toEqual([{ traceId, openid, suggest: 'pass', label: 100, errcode: 0 }])
    })

    it('reads plain XML pushes, and tells two verdicts for one user apart by trace_id', async () => {
      await t.sandbox.configurePush({ appid: TEST_APPID, url: `${base}/api/wechat/push`, token: TOKEN, mode: 'plain', format: 'xml', verify: true })
      await t.sandbox.setContentRules([{ kind: 'media', contains: 'maybe', suggest: 'review', label: 21000 }], { replace: true })
      const verdicts = collectVerdicts()
      // the raw message, as the generic hook hands it: XML values are strings
      const raw: Record<string, unknown>[] = []
      removals.push(t.app.messaging.push.onMiniProgramEvent('wxa_media_check', async (message) => void raw.push(message)))
      const openid = await openidOf('push-media-xml')
      const first = await checkPhoto(openid, 'a.jpg')
      const second = await checkPhoto(openid, 'maybe.jpg')
      const released = await t.sandbox.releaseMediaChecks()
      expect(released.map((c) => c.push?.outcome)).toEqual(['delivered', 'delivered'])
      expect(verdicts).toEqual([
        { traceId: first.traceId, openid, suggest: 'pass', label: 100, errcode: 0 },
        { traceId: second.traceId, openid, suggest: 'review', label: 21000, errcode: 0 },
      ])
      expect(raw[0]).toMatchObject({ Event: 'wxa_media_check', FromUserName: openid, trace_id: first.traceId, version: '2', result: { suggest: 'pass', label: '100' } })
    })

    it('keeps a receipt per trace_id: two verdicts in the same second are both handled, each once', async () => {
      const verdicts = collectVerdicts()
      const verdict = (traceId: string) => ({
        ToUserName: 'gh_test',
        FromUserName: 'o-same-second-user-0000000000',
        CreateTime: 1_780_000_000,
        MsgType: 'event',
        Event: 'wxa_media_check',
        appid: TEST_APPID,
        trace_id: traceId,
        version: 2,
        detail: [{ strategy: 'content_model', errcode: 0, suggest: 'pass', label: 100, prob: 90 }],
        errcode: 0,
        errmsg: 'ok',
        result: { suggest: 'pass', label: 100 },
      })
      await t.app.messaging.push.miniProgram(verdict('6a000001-00000001-00000001'))
      await t.app.messaging.push.miniProgram(verdict('6a000001-00000002-00000002'))
      await t.app.messaging.push.miniProgram(verdict('6a000001-00000001-00000001'))
      expect(verdicts.map((v) => v.traceId)).toEqual(['6a000001-00000001-00000001', '6a000001-00000002-00000002'])
    })

    it('keeps the subscribe events to messaging', () => {
      expect(() => t.app.messaging.push.onMiniProgramEvent('subscribe_msg_popup_event', async () => undefined)).toThrow(/handled by messaging/)
    })
  })

  it('refuses a push with a bad signature, changing nothing', async () => {
    const before = await model('MessageAccept').countDocuments()
    const forged = await fetch(`${base}/api/wechat/push?signature=0000&timestamp=1&nonce=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ FromUserName: 'o123', CreateTime: 1, MsgType: 'event', Event: 'subscribe_msg_popup_event', List: { TemplateId: 'tpl-shipped', SubscribeStatusString: 'accept' } }),
    })
    expect(forged.status).toBe(401)
    expect((await fetch(`${base}/api/wechat/push?signature=x&timestamp=1&nonce=2&echostr=hello`)).status).toBe(401)
    expect(await model('MessageAccept').countDocuments()).toBe(before)
  })
})
