import { createSigner } from 'fast-jwt'
import { benefitsAdded, DEFAULT_TIERS, ErrorCodes } from '@member-center/shared'
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

  it("shows a new member's entry tier, its top benefits, zero balances and the way to the next tier", async () => {
    const response = await getCard(alice.token)
    expect(response.statusCode).toBe(200)
    const card = response.json()
    expect(card.memberId).toBe(alice.memberId)
    expect(card.tier).toEqual({ code: 'S1', name: '银卡会员', level: 1, threshold: 0 })
    expect(card.benefits).toEqual({
      top: DEFAULT_TIERS[0]!.benefits!.slice(0, 3).map((b) => ({ title: b.title, description: b.description, icon: b.icon })),
      count: DEFAULT_TIERS[0]!.benefits!.length,
    })
    expect(card.growth).toEqual({
      value: 0,
      total: 0,
      window: 'lifetime',
      nextTier: { code: 'S2', name: '金卡会员', level: 2, threshold: 8001 },
      toNext: 8001,
      progress: 0,
      nextTierAdds: benefitsAdded(DEFAULT_TIERS, 1, 2),
      review: null,
    })
    expect(card.growth.nextTierAdds.map((b: { title: string }) => b.title)).toContain('免费刻字')
    expect(card.points).toEqual({ available: 0, pending: 0, debt: 0 })
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('shows the tier the member holds, not one worked out from the growth stored', async () => {
    // growth that reaches platinum, on a member who holds the entry tier (an upgrade not applied yet): the card shows
    // what the member holds — the ledger, never the card, moves tiers
    await t.models.Member.updateOne({ _id: bob.memberId }, { $set: { growth: 80_001, 'points.available': 1200, 'points.pending': 35 } })
    let card = (await getCard(bob.token)).json()
    expect(card.tier.code).toBe('S1')
    expect(card.growth).toMatchObject({ value: 80_001, toNext: 0, progress: 1 })
    expect(card.points).toEqual({ available: 1200, pending: 35, debt: 0 })

    // holding platinum: progress towards diamond from the growth the policy counts
    await t.models.Member.updateOne({ _id: bob.memberId }, { $set: { tierLevel: 3 } })
    card = (await getCard(bob.token)).json()
    expect(card.tier.code).toBe('S3')
    expect(card.growth.toNext).toBe(100_000)
    expect(card.growth.progress).toBe(0)
    expect(card.benefits.top.map((b: { title: string }) => b.title)).toEqual(DEFAULT_TIERS[2]!.benefits!.slice(0, 3).map((b) => b.title))
    expect(card.growth.nextTierAdds.map((b: { title: string }) => b.title)).toEqual(expect.arrayContaining(['专属顾问', '优先预约与定制']))
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

describe('GET /api/me/card under the rolling policy', () => {
  const t = useTestApp()
  const card = async (token: string) => (await t.app.inject({ method: 'GET', url: '/api/me/card', headers: { authorization: `Bearer ${token}` } })).json()
  const growth = async (memberId: string, delta: number, requestId: string) => {
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/admin/members/${memberId}/adjustments`,
      headers: { authorization: `Bearer ${t.adminToken()}` },
      payload: { kind: 'growth', delta, reason: 'card test', requestId },
    })
    expect(response.statusCode, response.body).toBe(200)
  }

  it('after a review downgrade shows the tier held and progress from the window, not the lifetime total', async () => {
    await t.app.policies.update({ tiers: { kind: 'rolling-12-months' } }, 'test')
    const { token, memberId } = await t.login('card-rolling')
    t.clock.set('2025-03-01T02:00:00Z')
    await growth(memberId, 200_000, 'card-rolling-0001') // diamond (S4)
    let c = await card(token)
    expect(c.tier.code).toBe('S4')
    expect(c.growth).toMatchObject({ value: 200_000, total: 200_000, window: 'rolling', review: { at: '2026-03-01T16:05:00.000Z', toKeep: 180_001 } })

    t.clock.set('2025-09-01T02:00:00Z')
    await growth(memberId, 9_000, 'card-rolling-0002')
    // the review a year on: only September's 9,000 is in the window → gold (S2)
    t.clock.set('2026-03-01T16:05:00Z')
    await t.app.sweeps.reviewTiers(t.clock.now())
    expect((await t.models.Member.findById(memberId).lean())!.tierLevel).toBe(2)

    c = await card(token)
    expect(c.tier).toEqual({ code: 'S2', name: '金卡会员', level: 2, threshold: 8001 }) // the lifetime 209,000 would say S4
    expect(c.growth).toMatchObject({ value: 9_000, total: 209_000, window: 'rolling', nextTier: { code: 'S3' }, toNext: 80_001 - 9_000 })
    expect(c.growth.progress).toBeCloseTo((9_000 - 8_001) / (80_001 - 8_001), 10)
    // next review a year on; September 2025 will have left the window by then
    expect(c.growth.review).toEqual({ at: '2027-03-01T16:05:00.000Z', toKeep: 8_001 })
    expect(c.benefits.top[0].title).toBe(DEFAULT_TIERS[1]!.benefits![0]!.title)
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
      homeStore: null,
      advisor: null,
      joinChannel: 'wechat',
      purchases: { firstAt: null, lastAt: null, days: 0, totalPaidFen: 0 },
    })
  })

  it('answers 401 without a token', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/me' })
    expect(response.statusCode).toBe(401)
    expect(response.json().code).toBe(ErrorCodes.UNAUTHORIZED)
  })
})
