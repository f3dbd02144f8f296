import { describe, expect, it, beforeAll } from 'vitest'
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
