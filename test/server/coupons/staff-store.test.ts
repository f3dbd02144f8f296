import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'

/** In-store use records the store of the staff member who used the coupon, whatever the body names. */
describe('POST /api/staff/coupons/{code}/use — the store', () => {
  const t = useTestApp()
  const admin = () => ({ authorization: `Bearer ${t.adminToken()}` })

  it("records the staff member's own store, not one the body names; an admin (no store) names it", async () => {
    const template = await t.app.inject({ method: 'POST', url: '/api/admin/coupon-templates', headers: admin(), payload: { name: '门店券', kind: 'amount', amountFen: 1000, thresholdFen: 0, validity: { days: 30 } } })
    expect(template.statusCode, template.body).toBe(201)
    const { memberId } = await t.login('staff-store-member')
    const issue = async (requestId: string) => {
      const issued = await t.app.inject({ method: 'POST', url: `/api/admin/coupon-templates/${template.json().id}/issue`, headers: admin(), payload: { memberId, requestId } })
      expect(issued.statusCode, issued.body).toBe(201)
      return issued.json().coupon.code as string
    }
    const storeOf = async (code: string) => ((await t.app.db.connection.collection('coupons').findOne({ code })) as { usedBy?: { store?: string } } | null)?.usedBy?.store

    const staffToken = t.app.jwt.sign({ sub: 'store-staff', role: 'staff', store: 'SH-01' })
    const first = await issue('staff-store-1')
    const used = await t.app.inject({ method: 'POST', url: `/api/staff/coupons/${first}/use`, headers: { authorization: `Bearer ${staffToken}` }, payload: { memberId, store: 'BJ-01' } })
    expect(used.statusCode, used.body).toBe(200)
    expect(await storeOf(first)).toBe('SH-01')

    const second = await issue('staff-store-2')
    const byAdmin = await t.app.inject({ method: 'POST', url: `/api/staff/coupons/${second}/use`, headers: admin(), payload: { memberId, store: 'BJ-01' } })
    expect(byAdmin.statusCode, byAdmin.body).toBe(200)
    expect(await storeOf(second)).toBe('BJ-01')
  })
})
