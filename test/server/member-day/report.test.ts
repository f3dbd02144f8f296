import { ErrorCodes, type Coupon } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { memberDayHelpers } from './helpers.js'

/**
 * GET /api/admin/member-day/reports/:date against a scenario computed by hand: who opened the mini-program, who bought
 * and what (less refunds) against an ordinary day (the 28 days before, member days excluded), the coupons issued and
 * used, and the points the multiplier granted.
 */
describe('GET /api/admin/member-day/reports/:date', () => {
  const t = useTestApp()
  const h = () => memberDayHelpers(t)
  const report = (date: string, authorization = h().admin()) => t.app.inject({ method: 'GET', url: `/api/admin/member-day/reports/${date}`, headers: { authorization } })
  const at = async (when: string, event: unknown) => {
    t.clock.set(when)
    await t.sendAccepted(event)
  }
  const paid = (memberId: string, paidAt: string, lines: { lineId: string; paidFen: number }[], couponCodes?: string[]) => {
    const orderId = shop.orderId()
    const event = shop.paid(orderId, { memberId }, lines, paidAt)
    return { orderId, event: couponCodes ? { ...event, data: { ...event.data, couponCodes } } : event }
  }

  it('reports the day by hand-computed figures', async () => {
    const couponA = await h().template('会员日 50 元券', { thresholdFen: 0 })
    const couponB = await h().template('会员日 9 折券', { kind: 'percent', amountFen: undefined, percentOff: 10, thresholdFen: 0 })
    await h().setSettings({ tierCoupons: [{ tier: 'S1', couponTemplateIds: [couponA, couponB] }, { tier: 'S2', couponTemplateIds: [] }] })
    t.clock.set('2026-02-01T10:00:00+08:00')
    const p = await t.login('md-report-p')
    const q = await t.login('md-report-q')
    const v = await t.login('md-report-v')
    const g = await t.login('md-report-g')
    const s = await t.login('md-report-s')
    const gold = await t.app.inject({ method: 'POST', url: `/api/admin/members/${g.memberId}/adjustments`, headers: { authorization: h().admin() }, payload: { kind: 'growth', delta: 8_001, reason: 'opening balance', requestId: 'md-report-g' } })
    expect(gold.json().tierLevel).toBe(2)

    // before the member day: the span is 2026-02-18 … 2026-03-17; the 18 February is a member day (left out), so 27 ordinary days
    await at('2026-02-17T12:00:00+08:00', paid(p.memberId, '2026-02-17T12:00:00+08:00', [{ lineId: '1', paidFen: 500_000 }]).event) // outside the span
    await at('2026-02-18T12:00:00+08:00', paid(p.memberId, '2026-02-18T12:00:00+08:00', [{ lineId: '1', paidFen: 1_000_000 }]).event) // a member day
    await at('2026-03-01T12:00:00+08:00', paid(p.memberId, '2026-03-01T12:00:00+08:00', [{ lineId: '1', paidFen: 27_000 }]).event)
    await at('2026-03-01T13:00:00+08:00', paid(q.memberId, '2026-03-01T13:00:00+08:00', [{ lineId: '1', paidFen: 13_500 }]).event)
    await at('2026-03-10T12:00:00+08:00', paid(p.memberId, '2026-03-10T12:00:00+08:00', [{ lineId: '1', paidFen: 13_500 }]).event)
    const refundedOrdinary = paid(q.memberId, '2026-03-12T12:00:00+08:00', [{ lineId: '1', paidFen: 10_000 }])
    await at('2026-03-12T12:00:00+08:00', refundedOrdinary.event)
    await at('2026-03-12T13:00:00+08:00', shop.refunded(refundedOrdinary.orderId, 'R1', [{ lineId: '1', refundFen: 10_000 }], '2026-03-12T13:00:00+08:00'))

    // the member day, 2026-03-18: P, Q and V open the mini-program (two coupons each); G and S buy without opening it
    t.clock.set('2026-03-18T08:00:00+08:00')
    const coupons: Record<string, Coupon[]> = {}
    for (const [name, member] of Object.entries({ p, q, v })) {
      const visit = await h().visit(member.token)
      expect(visit.json().issued, name).toHaveLength(2)
      coupons[name] = visit.json().issued
    }
    await h().visit(p.token)
    // P pays 300 + 100 yuan with a coupon: 400 × 2 = 800 points [600, 200]; later line 2 is refunded
    const pOrder = paid(p.memberId, '2026-03-18T09:00:00+08:00', [{ lineId: '1', paidFen: 30_000 }, { lineId: '2', paidFen: 10_000 }], [coupons.p![0]!.code])
    await at('2026-03-18T09:00:00+08:00', pOrder.event)
    // Q pays 200 yuan in the day's last second: 400 points
    await at('2026-03-18T23:59:59+08:00', paid(q.memberId, '2026-03-18T23:59:59+08:00', [{ lineId: '1', paidFen: 20_000 }]).event)
    // G (gold, 1.2×) pays 100 yuan: 100 × 1.2 × 2 = 240 points
    await at('2026-03-18T10:00:00+08:00', paid(g.memberId, '2026-03-18T10:00:00+08:00', [{ lineId: '1', paidFen: 10_000 }]).event)
    // S pays 50 yuan and cancels: not a purchase
    const sOrder = paid(s.memberId, '2026-03-18T11:00:00+08:00', [{ lineId: '1', paidFen: 5_000 }])
    await at('2026-03-18T11:00:00+08:00', sOrder.event)
    await at('2026-03-18T11:30:00+08:00', shop.cancelled(sOrder.orderId, '2026-03-18T11:30:00+08:00'))
    // a zero-value order, and one by a buyer who is not a member (yet): neither counts
    await at('2026-03-18T12:00:00+08:00', paid(s.memberId, '2026-03-18T12:00:00+08:00', [{ lineId: '1', paidFen: 0 }]).event)
    await at('2026-03-18T12:30:00+08:00', shop.paid(shop.orderId(), { phone: '13900000000' }, [{ lineId: '1', paidFen: 88_800 }], '2026-03-18T12:30:00+08:00'))
    // V uses a member-day coupon at the counter
    const staffUse = await t.app.inject({ method: 'POST', url: `/api/staff/coupons/${coupons.v![1]!.code}/use`, headers: { authorization: h().admin() }, payload: { memberId: v.memberId, store: 'SH-IFC' } })
    expect(staffUse.statusCode, staffUse.body).toBe(200)
    // after the day: Q buys again (not the member day), P's line 2 is refunded
    await at('2026-03-19T00:00:00+08:00', paid(q.memberId, '2026-03-19T00:00:00+08:00', [{ lineId: '1', paidFen: 70_000 }]).event)
    await at('2026-03-19T09:00:00+08:00', shop.refunded(pOrder.orderId, 'R1', [{ lineId: '2', refundFen: 10_000 }], '2026-03-19T09:00:00+08:00'))
    await t.app.jobs.drain()

    const response = await report('2026-03-18')
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).toEqual({
      date: '2026-03-18',
      opened: 3,
      buyers: 3,
      orders: 3,
      // P 300 (after the refund) + Q 200 + G 100 yuan
      salesFen: 60_000,
      // 540 yuan over 27 ordinary days = 20 yuan a day; 3 buyer-days / 27
      ordinaryDay: { salesFen: 2_000, buyers: 0.11 },
      salesRatio: 30,
      coupons: { issued: 6, used: 2 },
      // P: 600 left, 300 without the boost (after the same refund); Q: 400 − 200; G: 240 − 120
      multiplierPoints: 300 + 200 + 120,
    })
    await t.expectReconciled()

    // the day stays reportable after the configured days change (it was held)
    await h().setSettings({ days: [20] })
    try {
      expect((await report('2026-03-18')).json()).toMatchObject({ date: '2026-03-18', salesFen: 60_000 })
      // a day that is not a member day now and was never held
      const never = await report('2026-02-18')
      expect([never.statusCode, never.json().code]).toEqual([404, ErrorCodes.NOT_FOUND])
    } finally {
      await h().reset()
    }
  })

  it('reports today’s member day so far, refuses one still to come (409) and a day that is not one (404)', async () => {
    t.clock.set('2026-04-18T10:00:00+08:00')
    const today = await report('2026-04-18')
    expect(today.statusCode, today.body).toBe(200)
    expect(today.json()).toMatchObject({ date: '2026-04-18', opened: 0, buyers: 0, orders: 0, salesFen: 0, coupons: { issued: 0, used: 0 }, multiplierPoints: 0 })
    const future = await report('2026-05-18')
    expect([future.statusCode, future.json().code]).toEqual([409, ErrorCodes.CONFLICT])
    expect(future.json().message).toContain('has not come yet')
    const notOne = await report('2026-04-17')
    expect([notOne.statusCode, notOne.json().code]).toEqual([404, ErrorCodes.NOT_FOUND])
    expect(notOne.json().message).toContain('not a member day')
  })

  it('refuses a date that is not a calendar date (400), and answers 401 / 403 to the wrong caller', async () => {
    for (const date of ['2026-02-30', '2026-13-18', '2026-3-18', 'x']) {
      const response = await report(date)
      expect([response.statusCode, response.json().code], date).toEqual([400, ErrorCodes.VALIDATION_FAILED])
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/member-day/reports/2026-03-18' })).statusCode).toBe(401)
    const member = await t.login('md-report-member')
    const response = await report('2026-03-18', `Bearer ${member.token}`)
    expect([response.statusCode, response.json().code]).toEqual([403, ErrorCodes.FORBIDDEN])
  })
})
