import { ErrorCodes } from '@member-center/shared'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { mallHelpers } from './mall-helpers.js'

/** Every mall route's unhappy paths: 400 bad input, 401 no token, 403 wrong role, 404 unknown or someone else's. */
describe('mall routes refuse what they must', () => {
  const t = useTestApp()
  const UNKNOWN = '0123456789abcdef01234567'
  let member: { token: string; memberId: string }
  let other: { token: string; memberId: string }
  let itemId: string
  let giftRedemptionId: string

  beforeAll(async () => {
    const h = mallHelpers(t)
    member = await t.login('input-member')
    other = await t.login('input-other')
    await h.grant(member.memberId, 1000)
    itemId = (await h.giftItem({ pointsPrice: 10 })).id
    const redeemed = await h.redeem(member.token, { itemId, idempotencyKey: 'input-1', address: h.address })
    expect(redeemed.statusCode).toBe(201)
    giftRedemptionId = redeemed.json().id
  })

  const call = (method: string, url: string, token: string | null, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(payload !== undefined ? { payload: payload as object } : {}) })
  const expectCode = async (response: Promise<{ statusCode: number; json(): { code: string } }>, status: number, code: string) => {
    const r = await response
    expect(r.statusCode, JSON.stringify(r.json())).toBe(status)
    expect(r.json().code).toBe(code)
  }

  const ADMIN_ROUTES: [string, () => string, unknown?][] = [
    ['POST', () => '/api/admin/mall/items', { kind: 'gift', name: 'x', pointsPrice: 1, stock: 1 }],
    ['GET', () => '/api/admin/mall/items'],
    ['GET', () => `/api/admin/mall/items/${itemId}`],
    ['PATCH', () => `/api/admin/mall/items/${itemId}`, { name: 'y' }],
    ['GET', () => '/api/admin/mall/gift-orders'],
    ['POST', () => `/api/admin/mall/redemptions/${giftRedemptionId}/cancel`, { reason: 'r' }],
  ]
  const MEMBER_ROUTES: [string, () => string, unknown?][] = [
    ['GET', () => '/api/mall/items'],
    ['GET', () => `/api/mall/items/${itemId}`],
    ['POST', () => '/api/mall/redemptions', { itemId: UNKNOWN, idempotencyKey: 'input-2' }],
    ['GET', () => '/api/me/redemptions'],
    ['GET', () => `/api/me/redemptions/${giftRedemptionId}`],
    ['POST', () => `/api/me/redemptions/${giftRedemptionId}/cancel`, {}],
  ]

  it('answers 401 without a token, and 403 to a member on admin routes', async () => {
    for (const [method, url, payload] of [...ADMIN_ROUTES, ...MEMBER_ROUTES]) await expectCode(call(method, url(), null, payload), 401, ErrorCodes.UNAUTHORIZED)
    for (const [method, url, payload] of ADMIN_ROUTES) await expectCode(call(method, url(), member.token, payload), 403, ErrorCodes.FORBIDDEN)
    // an admin token is not a member's
    for (const [method, url, payload] of MEMBER_ROUTES) await expectCode(call(method, url(), t.adminToken(), payload), 401, ErrorCodes.UNAUTHORIZED)
  })

  it('answers 400 to malformed input on every route, never 5xx', async () => {
    const admin = t.adminToken()
    const bad: [string, string, string, unknown?][] = [
      ['POST', '/api/admin/mall/items', admin, { kind: 'gift', name: 'x', pointsPrice: 1, stock: 1, extra: 1 }],
      ['POST', '/api/admin/mall/items', admin, { kind: 'gift', name: 'x', pointsPrice: 1, stock: 1, $set: { stock: 5 } }],
      ['POST', '/api/admin/mall/items', admin, { kind: 'gift', name: 'x', pointsPrice: '1', stock: 1 }],
      ['POST', '/api/admin/mall/items', admin, { kind: 'gift', name: 'x', pointsPrice: 1, stock: 1e300 }],
      ['POST', '/api/admin/mall/items', admin, [1, 2]],
      ['GET', '/api/admin/mall/items?status=gone', admin],
      ['GET', '/api/admin/mall/items?x=1', admin],
      ['GET', '/api/admin/mall/items/not-an-id', admin],
      ['PATCH', `/api/admin/mall/items/${itemId}`, admin, {}],
      ['PATCH', `/api/admin/mall/items/${itemId}`, admin, { kind: 'coupon' }],
      ['PATCH', `/api/admin/mall/items/${itemId}`, admin, { stock: -1 }],
      ['PATCH', `/api/admin/mall/items/${itemId}`, admin, { 'name.$': 'x' }],
      ['GET', '/api/admin/mall/gift-orders?state=lost', admin],
      ['GET', '/api/admin/mall/gift-orders?limit=100000', admin],
      ['POST', `/api/admin/mall/redemptions/${giftRedemptionId}/cancel`, admin, { reason: 'x'.repeat(201) }],
      ['POST', '/api/admin/mall/redemptions/xyz/cancel', admin, { reason: 'r' }],
      ['GET', '/api/mall/items?kind=car', member.token],
      ['GET', '/api/mall/items?redeemable=maybe', member.token],
      ['GET', '/api/mall/items/zzz', member.token],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: 'k', extra: true }],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: 'k', $where: 'sleep(1000)' }],
      ['POST', '/api/mall/redemptions', member.token, { itemId: { $gt: '' }, idempotencyKey: 'k' }],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: '' }],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: 'k'.repeat(129) }],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: 5 }],
      ['POST', '/api/mall/redemptions', member.token, { itemId: 'abc', idempotencyKey: 'k' }],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: 'k', address: { name: 'a', phone: 'call me', region: 'r', detail: 'd' } }],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: 'k', address: { name: 'a', phone: '13800138000', region: 'r', detail: 'd', $x: 1 } }],
      ['POST', '/api/mall/redemptions', member.token, { itemId, idempotencyKey: 'k', address: { name: 'a', phone: '13800138000', region: 'r' } }],
      ['GET', '/api/me/redemptions?limit=0', member.token],
      ['GET', '/api/me/redemptions?limit=1000', member.token],
      ['GET', '/api/me/redemptions?cursor=not*a*cursor', member.token],
      ['GET', '/api/me/redemptions?cursor=bm90LWEtY3Vyc29y', member.token],
      ['GET', '/api/me/redemptions/123', member.token],
      ['POST', '/api/me/redemptions/123/cancel', member.token, {}],
      ['POST', `/api/me/redemptions/${giftRedemptionId}/cancel`, member.token, { force: true }],
    ]
    for (const [method, url, token, payload] of bad) {
      const response = await call(method, url, token, payload)
      expect(response.statusCode, `${method} ${url} ${JSON.stringify(payload)}: ${response.body}`).toBe(400)
      expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    }
  })

  it('answers 404 for unknown items and redemptions, and for another member\'s redemption', async () => {
    const admin = t.adminToken()
    await expectCode(call('GET', `/api/admin/mall/items/${UNKNOWN}`, admin), 404, ErrorCodes.NOT_FOUND)
    await expectCode(call('PATCH', `/api/admin/mall/items/${UNKNOWN}`, admin, { name: 'x' }), 404, ErrorCodes.NOT_FOUND)
    await expectCode(call('POST', `/api/admin/mall/redemptions/${UNKNOWN}/cancel`, admin, { reason: 'r' }), 404, ErrorCodes.NOT_FOUND)
    await expectCode(call('GET', `/api/mall/items/${UNKNOWN}`, member.token), 404, ErrorCodes.NOT_FOUND)
    await expectCode(call('POST', '/api/mall/redemptions', member.token, { itemId: UNKNOWN, idempotencyKey: 'unknown-item' }), 404, ErrorCodes.NOT_FOUND)
    await expectCode(call('GET', `/api/me/redemptions/${UNKNOWN}`, member.token), 404, ErrorCodes.NOT_FOUND)
    // someone else's redemption is as good as missing: it can be neither read nor cancelled
    await expectCode(call('GET', `/api/me/redemptions/${giftRedemptionId}`, other.token), 404, ErrorCodes.NOT_FOUND)
    await expectCode(call('POST', `/api/me/redemptions/${giftRedemptionId}/cancel`, other.token, {}), 404, ErrorCodes.NOT_FOUND)
    expect((await call('GET', `/api/me/redemptions/${giftRedemptionId}`, member.token)).json().status).toBe('done')
  })

  it('limits how many redemptions one member asks for per minute (429)', async () => {
    const h = mallHelpers(t)
    const { token, memberId } = await t.login('input-rate')
    await h.grant(memberId, 10)
    const item = await h.couponItem({ pointsPrice: 1000 })
    const responses = []
    for (let i = 0; i < 31; i++) responses.push(await h.redeem(token, { itemId: item.id, idempotencyKey: `rate-${i}` }))
    expect(responses.slice(0, 30).every((r) => r.statusCode === 409)).toBe(true)
    await expectCode(Promise.resolve(responses[30]!), 429, ErrorCodes.RATE_LIMITED)
    // another member is not held back
    expect((await h.redeem(other.token, { itemId: item.id, idempotencyKey: 'rate-other' })).statusCode).toBe(409)
  })
})
