import { createSigner } from 'fast-jwt'
import { ErrorCodes } from '@member-center/shared'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyMemberCode } from '../../../server/src/modules/members/member-code.js'
import { startTestApp, useTestApp, TEST_JWT_SECRET, TEST_MEMBER_CODE_SECRET, type TestContext } from '../../helpers/app.js'

describe('GET /api/me/card', () => {
  let t: TestContext
  let alice: { token: string; memberId: string }
  let bob: { token: string; memberId: string }
  beforeAll(async () => {
    t = await startTestApp()
    alice = await t.login('card-alice')
    bob = await t.login('card-bob')
  })
  afterAll(async () => {
    await t.close()
  })

  const getCard = (token?: string) =>
    t.app.inject({ method: 'GET', url: '/api/me/card', headers: token ? { authorization: `Bearer ${token}` } : {} })

  it("shows a new member's entry tier, zero balances and the way to the next tier", async () => {
    const response = await getCard(alice.token)
    expect(response.statusCode).toBe(200)
    const card = response.json()
    expect(card.memberId).toBe(alice.memberId)
    expect(card.tier).toEqual({ code: 'silver', name: '银卡会员', level: 1, threshold: 0 })
    expect(card.growth).toEqual({ value: 0, nextTier: { code: 'gold', name: '金卡会员', level: 2, threshold: 8001 }, toNext: 8001, progress: 0 })
    expect(card.points).toEqual({ available: 0, pending: 0, debt: 0 })
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('reads tier and progress from the growth value stored for the member', async () => {
    await t.models.Member.updateOne({ _id: bob.memberId }, { $set: { growth: 80_001, 'points.available': 1200, 'points.pending': 35 } })
    const card = (await getCard(bob.token)).json()
    expect(card.tier.code).toBe('platinum')
    expect(card.growth.toNext).toBe(100_000)
    expect(card.growth.progress).toBe(0)
    expect(card.points).toEqual({ available: 1200, pending: 35, debt: 0 })
  })

  it('carries a member code that verifies to this member within its window', async () => {
    const card = (await getCard(alice.token)).json()
    const now = t.clock.now()
    expect(verifyMemberCode(TEST_MEMBER_CODE_SECRET, card.memberCode.code, now)).toBe(alice.memberId)
    const expiresAt = Date.parse(card.memberCode.expiresAt)
    expect(expiresAt - now.getTime()).toBeGreaterThan(0)
    expect(expiresAt - now.getTime()).toBeLessThanOrEqual(60_000)
  })

  it('answers 401 without a token', async () => {
    const response = await getCard()
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe(ErrorCodes.UNAUTHORIZED)
  })

  it('answers 401 for a token signed with another secret', async () => {
    const forged = createSigner({ key: 'someone-elses-secret-0123456789abcdef' })({ sub: alice.memberId, role: 'member' })
    const response = await getCard(forged)
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe(ErrorCodes.UNAUTHORIZED)
  })

  it('answers 401 for an unsigned (alg none) token and for an expired one', async () => {
    const none = createSigner({ algorithm: 'none' })({ sub: alice.memberId, role: 'member' })
    expect((await getCard(none)).statusCode).toBe(401)
    const expired = createSigner({ key: TEST_JWT_SECRET, expiresIn: 1, clockTimestamp: Date.now() - 60_000 })({ sub: alice.memberId, role: 'member' })
    expect((await getCard(expired)).statusCode).toBe(401)
  })

  it("cannot reach another member's card: the token decides whose card it is", async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/me/card?memberId=${bob.memberId}`,
      headers: { authorization: `Bearer ${alice.token}` },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().memberId).toBe(alice.memberId)
    expect(response.json().points.available).toBe(0)
  })

  it('answers 404 when the member behind a valid token no longer exists', async () => {
    const ghost = createSigner({ key: TEST_JWT_SECRET })({ sub: '0123456789abcdef01234567', role: 'member' })
    const response = await getCard(ghost)
    expect(response.statusCode).toBe(404)
    expect(response.json().code).toBe(ErrorCodes.NOT_FOUND)
  })
})

describe('GET /api/me', () => {
  const t = useTestApp()

  it("returns the member's own profile with a masked phone", async () => {
    const me = await t.login('profile-alice')
    await t.models.Member.updateOne({ _id: me.memberId }, { $set: { phone: '13800138000', birthday: '02-29' } })
    const response = await t.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${me.token}` } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({
      id: me.memberId,
      nickname: expect.stringMatching(/^会员/),
      avatarUrl: null,
      phone: '138****8000',
      birthday: '02-29',
      joinedAt: expect.any(String),
    })
  })

  it('answers 401 without a token', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me' })
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe(ErrorCodes.UNAUTHORIZED)
  })
})
