import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'

describe('POST /api/auth/wechat', () => {
  const t = useTestApp()

  const login = (code: string) => t.app.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code } })

  it('creates the member on the first login and returns a token that opens /api/me', async () => {
    const response = await login(await t.sandbox.code('login-alice'))
    expect(response.statusCode).toBe(200)
    const body = response.json()
    expect(body.created).toBe(true)
    expect(body.member.id).toMatch(/^[0-9a-f]{24}$/)
    expect(body.expiresIn).toBe(3600)
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${body.token}` } })
    expect(me.statusCode).toBe(200)
    expect(me.json().id).toBe(body.member.id)
  })

  it('finds the same member on a later login, and keeps the unionid WeChat sent', async () => {
    const first = (await login(await t.sandbox.code('login-bob'))).json()
    const second = await login(await t.sandbox.code('login-bob'))
    expect(second.statusCode).toBe(200)
    expect(second.json().created).toBe(false)
    expect(second.json().member.id).toBe(first.member.id)
    const stored = await t.models.Member.findById(first.member.id).lean()
    expect(stored?.unionid).toMatch(/^u[\w-]{27}$/)
    expect(await t.models.Member.countDocuments({ openid: stored!.openid })).toBe(1)
  })

  it('never returns the WeChat session key', async () => {
    const response = await login(await t.sandbox.code('login-carol'))
    expect(response.statusCode).toBe(200)
    expect(response.body).not.toMatch(/session_?key/i)
  })

  it('answers 401 WECHAT_CODE_INVALID for a code WeChat does not know', async () => {
    const response = await login('not-a-real-code')
    expect(response.statusCode).toBe(401)
    expect(response.json()).toEqual({
      statusCode: 401,
      code: ErrorCodes.WECHAT_CODE_INVALID,
      error: 'Unauthorized',
      message: expect.stringContaining('invalid'),
    })
  })

  it('answers 401 WECHAT_CODE_USED when a code is used twice, and creates nobody the second time', async () => {
    const code = await t.sandbox.code('login-dave')
    expect((await login(code)).statusCode).toBe(200)
    const before = await t.models.Member.countDocuments()
    const again = await login(code)
    expect(again.statusCode).toBe(401)
    expect(again.json().code).toBe(ErrorCodes.WECHAT_CODE_USED)
    expect(await t.models.Member.countDocuments()).toBe(before)
  })

  it('answers 503 WECHAT_UNAVAILABLE when WeChat answers 5xx', async () => {
    const code = await t.sandbox.code('login-erin')
    await t.sandbox.fault({ path: '/sns/jscode2session', count: 1, status: 502 })
    const response = await login(code)
    expect(response.statusCode).toBe(503)
    expect(response.json().code).toBe(ErrorCodes.WECHAT_UNAVAILABLE)
    // the code was never spent, so the same code works once WeChat is back
    expect((await login(code)).statusCode).toBe(200)
  })

  it('answers 503 when WeChat says system busy (-1) or does not answer in time', async () => {
    await t.sandbox.fault({ path: '/sns/jscode2session', count: 1, errcode: -1 })
    const busy = await login(await t.sandbox.code('login-frank'))
    expect(busy.statusCode).toBe(503)
    expect(busy.json().code).toBe(ErrorCodes.WECHAT_UNAVAILABLE)
    await t.sandbox.fault({ path: '/sns/jscode2session', count: 1, delayMs: 2500 })
    const slow = await login(await t.sandbox.code('login-frank'))
    expect(slow.statusCode).toBe(503)
    expect(slow.json().message).toContain('no answer within 2000 ms')
  })

  it('answers 403 WECHAT_USER_RISKY when WeChat flags the account (40226)', async () => {
    await t.sandbox.fault({ path: '/sns/jscode2session', count: 1, errcode: 40226 })
    const response = await login(await t.sandbox.code('login-gina'))
    expect(response.statusCode).toBe(403)
    expect(response.json().code).toBe(ErrorCodes.WECHAT_USER_RISKY)
  })

  it('answers 400 VALIDATION_FAILED without a code', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/auth/wechat', payload: {} })
    expect(response.statusCode).toBe(400)
    expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    expect(response.json().message).toContain('code')
  })

  it('creates one member when the same person logs in from two devices at once', async () => {
    const codes = await Promise.all(Array.from({ length: 8 }, () => t.sandbox.code('login-twin')))
    const responses = await Promise.all(codes.map(login))
    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(200))
    const ids = new Set(responses.map((r) => r.json().member.id))
    expect(ids.size).toBe(1)
    expect(responses.filter((r) => r.json().created).length).toBe(1)
  })
})

describe('POST /api/auth/wechat rate limit', () => {
  const t = useTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: 3 })

  it('answers 429 RATE_LIMITED past the per-minute limit', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await t.app.inject({ method: 'POST', url: '/api/auth/wechat', payload: { code: await t.sandbox.code('rl') } })
      statuses.push(response.statusCode)
      if (i === 3) expect(response.json().code).toBe(ErrorCodes.RATE_LIMITED)
    }
    expect(statuses).toEqual([200, 200, 200, 429])
  })
})
