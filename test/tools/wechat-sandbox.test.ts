import { describe, expect, it } from 'vitest'
import { subscribeValueFits } from '../../tools/wechat-sandbox/sandbox.js'
import { startSandbox, TEST_APPID, TEST_SECRET } from '../helpers/sandbox.js'

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
