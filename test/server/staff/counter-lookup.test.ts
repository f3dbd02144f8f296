import { ErrorCodes, MemberGlanceSchema } from '@member-center/shared'
import { Value } from '@sinclair/typebox/value'
import { Types } from 'mongoose'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { auditOf, expectError, send, staffToken, type CounterStaff } from './counter-helpers.js'

/**
 * GET /api/staff/members/lookup and GET /api/staff/members/{memberId}: a member found by the rotating member code on
 * their card (the current or the previous minute's; older or forged codes refused) or by phone, shown at a glance,
 * every look-up audited.
 */
describe('member look-up at the counter', () => {
  const t = useTestApp()
  let staff: CounterStaff
  let other: CounterStaff
  let shopper: { token: string; memberId: string }

  beforeAll(async () => {
    t.clock.set('2026-03-10T02:00:00Z')
    staff = await staffToken(t, { role: 'staff', store: 'SH-01' })
    other = await staffToken(t, { role: 'staff', store: 'BJ-01' })
    shopper = await t.login('lookup-shopper')
    await t.app.members.repo.setPhone(new Types.ObjectId(shopper.memberId), '13800138000')
    await t.app.members.repo.updateProfile(new Types.ObjectId(shopper.memberId), { birthday: '05-20' })
  })

  const lookup = (query: string, token: string | null = staff.token) => send(t, 'GET', `/api/staff/members/lookup?${query}`, token)
  const codeOf = async (token: string) => {
    const card = await send(t, 'GET', '/api/me/card', token)
    expect(card.statusCode, card.body).toBe(200)
    return card.json().memberCode.code as string
  }

  it('finds the member by the code on their card now, and shows them at a glance', async () => {
    // a purchase, a coupon, a note and clienteling to see
    await t.sendAccepted(shop.paid(shop.orderId(), { memberId: shopper.memberId }, [{ lineId: '1', paidFen: 123_400 }], '2026-03-09T15:00:00+08:00'))
    const later = shop.orderId()
    await t.sendAccepted(shop.paid(later, { memberId: shopper.memberId }, [{ lineId: '1', paidFen: 5_000 }, { lineId: '2', paidFen: 1_000 }], '2026-03-10T09:00:00+08:00'))
    await t.app.jobs.drain()
    const template = await t.app.coupons.templates.create({ name: '到店礼券', kind: 'amount', amountFen: 10_000, thresholdFen: 0, validity: { days: 30 } } as never, { actor: 'setup', role: 'admin' })
    await t.app.coupons.issue({ templateId: template.id, memberId: shopper.memberId, key: 'lookup-coupon', source: 'api' })
    expect((await send(t, 'POST', `/api/staff/members/${shopper.memberId}/notes`, other.token, { text: '喜欢简约款' })).statusCode).toBe(201)
    expect((await send(t, 'PUT', `/api/staff/members/${shopper.memberId}/clienteling`, staff.token, { ringSize: '12' })).statusCode).toBe(200)

    const response = await lookup(`code=${encodeURIComponent(await codeOf(shopper.token))}`)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const glance = response.json()
    expect(Value.Check(MemberGlanceSchema, glance), JSON.stringify([...Value.Errors(MemberGlanceSchema, glance)][0])).toBe(true)
    expect(glance.member).toMatchObject({
      id: shopper.memberId,
      phone: '138****8000',
      tier: { code: expect.any(String), name: expect.any(String), level: 1 },
      // 1,234 + 60 yuan online: pending until the return window closes (growth counts then too)
      points: { available: 0, pending: 1_294 },
      birthday: '05-20',
      homeStore: null,
      advisor: null,
      purchases: { days: 2, totalPaidFen: 129_400, lastAt: '2026-03-10T01:00:00.000Z' },
    })
    expect(glance.member.growth).toBe(0)
    expect(glance.coupons.map((c: { name: string }) => c.name)).toEqual(['到店礼券'])
    expect(glance.recentOrders).toHaveLength(2)
    expect(glance.recentOrders[0]).toEqual({
      orderId: later,
      paidAt: '2026-03-10T01:00:00.000Z',
      paidFen: 6_000,
      netFen: 6_000,
      channel: 'mall',
      store: 'online',
      lines: [
        { name: '商品 1', paidFen: 5_000 },
        { name: '商品 2', paidFen: 1_000 },
      ],
    })
    // a note from staff of another store is seen here: members shop anywhere
    expect(glance.notes).toEqual([{ id: expect.any(String), text: '喜欢简约款', author: { id: other.id, name: other.name }, store: 'BJ-01', at: '2026-03-10T02:00:00.000Z' }])
    expect(glance.clienteling).toEqual({ ringSize: '12', anniversaries: [], preferences: [] })
  })

  it('takes the previous minute’s code (a screen shown a moment ago) and refuses it two minutes on: 400 MEMBER_CODE_INVALID', async () => {
    t.clock.set('2026-03-10T03:00:30Z')
    const code = await codeOf(shopper.token)
    t.clock.set('2026-03-10T03:01:45Z')
    expect((await lookup(`code=${encodeURIComponent(code)}`)).statusCode).toBe(200)
    t.clock.set('2026-03-10T03:02:31Z')
    const expired = expectError(await lookup(`code=${encodeURIComponent(code)}`), 400, ErrorCodes.MEMBER_CODE_INVALID)
    expect(expired.message).toMatch(/expired or not valid/)
    t.clock.set('2026-03-10T02:00:00Z')
  })

  it('refuses forged codes: a wrong signature, another member’s id under this one’s signature, a code from the future, garbage', async () => {
    const code = await codeOf(shopper.token)
    const [prefix, memberId, window, signature] = code.split('.') as [string, string, string, string]
    const someone = await t.login('lookup-someone')
    const flipped = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A')
    for (const forged of [
      `${prefix}.${memberId}.${window}.${flipped}`,
      `${prefix}.${someone.memberId}.${window}.${signature}`,
      `${prefix}.${memberId}.${Number(window) + 5}.${signature}`,
      'MC1.garbage',
      'x'.repeat(128),
      `${code} `,
    ]) {
      expectError(await lookup(`code=${encodeURIComponent(forged)}`), 400, ErrorCodes.MEMBER_CODE_INVALID)
    }
  })

  it('finds the member by an 11-digit mainland phone number; an unknown number is a 404', async () => {
    const found = await lookup('phone=13800138000')
    expect(found.statusCode, found.body).toBe(200)
    expect(found.json().member.id).toBe(shopper.memberId)
    expectError(await lookup('phone=13900000000'), 404, ErrorCodes.NOT_FOUND)
  })

  it('refuses a query without exactly one of code and phone, and malformed ones (400)', async () => {
    for (const query of ['', 'code=a&phone=13800138000', 'phone=1380013800', 'phone=+8613800138000', 'phone=23800138000', 'phone[$ne]=1', `code=${'x'.repeat(129)}`, 'memberId=1', 'code=']) {
      expectError(await lookup(query), 400, ErrorCodes.VALIDATION_FAILED)
    }
  })

  it('audits every look-up — found or not — with how, the member, who and their store', async () => {
    const before = (await auditOf(t, 'staff.lookup')).length
    await lookup(`code=${encodeURIComponent(await codeOf(shopper.token))}`)
    await lookup('phone=13800138000')
    await lookup('phone=13700000000')
    await lookup('code=MC1.forged')
    await send(t, 'GET', `/api/staff/members/${shopper.memberId}`, staff.token)
    const entries = (await auditOf(t, 'staff.lookup')).slice(before)
    expect(entries).toHaveLength(5)
    expect(entries.map((e) => [e.details.how, e.details.found, e.memberId?.toString() ?? null])).toEqual([
      ['code', true, shopper.memberId],
      ['phone', true, shopper.memberId],
      ['phone', false, null],
      ['code', false, null],
      ['id', true, shopper.memberId],
    ])
    for (const e of entries) expect(e).toMatchObject({ actor: staff.actor, actorName: staff.name, role: 'staff', store: 'SH-01' })
    // an unknown number is kept masked
    expect(entries[2]!.details.phone).toBe('137****0000')
  })

  it('GET /api/staff/members/{memberId}: the glance by id; 404 for no such member, 400 for no member id', async () => {
    const response = await send(t, 'GET', `/api/staff/members/${shopper.memberId}`, other.token)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().member.id).toBe(shopper.memberId)
    expectError(await send(t, 'GET', '/api/staff/members/0123456789abcdef01234567', staff.token), 404, ErrorCodes.NOT_FOUND)
    for (const id of ['x', `${shopper.memberId}0`, shopper.memberId.toUpperCase(), '%24where', 'a:b', 'a_b']) {
      expectError(await send(t, 'GET', `/api/staff/members/${id}`, staff.token), 400, ErrorCodes.VALIDATION_FAILED)
    }
  })

  it('is for staff: 401 without a token, 403 with a member’s', async () => {
    const code = encodeURIComponent(await codeOf(shopper.token))
    expectError(await lookup(`code=${code}`, null), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await lookup(`code=${code}`, shopper.token), 403, ErrorCodes.FORBIDDEN)
    expectError(await send(t, 'GET', `/api/staff/members/${shopper.memberId}`), 401, ErrorCodes.UNAUTHORIZED)
    expectError(await send(t, 'GET', `/api/staff/members/${shopper.memberId}`, shopper.token), 403, ErrorCodes.FORBIDDEN)
    // managers and admins look members up too
    for (const who of [await staffToken(t, { role: 'manager' }), await staffToken(t, { role: 'admin' })]) {
      expect((await lookup('phone=13800138000', who.token)).statusCode).toBe(200)
    }
    expect((await lookup('phone=13800138000', t.adminToken())).statusCode).toBe(200)
  })
})
