import { ErrorCodes } from '@member-center/shared'
import { Types } from 'mongoose'
import { describe, expect, it } from 'vitest'
import { normalisePhone } from '../../../server/src/modules/members/phone-number.js'
import { seedDemo } from '../../../tools/seed.js'
import { sandboxOpenid } from '../../../tools/wechat-sandbox/users.js'
import { useTestApp } from '../../helpers/app.js'
import { TEST_APPID } from '../../helpers/sandbox.js'
import { shop } from '../../helpers/shop.js'

describe('POST /api/me/phone', () => {
  const t = useTestApp()

  const bind = (token: string, code: string) =>
    t.app.inject({ method: 'POST', url: '/api/me/phone', headers: { authorization: `Bearer ${token}` }, payload: { code } })

  it('binds the number WeChat returns and applies orders the shop reported under it', async () => {
    const parked = await t.sendEvent(shop.paid(shop.orderId(), { phone: '13611112222' }, [{ lineId: '1', paidFen: 6_600 }], '2026-03-10T10:00:00+08:00'))
    expect((await t.app.shopEvents.status(parked.json().eventId))!.status).toBe('parked')
    const me = await t.login('phone-member')
    const response = await bind(me.token, 'phone-13611112222')
    expect(response.statusCode).toBe(200)
    expect(response.json().phone).toBe('136****2222')
    expect((await t.models.Member.findById(me.memberId).lean())!.points!.pending).toBe(66)
  })

  it('answers 409 when the number belongs to another member, and 400 for a bad code', async () => {
    const other = await t.login('phone-other')
    const taken = await bind(other.token, 'phone-13611112222')
    expect(taken.statusCode).toBe(409)
    expect(taken.json().code).toBe(ErrorCodes.CONFLICT)
    const bad = await bind(other.token, 'not-a-phone-code')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
  })

  it('answers 503 when WeChat is down and 401 without a token', async () => {
    const me = await t.login('phone-down')
    await t.sandbox.fault({ path: '/wxa/business/getuserphonenumber', count: 1, status: 502 })
    const down = await bind(me.token, 'phone-13633334444')
    expect(down.statusCode).toBe(503)
    expect((await t.app.inject({ method: 'POST', url: '/api/me/phone', payload: { code: 'x' } })).statusCode).toBe(401)
  })
})

describe('normalisePhone', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['+86 138-0013-8000', '13800138000'],
    ['0086 138 0013 8000', '13800138000'],
    ['+852 9123 4567', '+85291234567'],
    ['0085291234567', '+85291234567'],
    ['(021) 5555-1234', '02155551234'],
  ])('%s → %s', (raw, expected) => {
    expect(normalisePhone(raw)).toBe(expected)
  })

  it("uses WeChat's country code beside a number without one", () => {
    expect(normalisePhone('13800138000', '86')).toBe('13800138000')
    expect(normalisePhone('91234567', '852')).toBe('+85291234567')
    expect(normalisePhone('85291234567', '852')).toBe('+85291234567')
  })

  it('answers null for what is not a phone number', () => {
    for (const raw of ['', '12345', '+', '1'.repeat(16), 'abc13800138000']) expect(normalisePhone(raw), raw).toBeNull()
  })
})

describe('phone binding', () => {
  const t = useTestApp()

  const bind = (token: string, code: string) =>
    t.app.inject({ method: 'POST', url: '/api/me/phone', headers: { authorization: `Bearer ${token}` }, payload: { code } })
  const pending = async (memberId: string) => (await t.models.Member.findById(memberId).lean())!.points!.pending

  it("binds the seeded members' phones: another member cannot claim 13800138000", async () => {
    await seedDemo(t.app, TEST_APPID)
    const alice = (await t.models.Member.findOne({ openid: sandboxOpenid(TEST_APPID, 'alice') }).lean())!
    expect(await t.models.PhoneBinding.findById('13800138000').lean()).toMatchObject({ memberId: alice._id })
    const intruder = await t.login('phone-intruder')
    const response = await bind(intruder.token, 'phone-13800138000')
    expect(response.statusCode).toBe(409)
    expect(response.json().code).toBe(ErrorCodes.CONFLICT)
    // and an order naming that number in another spelling is alice's
    const orderId = shop.orderId()
    const before = await pending(alice._id.toString())
    await t.sendEvent(shop.paid(orderId, { phone: '+86 138 0013 8000' }, [{ lineId: '1', paidFen: 10_000 }], '2026-03-10T10:00:00+08:00'))
    expect((await t.models.Order.findById(orderId).lean())!.memberId).toEqual(alice._id)
    expect(await pending(alice._id.toString())).toBeGreaterThan(before)
  })

  it('applies shop events that name a bound number in any spelling', async () => {
    const me = await t.login('phone-spellings')
    expect((await bind(me.token, 'phone-13622223333')).statusCode).toBe(200)
    for (const phone of ['13622223333', '+8613622223333', '8613622223333', '136 2222 3333', '+86 136-2222-3333']) {
      const event = shop.paid(shop.orderId(), { phone }, [{ lineId: '1', paidFen: 1_000 }], '2026-03-10T10:00:00+08:00')
      expect((await t.sendEvent(event)).statusCode, phone).toBe(202)
      expect((await t.app.shopEvents.status(event.eventId))!.status, phone).toBe('applied')
    }
    expect(await pending(me.memberId)).toBe(50)
    // an event parked under one spelling is adopted by a binding under another
    const parked = shop.paid(shop.orderId(), { phone: '+86 136 4444 5555' }, [{ lineId: '1', paidFen: 2_000 }], '2026-03-10T10:00:00+08:00')
    await t.sendEvent(parked)
    expect((await t.app.shopEvents.status(parked.eventId))!.status).toBe('parked')
    const later = await t.login('phone-parked-spelling')
    expect((await bind(later.token, 'phone-13644445555')).statusCode).toBe(200)
    expect(await pending(later.memberId)).toBe(20)
  })

  it('refuses a shop event naming a phone that is not a number', async () => {
    const event = shop.paid(shop.orderId(), { phone: '+++' }, [{ lineId: '1', paidFen: 1_000 }], '2026-03-10T10:00:00+08:00')
    const response = await t.sendEvent(event)
    expect(response.statusCode).toBe(400)
    expect(response.json().message).toContain('data.member.phone')
  })

  it('releases the old number when a member binds a new one; orders under the old number stay theirs', async () => {
    const first = await t.login('phone-rebinder')
    expect((await bind(first.token, 'phone-13611110001')).statusCode).toBe(200)
    const orderId = shop.orderId()
    await t.sendEvent(shop.paid(orderId, { phone: '13611110001' }, [{ lineId: '1', paidFen: 30_000 }], '2026-03-10T10:00:00+08:00'))
    expect(await pending(first.memberId)).toBe(300)

    const rebound = await bind(first.token, 'phone-13611110002')
    expect(rebound.statusCode).toBe(200)
    expect(rebound.json().phone).toBe('136****0002')
    expect(await t.models.PhoneBinding.findById('13611110001').lean()).toBeNull()

    const second = await t.login('phone-next-owner')
    expect((await bind(second.token, 'phone-13611110001')).statusCode).toBe(200)
    // the order paid under the old number stays with the member who paid it, refunds included
    await t.sendEvent(shop.refunded(orderId, 'RF', [{ lineId: '1', refundFen: 10_000 }], '2026-03-10T10:00:00+08:00'))
    expect(await pending(first.memberId)).toBe(200)
    expect(await pending(second.memberId)).toBe(0)
    expect((await t.models.Order.findById(orderId).lean())!.memberId!.toString()).toBe(first.memberId)
    // the first member can't take it back now
    expect((await bind(first.token, 'phone-13611110001')).statusCode).toBe(409)
  })

  it('writes no binding for a member that does not exist', async () => {
    const ghost = new Types.ObjectId().toString()
    const token = t.app.jwt.sign({ sub: ghost, role: 'member' })
    const response = await bind(token, 'phone-13655556666')
    expect(response.statusCode).toBe(404)
    expect(await t.models.PhoneBinding.findById('13655556666').lean()).toBeNull()
    // the number is still free
    const real = await t.login('phone-after-ghost')
    expect((await bind(real.token, 'phone-13655556666')).statusCode).toBe(200)
  })

  it('limits each member to 10 binding attempts a minute, not everyone behind one address', async () => {
    const busy = await t.login('phone-busy')
    const calm = await t.login('phone-calm')
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) statuses.push((await bind(busy.token, 'not-a-phone-code')).statusCode)
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400))
    expect(statuses[10]).toBe(429)
    // the same address, another member: not limited
    expect((await bind(calm.token, 'not-a-phone-code')).statusCode).toBe(400)
    // malformed bodies are refused before they count
    for (let i = 0; i < 12; i++) expect((await t.app.inject({ method: 'POST', url: '/api/me/phone', headers: { authorization: `Bearer ${calm.token}` }, payload: { code: '' } })).statusCode).toBe(400)
    expect((await bind(calm.token, 'phone-13677778888')).statusCode).toBe(200)
  })
})
