import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { subscribeValueFits } from '../../tools/wechat-sandbox/sandbox.js'
import { sandboxOpenid, sandboxUnionid } from '../../tools/wechat-sandbox/users.js'
import { startSandbox, TEST_APPID, TEST_OA_APPID, TEST_OA_SECRET, TEST_SECRET, type TestSandbox } from '../helpers/sandbox.js'

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })

async function tokenOf(sandbox: TestSandbox, appid: string, secret: string): Promise<string> {
  const answer = (await (await post(`${sandbox.url}/cgi-bin/stable_token`, { grant_type: 'client_credential', appid, secret })).json()) as { access_token: string }
  return answer.access_token
}

describe('WeChat sandbox', () => {
  it('checks appid and secret like WeChat (40013, 40125)', async () => {
    const sandbox = await startSandbox()
    try {
      const token = (body: object) =>
        fetch(`${sandbox.url}/cgi-bin/stable_token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json())
      expect(await token({ grant_type: 'client_credential', appid: 'wxnope', secret: TEST_SECRET })).toMatchObject({ errcode: 40013 })
      expect(await token({ grant_type: 'client_credential', appid: TEST_APPID, secret: 'wrong' })).toMatchObject({ errcode: 40125 })
      const first = await token({ grant_type: 'client_credential', appid: TEST_APPID, secret: TEST_SECRET })
      const second = await token({ grant_type: 'client_credential', appid: TEST_APPID, secret: TEST_SECRET })
      expect(second.access_token).toBe(first.access_token)
      const forced = await token({ grant_type: 'client_credential', appid: TEST_APPID, secret: TEST_SECRET, force_refresh: true })
      expect(forced.access_token).not.toBe(first.access_token)
    } finally {
      await sandbox.close()
    }
  })

  it('rejects subscribe data over WeChat value limits with 47003', async () => {
    expect(subscribeValueFits('thing1', '一二三四五六七八九十一二三四五六七八九十')).toBe(true)
    expect(subscribeValueFits('thing1', '一二三四五六七八九十一二三四五六七八九十一')).toBe(false)
    expect(subscribeValueFits('phrase2', '已发货')).toBe(true)
    expect(subscribeValueFits('phrase2', 'shipped')).toBe(false)
    expect(subscribeValueFits('character_string3', 'SF1234567890')).toBe(true)
    expect(subscribeValueFits('amount4', '¥12.50')).toBe(true)
    expect(subscribeValueFits('time5', '2026-11-23 10:00')).toBe(true)
  })
})

describe('WeChat sandbox: subscribe consent, enforced like WeChat', () => {
  let sandbox: TestSandbox
  let token: string
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(async () => {
    await sandbox.close()
  })
  beforeEach(async () => {
    await sandbox.reset()
    token = await tokenOf(sandbox, TEST_APPID, TEST_SECRET)
  })

  const send = async (user: string, templateId = 'tmpl-shipped', data: Record<string, { value: string }> = { thing1: { value: '您的订单已发货' } }) => {
    const response = await post(`${sandbox.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
      touser: sandboxOpenid(TEST_APPID, user),
      template_id: templateId,
      page: 'pages/card/index',
      data,
      miniprogram_state: 'formal',
    })
    return JSON.parse((await response.text()).replace(/"msgid":(\d+)/, '"msgid":"$1"')) as { errcode: number; errmsg: string; msgid?: string }
  }
  const balance = async (user: string, templateId = 'tmpl-shipped') => (await sandbox.subscriptions(user)).balances[templateId] ?? 0

  it('answers 43101 to a send without an accept', async () => {
    expect(await send('alice')).toMatchObject({ errcode: 43101, errmsg: expect.stringContaining('user refuse to accept the msg') })
    expect(await sandbox.messages()).toEqual([])
  })

  it('lets one accept pay for exactly one message', async () => {
    const tap = await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    expect(tap.openid).toBe(sandboxOpenid(TEST_APPID, 'alice'))
    expect(tap.result).toEqual({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-shipped': 'accept' })
    expect(tap.balances).toEqual({ 'tmpl-shipped': 1 })
    expect(await send('alice')).toMatchObject({ errcode: 0 })
    expect(await balance('alice')).toBe(0)
    expect(await send('alice')).toMatchObject({ errcode: 43101 })
    expect(await sandbox.messages()).toHaveLength(1)
  })

  it('accumulates accepts: three taps pay for three messages, per user and per template', async () => {
    for (let i = 0; i < 3; i++) await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept', 'tmpl-delivered': 'reject' })
    expect(await sandbox.subscriptions('alice')).toMatchObject({ balances: { 'tmpl-shipped': 3 } })
    expect(await send('bob')).toMatchObject({ errcode: 43101 }) // another user's accepts are not bob's
    expect(await send('alice', 'tmpl-delivered')).toMatchObject({ errcode: 43101 }) // nor another template's
    for (let i = 0; i < 3; i++) expect(await send('alice')).toMatchObject({ errcode: 0 })
    expect(await send('alice')).toMatchObject({ errcode: 43101 })
  })

  it('consumes nothing on a send that fails for another reason (47003, 40037, 40003, a fault)', async () => {
    await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    expect(await send('alice', 'tmpl-shipped', { thing1: { value: '一二三四五六七八九十一二三四五六七八九十一' } })).toMatchObject({ errcode: 47003 })
    expect(await send('alice', 'tmpl-shipped', { phrase2: { value: 'shipped' } })).toMatchObject({ errcode: 47003 })
    await sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, errcode: 45011 })
    expect(await send('alice')).toMatchObject({ errcode: 45011 })
    await sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, status: 502 })
    const outage = await post(`${sandbox.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
      touser: sandboxOpenid(TEST_APPID, 'alice'),
      template_id: 'tmpl-shipped',
      data: { thing1: { value: '已发货' } },
    })
    expect(outage.status).toBe(502)
    expect(await balance('alice')).toBe(1)
    // the Official Account's openid for alice is not an openid of the mini-program
    const wrongOpenid = await post(`${sandbox.url}/cgi-bin/message/subscribe/send?access_token=${token}`, {
      touser: (await sandbox.follow('alice')).openid,
      template_id: 'tmpl-shipped',
      data: { thing1: { value: '已发货' } },
    })
    expect(await wrongOpenid.json()).toMatchObject({ errcode: 40003 })
    await post(`${sandbox.url}/sandbox/templates`, { templateIds: ['tmpl-known'] })
    expect(await send('alice')).toMatchObject({ errcode: 40037 })
    await sandbox.reset()
    token = await tokenOf(sandbox, TEST_APPID, TEST_SECRET)
    await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    await sandbox.fault({ path: '/cgi-bin/message/subscribe/send', count: 1, errcode: 40001 })
    expect(await send('alice')).toMatchObject({ errcode: 40001 })
    expect(await balance('alice')).toBe(1)
    expect(await send('alice')).toMatchObject({ errcode: 0 })
    expect(await send('alice')).toMatchObject({ errcode: 43101 })
  })

  it('adds nothing for reject and filter', async () => {
    const tap = await sandbox.subscribe('alice', { 'tmpl-shipped': 'reject', 'tmpl-delivered': 'filter' })
    expect(tap.result).toEqual({ errMsg: 'requestSubscribeMessage:ok', 'tmpl-shipped': 'reject', 'tmpl-delivered': 'filter' })
    expect(tap.balances).toEqual({ 'tmpl-shipped': 0, 'tmpl-delivered': 0 })
    expect(await send('alice')).toMatchObject({ errcode: 43101 })
  })

  it('treats ban as WeChat banning the template for the app: nothing granted, later accepts answer ban', async () => {
    await sandbox.subscribe('bob', { 'tmpl-shipped': 'accept' })
    const tap = await sandbox.subscribe('alice', { 'tmpl-shipped': 'ban', 'tmpl-delivered': 'accept' })
    expect(tap.result).toMatchObject({ 'tmpl-shipped': 'ban', 'tmpl-delivered': 'accept' })
    const again = await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    expect(again.result).toMatchObject({ 'tmpl-shipped': 'ban' })
    expect(again.balances).toEqual({ 'tmpl-shipped': 0 })
    expect((await sandbox.subscribe('carol', { 'tmpl-shipped': 'accept' })).result).toMatchObject({ 'tmpl-shipped': 'ban' })
    expect(await send('alice')).toMatchObject({ errcode: 43101 })
    expect(await send('bob')).toMatchObject({ errcode: 43101 }) // the template is banned: bob's earlier accept is worth nothing
    expect(await send('alice', 'tmpl-delivered')).toMatchObject({ errcode: 0 })
    expect((await sandbox.subscriptions('alice')).banned).toEqual(['tmpl-shipped'])
  })

  it('takes at most three template ids per tap, and only known ones once templates are registered', async () => {
    const tap = (results: Record<string, string>) => post(`${sandbox.url}/sandbox/subscribe`, { user: 'alice', results })
    expect((await tap({ a: 'accept', b: 'accept', c: 'accept', d: 'accept' })).status).toBe(400)
    expect((await tap({})).status).toBe(400)
    expect((await tap({ a: 'maybe' })).status).toBe(400)
    expect((await tap({ a: 'accept', b: 'accept', c: 'accept' })).status).toBe(200)
    await post(`${sandbox.url}/sandbox/templates`, { templateIds: ['tmpl-shipped'] })
    const unknown = await tap({ 'tmpl-unknown': 'accept' })
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({ errCode: 20001 })
    expect(await balance('alice', 'tmpl-unknown')).toBe(0)
    // a tap for the Official Account is not a mini-program subscribe dialog
    expect((await post(`${sandbox.url}/sandbox/subscribe`, { user: 'alice', appid: TEST_OA_APPID, results: { a: 'accept' } })).status).toBe(400)
  })

  it('drops the balance when the user switches a template off, and stops asking for it', async () => {
    await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    const change = await sandbox.switchOff('alice', ['tmpl-shipped'])
    expect(change.balances).toEqual({ 'tmpl-shipped': 0 })
    expect(await send('alice')).toMatchObject({ errcode: 43101 })
    const tap = await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    expect(tap.result).toMatchObject({ 'tmpl-shipped': 'reject' })
    expect(tap.balances).toEqual({ 'tmpl-shipped': 0 })
    // switched back on in settings: asking works again (switching on grants nothing by itself)
    const on = await post(`${sandbox.url}/sandbox/subscribe/change`, { user: 'alice', templateIds: ['tmpl-shipped'], status: 'accept' })
    expect(await on.json()).toMatchObject({ balances: { 'tmpl-shipped': 0 } })
    await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept' })
    expect(await send('alice')).toMatchObject({ errcode: 0 })
  })

  it('can be told not to enforce consent (enforceConsent: false)', async () => {
    const lenient = await startSandbox({ enforceConsent: false })
    try {
      const t = await tokenOf(lenient, TEST_APPID, TEST_SECRET)
      const response = await post(`${lenient.url}/cgi-bin/message/subscribe/send?access_token=${t}`, {
        touser: sandboxOpenid(TEST_APPID, 'alice'),
        template_id: 'tmpl-shipped',
        data: { thing1: { value: '已发货' } },
      })
      expect(await response.text()).toMatch(/"errcode":0/)
    } finally {
      await lenient.close()
    }
  })

  it('reset clears consents and bans', async () => {
    await sandbox.subscribe('alice', { 'tmpl-shipped': 'accept', 'tmpl-delivered': 'ban' })
    await sandbox.reset()
    expect(await sandbox.subscriptions('alice')).toMatchObject({ balances: {}, banned: [], switchedOff: [] })
  })
})

describe('WeChat sandbox: the Official Account', () => {
  let sandbox: TestSandbox
  let oaToken: string
  beforeAll(async () => {
    sandbox = await startSandbox()
  })
  afterAll(async () => {
    await sandbox.close()
  })
  beforeEach(async () => {
    await sandbox.reset()
    oaToken = await tokenOf(sandbox, TEST_OA_APPID, TEST_OA_SECRET)
  })

  const userInfo = async (openid: string, token = oaToken) =>
    (await fetch(`${sandbox.url}/cgi-bin/user/info?access_token=${token}&openid=${openid}&lang=zh_CN`)).json()
  const sendTemplate = async (touser: string, data: Record<string, { value: string }> = { thing1: { value: '订单已发货' } }, token = oaToken) => {
    const response = await post(`${sandbox.url}/cgi-bin/message/template/send?access_token=${token}`, {
      touser,
      template_id: 'oa-tmpl-shipped',
      miniprogram: { appid: TEST_APPID, pagepath: 'pages/card/index' },
      data,
    })
    return JSON.parse((await response.text()).replace(/"msgid":(\d+)/, '"msgid":"$1"')) as { errcode: number; msgid?: string }
  }

  it('gives a follower a different openid from the mini-program, and user/info with the unionid', async () => {
    const { openid } = await sandbox.follow('alice')
    expect(openid).toBe(sandboxOpenid(TEST_OA_APPID, 'alice'))
    expect(openid).not.toBe(sandboxOpenid(TEST_APPID, 'alice'))
    const info = await userInfo(openid)
    expect(info).toMatchObject({ subscribe: 1, openid, unionid: sandboxUnionid('alice'), language: 'zh_CN' })
    expect(info.subscribe_time).toBeGreaterThan(1_600_000_000)
    expect(info).not.toHaveProperty('nickname')
  })

  it('tells nothing but subscribe 0 about a non-follower, also after an unfollow', async () => {
    const bob = sandboxOpenid(TEST_OA_APPID, 'bob')
    expect(await userInfo(bob)).toEqual({ subscribe: 0, openid: bob })
    await sandbox.follow('bob')
    await sandbox.unfollow('bob')
    expect(await userInfo(bob)).toEqual({ subscribe: 0, openid: bob })
  })

  it('refuses an openid of the mini-program (40003) and a mini-program token (48001)', async () => {
    await sandbox.code('alice') // the sandbox knows alice's mini-program openid once it handed it out
    const code = await sandbox.code('alice')
    await fetch(`${sandbox.url}/sns/jscode2session?appid=${TEST_APPID}&secret=${TEST_SECRET}&js_code=${code}&grant_type=authorization_code`)
    expect(await userInfo(sandboxOpenid(TEST_APPID, 'alice'))).toMatchObject({ errcode: 40003 })
    expect(await userInfo('not-an-openid')).toMatchObject({ errcode: 40003 })
    const mpToken = await tokenOf(sandbox, TEST_APPID, TEST_SECRET)
    expect(await userInfo(sandboxOpenid(TEST_OA_APPID, 'alice'), mpToken)).toMatchObject({ errcode: 48001 })
    await sandbox.follow('alice')
    expect(await sendTemplate(sandboxOpenid(TEST_OA_APPID, 'alice'), undefined, mpToken)).toMatchObject({ errcode: 48001 })
  })

  it('sends template messages to followers only (43004), keeping long values as sent', async () => {
    const carol = sandboxOpenid(TEST_OA_APPID, 'carol')
    expect(await sendTemplate(carol)).toMatchObject({ errcode: 43004 })
    await sandbox.follow('carol')
    const long = '您的订单已由顺丰速运发出，预计明天送达，请保持电话畅通'
    const sent = await sendTemplate(carol, { thing1: { value: long }, character_string2: { value: 'SF1234567890' } })
    expect(sent).toMatchObject({ errcode: 0 })
    const recorded = (await sandbox.messages()).filter((m) => m.kind === 'template')
    expect(recorded).toHaveLength(1)
    expect(recorded[0]).toMatchObject({ appid: TEST_OA_APPID, msgid: sent.msgid, body: { touser: carol, data: { thing1: { value: long } } } })
    expect(recorded[0]!.shown!.thing1).toBe([...long].slice(0, 20).join('') + '…')
    expect(recorded[0]!.shown!.character_string2).toBe('SF1234567890')
    await sandbox.unfollow('carol')
    expect(await sendTemplate(carol)).toMatchObject({ errcode: 43004 })
  })

  it('reset clears the followers', async () => {
    const { openid } = await sandbox.follow('dave')
    await sandbox.reset()
    oaToken = await tokenOf(sandbox, TEST_OA_APPID, TEST_OA_SECRET)
    expect(await userInfo(openid)).toEqual({ subscribe: 0, openid })
  })
})
