import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { WechatApiError, WechatUnreachableError } from '../../../server/src/core/wechat/errors.js'
import { startTestApp, type TestContext } from '../../helpers/app.js'
import { TEST_APPID } from '../../helpers/sandbox.js'

describe('WechatClient (against the sandbox over HTTP)', () => {
  let t: TestContext
  let openid: string
  beforeAll(async () => {
    t = await startTestApp()
    const me = await t.login('wx-client')
    openid = (await t.models.Member.findById(me.memberId).lean())!.openid
  })
  afterAll(async () => {
    await t.close()
  })
  beforeEach(async () => {
    await t.models.WechatToken.deleteMany({})
  })

  // the sandbox enforces consent like WeChat: each send needs an unused accept, so the member taps "allow" first
  const send = () =>
    t.app.wechat.sendSubscribeMessage({ touser: openid, templateId: 'tmpl-shipping', page: 'pages/card/index', data: { thing1: { value: '您的订单已发货' } } })
  const subscribe = async () => {
    await t.sandbox.subscribe('wx-client', { 'tmpl-shipping': 'accept' })
    return send()
  }

  it('fetches the access token once with stable_token and shares it through the database', async () => {
    await subscribe()
    await subscribe()
    const calls = (await t.sandbox.calls()).map((c) => c.path)
    expect(calls.filter((p) => p === '/cgi-bin/stable_token')).toHaveLength(1)
    expect(calls).not.toContain('/cgi-bin/token')
    const stored = await t.app.wechatTokens.get(TEST_APPID)
    expect(stored?.accessToken).toBeTruthy()
    expect(stored!.expireTime).toBeGreaterThan(Date.now())
  })

  it('keeps msgid, an integer above 2^53, exact as a string', async () => {
    const { msgid } = await subscribe()
    const recorded = (await t.sandbox.messages()).at(-1)!
    expect(msgid).toBe(recorded.msgid)
    expect(BigInt(msgid) > 2n ** 53n).toBe(true)
  })

  it('refreshes the token and retries once when it expired mid-call (42001)', async () => {
    await subscribe()
    const staleToken = (await t.app.wechatTokens.get(TEST_APPID))!.accessToken
    await t.sandbox.expireTokens()
    const before = (await t.sandbox.messages()).length
    await subscribe()
    expect((await t.sandbox.messages()).length).toBe(before + 1)
    const fresh = (await t.app.wechatTokens.get(TEST_APPID))!.accessToken
    expect(fresh).not.toBe(staleToken)
  })

  it('refreshes and retries once on 40001 (token retired elsewhere)', async () => {
    await subscribe()
    await t.sandbox.revokeTokens()
    await expect(subscribe()).resolves.toHaveProperty('msgid')
  })

  it('retries only once: a second stale answer surfaces as the WeChat error', async () => {
    await subscribe()
    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 2, errcode: 40001 })
    await expect(subscribe()).rejects.toMatchObject({ errcode: 40001 })
  })

  it('reports WeChat errors by errcode and outages as unreachable', async () => {
    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, errcode: 43101 })
    await expect(subscribe()).rejects.toBeInstanceOf(WechatApiError)
    await t.sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, status: 500 })
    await expect(subscribe()).rejects.toBeInstanceOf(WechatUnreachableError)
  })

  it('reads a phone number with the shared token', async () => {
    await expect(t.app.wechat.phoneNumber('phone-13800138000')).resolves.toEqual({ phoneNumber: '13800138000', countryCode: '86' })
  })

  it('sends Official Account template messages through wechat-api, refreshing a stale token once', async () => {
    // only followers get template messages (else 43004), under the OA's own openid for the member
    const { openid: oaOpenid } = await t.sandbox.follow('wx-client')
    const send = () =>
      t.app.wechat.sendTemplateMessage({
        touser: oaOpenid,
        templateId: 'oa-tmpl-shipped',
        miniprogram: { appid: TEST_APPID, pagepath: 'pages/card/index' },
        data: { thing1: { value: '订单已发货' } },
      })
    await send()
    await t.sandbox.expireTokens()
    await expect(send()).resolves.toHaveProperty('msgid')
    const templates = (await t.sandbox.messages()).filter((m) => m.kind === 'template')
    expect(templates).toHaveLength(2)
    expect(templates[1]!.body).toMatchObject({ touser: oaOpenid, template_id: 'oa-tmpl-shipped' })
  })
})
