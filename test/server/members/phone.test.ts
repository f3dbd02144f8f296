import { ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
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
