import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ContentScene } from '../../../server/src/core/wechat/client.js'
import { WechatApiError } from '../../../server/src/core/wechat/errors.js'
import { startTestApp, type TestContext } from '../../helpers/app.js'
import { TEST_APPID } from '../../helpers/sandbox.js'

const TRACE_ID = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/
/** a PNG's first bytes: enough for WeChat's download to have something to count */
const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')

/** A file host WeChat can download from: /photo.png is an image, anything else 404. */
async function startFileHost() {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/photo.png')) {
      res.writeHead(200, { 'content-type': 'image/png' })
      res.end(PHOTO)
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/**
 * WeChat's content security (v2) through the server's WechatClient against the sandbox over HTTP: msg_sec_check's
 * verdicts as the test's rules choose them, WeChat's refusals, the shared token refreshed on 40001/42001, and
 * media_check_async, whose verdict WeChat pushes after downloading the file (held here until the test releases it).
 */
describe('WechatClient content checks (against the sandbox over HTTP)', () => {
  let t: TestContext
  let files: Awaited<ReturnType<typeof startFileHost>>
  let openid: string
  beforeAll(async () => {
    t = await startTestApp()
    files = await startFileHost()
    const me = await t.login('content-author')
    openid = (await t.models.Member.findById(me.memberId).lean())!.openid
  })
  afterAll(async () => {
    await files.close()
    await t.close()
  })
  beforeEach(async () => {
    await t.sandbox.setContentRules([], { replace: true })
  })

  const checkText = (content: string, extra: { title?: string; scene?: ContentScene } = {}) =>
    t.app.wechat.checkText({ openid, content, scene: extra.scene ?? 2, title: extra.title })

  /** msg_sec_check called directly, for bodies the client never sends */
  const rawTextCheck = async (body: Record<string, unknown>) => {
    const token = await t.app.wechat.miniProgram.accessToken()
    const response = await fetch(`${t.sandbox.url}/wxa/msg_sec_check?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return (await response.json()) as { errcode: number; errmsg: string }
  }

  describe('checkText (msg_sec_check)', () => {
    it('passes text no rule matches, with label 100 and a trace id', async () => {
      const verdict = await checkText('戒指很漂亮，做工精细', { title: '好评' })
      expect(verdict).toEqual({ suggest: 'pass', label: 100, traceId: expect.stringMatching(TRACE_ID) })
      expect((await t.sandbox.textChecks()).at(-1)).toMatchObject({ traceId: verdict.traceId, openid, scene: 2, content: '戒指很漂亮，做工精细', title: '好评', suggest: 'pass' })
    })

    it('answers risky and review as the rules choose, matching the title too', async () => {
      await t.sandbox.setContentRules([
        { kind: 'text', contains: '加微信', suggest: 'risky', label: 10001 },
        { kind: 'text', contains: '退货', suggest: 'review' },
        // a media rule never decides a text
        { kind: 'media', contains: '', suggest: 'risky' },
      ])
      await expect(checkText('便宜货加微信')).resolves.toMatchObject({ suggest: 'risky', label: 10001 })
      await expect(checkText('还行', { title: '想退货' })).resolves.toMatchObject({ suggest: 'review', label: 21000 })
      await expect(checkText('很好')).resolves.toMatchObject({ suggest: 'pass', label: 100 })
      // the newest matching rule wins
      await t.sandbox.setContentRules([{ kind: 'text', contains: '加微信', suggest: 'pass' }])
      await expect(checkText('便宜货加微信')).resolves.toMatchObject({ suggest: 'pass', label: 100 })
    })

    it('refuses a malformed openid (40003) and another app’s openid (43104)', async () => {
      await expect(t.app.wechat.checkText({ openid: 'not-an-openid', content: '你好', scene: 2 })).rejects.toMatchObject({ errcode: 40003 })
      const { openid: officialAccountOpenid } = await t.sandbox.follow('content-author')
      const refused = t.app.wechat.checkText({ openid: officialAccountOpenid, content: '你好', scene: 2 })
      await expect(refused).rejects.toBeInstanceOf(WechatApiError)
      await expect(refused).rejects.toMatchObject({ errcode: 43104 })
    })

    it('refuses a scene outside 1–4 (40129), a wrong version or missing content (47001), empty content (44002)', async () => {
      await expect(checkText('你好', { scene: 5 as ContentScene })).rejects.toMatchObject({ errcode: 40129 })
      expect(await rawTextCheck({ version: 1, openid, scene: 2, content: '你好' })).toMatchObject({ errcode: 47001 })
      expect(await rawTextCheck({ openid, scene: 2, content: '你好' })).toMatchObject({ errcode: 47001 })
      expect(await rawTextCheck({ version: 2, openid, scene: 2 })).toMatchObject({ errcode: 47001 })
      expect(await rawTextCheck({ version: 2, openid, scene: 2, content: 'x'.repeat(2501) })).toMatchObject({ errcode: 47001 })
      await expect(checkText('')).rejects.toMatchObject({ errcode: 44002 })
    })

    it('refreshes the shared token and retries once when it expired (42001) or was retired (40001)', async () => {
      await checkText('第一次')
      const stale = (await t.app.wechatTokens.get(TEST_APPID))!.accessToken
      await t.sandbox.expireTokens()
      const callsBefore = (await t.sandbox.calls()).length
      await expect(checkText('过期之后')).resolves.toMatchObject({ suggest: 'pass' })
      const paths = (await t.sandbox.calls()).slice(callsBefore).map((c) => c.path)
      expect(paths).toEqual(['/wxa/msg_sec_check', '/cgi-bin/stable_token', '/wxa/msg_sec_check'])
      expect((await t.app.wechatTokens.get(TEST_APPID))!.accessToken).not.toBe(stale)
      await t.sandbox.revokeTokens()
      await expect(checkText('作废之后')).resolves.toMatchObject({ suggest: 'pass' })
    })

    it('reports WeChat’s 61010 (no recent visit) as the WeChat error', async () => {
      await t.sandbox.fault({ path: '/wxa/msg_sec_check', count: 1, errcode: 61010 })
      await expect(checkText('你好')).rejects.toMatchObject({ errcode: 61010 })
    })
  })

  describe('checkMediaAsync (media_check_async)', () => {
    it('is acknowledged with a trace id; WeChat downloads the file and holds the verdict until released', async () => {
      await t.sandbox.setContentRules([{ kind: 'media', contains: 'photo.png?risky', suggest: 'risky', label: 20002 }])
      const clean = await t.app.wechat.checkMediaAsync({ openid, mediaUrl: `${files.url}/photo.png?id=1`, mediaType: 'image', scene: 2 })
      const risky = await t.app.wechat.checkMediaAsync({ openid, mediaUrl: `${files.url}/photo.png?risky`, mediaType: 'image', scene: 2 })
      expect(clean.traceId).toMatch(TRACE_ID)
      expect(risky.traceId).not.toBe(clean.traceId)

      const checks = await t.sandbox.mediaChecks()
      const byId = (id: string) => checks.find((c) => c.traceId === id)!
      expect(byId(clean.traceId)).toMatchObject({
        openid,
        mediaType: 2,
        scene: 2,
        state: 'held',
        push: null,
        verdict: { suggest: 'pass', label: 100 },
        fetch: { ok: true, status: 200, bytes: PHOTO.length, contentType: 'image/png' },
      })
      expect(byId(risky.traceId)).toMatchObject({ state: 'held', verdict: { suggest: 'risky', label: 20002 } })

      // released: pushed as wxa_media_check (this app has no push URL, so the push is recorded as not configured)
      const released = await t.sandbox.releaseMediaChecks({ traceIds: [risky.traceId] })
      expect(released).toEqual([expect.objectContaining({ traceId: risky.traceId, state: 'pushed', push: expect.objectContaining({ outcome: 'not-configured' }) })])
      const pushed = (await t.sandbox.pushes({ appid: TEST_APPID })).find((p) => p.id === released[0]!.push!.id)!
      expect(pushed.message).toMatchObject({ Event: 'wxa_media_check', trace_id: risky.traceId, version: 2, result: { suggest: 'risky', label: 20002 } })
      expect(byId(clean.traceId).state).toBe('held')
      await t.sandbox.releaseMediaChecks()
    })

    it('records a download that failed and gives the verdict all the same; audio is media_type 1', async () => {
      const { traceId } = await t.app.wechat.checkMediaAsync({ openid, mediaUrl: `${files.url}/gone.mp3`, mediaType: 'audio', scene: 3 })
      const check = (await t.sandbox.mediaChecks()).find((c) => c.traceId === traceId)!
      expect(check).toMatchObject({ mediaType: 1, scene: 3, fetch: { ok: false, status: 404 } })
      const [released] = await t.sandbox.releaseMediaChecks({ traceIds: [traceId], suggest: 'review' })
      expect(released).toMatchObject({ state: 'pushed', verdict: { suggest: 'review', label: 21000 } })
    })

    it('refuses another app’s openid, and refreshes an expired token once', async () => {
      const { openid: officialAccountOpenid } = await t.sandbox.follow('content-author')
      await expect(
        t.app.wechat.checkMediaAsync({ openid: officialAccountOpenid, mediaUrl: `${files.url}/photo.png`, mediaType: 'image', scene: 2 }),
      ).rejects.toMatchObject({ errcode: 43104 })
      await t.sandbox.expireTokens()
      await expect(t.app.wechat.checkMediaAsync({ openid, mediaUrl: `${files.url}/photo.png`, mediaType: 'image', scene: 2 })).resolves.toHaveProperty('traceId')
      await t.sandbox.releaseMediaChecks()
    })
  })
})
