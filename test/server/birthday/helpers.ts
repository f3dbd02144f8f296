import { expect } from 'vitest'
import type { TestContext } from '../../helpers/app.js'

/** What the birthday tests share: settings, templates, the birthday routes, and what a member was given. */
export function birthdayHelpers(t: TestContext) {
  const admin = () => ({ authorization: `Bearer ${t.adminToken()}` })
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const model = (name: string) => t.app.db.connection.model(name)

  const helpers = {
    admin,
    bearer,
    staff: (name = 'counter-3') => ({ authorization: `Bearer ${t.app.jwt.sign({ sub: name, role: 'staff' })}` }),
    model,
    async template(name = '生日券 满 500 减 100', body: Record<string, unknown> = {}): Promise<string> {
      const created = await t.app.coupons.templates.create(
        { name, kind: 'amount', amountFen: 10_000, thresholdFen: 50_000, validity: { days: 30 }, ...body } as never,
        { actor: 'test', role: 'admin' },
      )
      return created.id
    },
    /** PUTs the whole settings (defaults for what is not given) and expects 200 */
    async settings(body: Record<string, unknown>) {
      const response = await t.app.inject({
        method: 'PUT',
        url: '/api/admin/birthday-settings',
        headers: admin(),
        payload: { enabled: true, daysBefore: 3, couponsValidThroughMonthEnd: true, gifts: [], monthMultiplier: 1, ...body },
      })
      expect(response.statusCode, response.body).toBe(200)
      return response.json()
    },
    /** the member sets the birthday at the clock's time */
    async setBirthday(token: string, birthday: string, year?: number) {
      const response = await t.app.inject({ method: 'PUT', url: '/api/me/birthday', headers: bearer(token), payload: year === undefined ? { birthday } : { birthday, year } })
      expect(response.statusCode, response.body).toBe(200)
      return response.json()
    },
    /** a member who logged in, with a birthday from before (an import: no set time, so never "set too late") */
    async memberWithBirthday(user: string, birthday: string) {
      const member = await t.login(user)
      await t.app.members.repo.updateProfile(member.memberId as never, { birthday })
      return member
    },
    async status(token: string) {
      const response = await t.app.inject({ method: 'GET', url: '/api/me/birthday-gift', headers: bearer(token) })
      expect(response.statusCode, response.body).toBe(200)
      return response.json()
    },
    /** what the member was given for birthdays: coupons, points entries, messages */
    async given(memberId: string) {
      const [coupons, points, messages] = await Promise.all([
        model('Coupon').find({ memberId, source: 'birthday' }).lean(),
        model('PointsEntry').find({ memberId, reason: 'birthday' }).lean(),
        model('Message').find({ memberId, kind: 'birthday' }).lean(),
      ])
      return { coupons, points, messages } as unknown as { coupons: { validUntil: Date; issueKey: string; templateId: unknown }[]; points: { key: string }[]; messages: { dedupeKey: string; data: Record<string, unknown> }[] }
    },
    runDaily: () => t.app.birthday.gifts.runDaily(),
  }
  return helpers
}
