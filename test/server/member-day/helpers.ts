import type { MemberDaySettings } from '@member-center/shared'
import { expect } from 'vitest'
import type { TestContext } from '../../helpers/app.js'

/** What the member-day tests share: admin calls, the settings, coupon templates, a member's visit and view. */
export function memberDayHelpers(t: TestContext) {
  const admin = () => `Bearer ${t.adminToken()}`
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

  async function settings(): Promise<MemberDaySettings> {
    const response = await t.app.inject({ method: 'GET', url: '/api/admin/member-day/settings', headers: { authorization: admin() } })
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }

  /** PUTs the current settings with `changes` over them; answers the response. */
  async function putSettings(changes: Partial<MemberDaySettings>) {
    return t.app.inject({ method: 'PUT', url: '/api/admin/member-day/settings', headers: { authorization: admin() }, payload: { ...(await settings()), ...changes } })
  }

  async function setSettings(changes: Partial<MemberDaySettings>): Promise<MemberDaySettings> {
    const response = await putSettings(changes)
    expect(response.statusCode, response.body).toBe(200)
    return response.json()
  }

  /** Back to the defaults (enabled, the 18th, on-open, ×2, no coupons, reminder at 10). */
  const reset = () => setSettings({ enabled: true, days: [18], issueMode: 'on-open', multiplier: 2, tierCoupons: [], reminder: { enabled: true, hour: 10 } })

  async function template(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/admin/coupon-templates',
      headers: { authorization: admin() },
      payload: { name, kind: 'amount', amountFen: 5_000, thresholdFen: 50_000, validity: { days: 7 }, ...extra },
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json().id
  }

  const visit = (token: string) => t.app.inject({ method: 'POST', url: '/api/me/member-day/visits', headers: bearer(token), payload: {} })
  const view = (token?: string) => t.app.inject({ method: 'GET', url: '/api/member-day', headers: token ? bearer(token) : {} })

  /** The member-day coupons a member holds (any state), from the database. */
  const couponsOf = async (memberId: string) =>
    (await t.app.db.connection.model('Coupon').find({ memberId, source: 'member-day' }).lean()) as unknown as { _id: unknown; issueKey: string; templateId: unknown; state: string }[]

  return { admin, bearer, settings, putSettings, setSettings, reset, template, visit, view, couponsOf }
}
