import { BIRTHDAY_INELIGIBILITY_REASONS, BIRTHDAY_PASSED_REASON } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { sandboxOpenid } from '../../../tools/wechat-sandbox/users.js'
import { useTestApp } from '../../helpers/app.js'
import { TEST_APPID } from '../../helpers/sandbox.js'
import { shop } from '../../helpers/shop.js'
import { birthdayHelpers } from './helpers.js'

/**
 * The birthday (issue 11): set once by the member (staff correct it, audited), the yearly gift issued N days before in
 * Shanghai time once per member per year, 29 February, the 30-day rule, members who join inside the window, the
 * birthday-month multiplier, and the operator's settings.
 */
describe('birthday', () => {
  const t = useTestApp()
  const h = birthdayHelpers(t)
  const GHOST = '0123456789abcdef01234567'

  describe('PUT /api/me/birthday', () => {
    const put = (token: string | null, payload: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({ method: 'PUT', url: '/api/me/birthday', headers: { ...(token ? h.bearer(token) : {}), ...headers }, payload: payload as object })

    it('stores a date-only birthday once; a different one later is 409 BIRTHDAY_ALREADY_SET, the same one again answers as before', async () => {
      t.clock.set('2026-03-10T02:00:00Z')
      const { token, memberId } = await t.login('bd-once')
      expect((await h.status(token)).status).toBe('unset')
      const first = await put(token, { birthday: '05-20', year: 1990 })
      expect(first.statusCode, first.body).toBe(200)
      expect(first.json().birthday).toEqual({ birthday: '05-20', year: 1990, setAt: '2026-03-10T02:00:00.000Z' })
      expect(first.json().gift).toMatchObject({ birthday: '05-20', celebratedOn: '2026-05-20' })
      // a date-only fact: the strings as given, never an instant
      const stored = await t.models.Member.findById(memberId).lean()
      expect(stored).toMatchObject({ birthday: '05-20', birthYear: 1990 })

      const second = await put(token, { birthday: '05-21', year: 1990 })
      expect(second.statusCode).toBe(409)
      expect(second.json().code).toBe('BIRTHDAY_ALREADY_SET')
      const withoutYear = await put(token, { birthday: '05-20' })
      expect(withoutYear.statusCode).toBe(409)
      const retry = await put(token, { birthday: '05-20', year: 1990 })
      expect(retry.statusCode).toBe(200)
      expect(retry.json().birthday.setAt).toBe('2026-03-10T02:00:00.000Z')
      expect(await t.models.Member.findById(memberId).lean()).toMatchObject({ birthday: '05-20', birthYear: 1990 })
    })

    it('lets exactly one of two different birthdays sent at once win; the other is a 409', async () => {
      const { token, memberId } = await t.login('bd-race')
      const [a, b] = await Promise.all([put(token, { birthday: '07-01' }), put(token, { birthday: '08-01' })])
      expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409])
      const winner = a.statusCode === 200 ? '07-01' : '08-01'
      expect((a.statusCode === 409 ? a : b).json().code).toBe('BIRTHDAY_ALREADY_SET')
      expect((await t.models.Member.findById(memberId).lean())!.birthday).toBe(winner)
    })

    it('refuses dates that do not exist, bad formats, years out of range and unknown keys with 400, changing nothing', async () => {
      t.clock.set('2026-03-10T02:00:00Z')
      const { token, memberId } = await t.login('bd-bad-input')
      const bodies: unknown[] = [
        { birthday: '02-30' },
        { birthday: '02-31' },
        { birthday: '04-31' },
        { birthday: '11-31' },
        { birthday: '13-01' },
        { birthday: '00-10' },
        { birthday: '05-00' },
        { birthday: '05-32' },
        { birthday: '2-3' },
        { birthday: '02-3' },
        { birthday: '2026-05-20' },
        { birthday: '05/20' },
        { birthday: 520 },
        { birthday: null },
        { birthday: { $gt: '' } },
        {},
        { birthday: '05-20', year: 1800 },
        { birthday: '05-20', year: 1899 },
        { birthday: '05-20', year: 2027 },
        { birthday: '05-20', year: '1990' },
        { birthday: '05-20', year: 1990.5 },
        { birthday: '02-29', year: 2023 },
        { birthday: '02-29', year: 1900 },
        { birthday: '12-31', year: 2026 },
        { birthday: '05-20', zzUnknown: 1 },
        { birthday: '05-20', $where: '1' },
        { birthday: '05-20', 'a.b': 1 },
        [{ birthday: '05-20' }],
      ]
      for (const body of bodies) {
        const response = await put(token, body)
        expect(response.statusCode, `${JSON.stringify(body)}: ${response.body}`).toBe(400)
        expect(response.json().code).toBe('VALIDATION_FAILED')
      }
      expect((await put(token, { birthday: '02-30' })).json().message).toContain('birthday')
      expect((await put(token, { birthday: '02-29', year: 2023 })).json().message).toContain('not a leap year')
      const untouched = (await t.models.Member.findById(memberId).lean())!
      expect([untouched.birthday ?? null, untouched.birthYear ?? null, untouched.birthdaySetAt ?? null]).toEqual([null, null, null])
      // 02-29 itself is a birthday (with a leap year, or without a year)
      expect((await put(token, { birthday: '02-29', year: 2024 })).statusCode).toBe(200)
      const other = await t.login('bd-leap-no-year')
      expect((await put(other.token, { birthday: '02-29' })).statusCode).toBe(200)
    })

    it('answers 401 without a member token (none, or an admin or staff token) and 404 for a member that does not exist', async () => {
      expect((await put(null, { birthday: '05-20' })).statusCode).toBe(401)
      expect((await put(null, { birthday: '05-20' }, h.admin())).statusCode).toBe(401)
      expect((await put(null, { birthday: '05-20' }, h.staff())).statusCode).toBe(401)
      const ghost = t.app.jwt.sign({ sub: GHOST, role: 'member' })
      const response = await put(ghost, { birthday: '05-20' })
      expect(response.statusCode).toBe(404)
      expect(response.json().code).toBe('NOT_FOUND')
      expect((await t.app.inject({ method: 'GET', url: '/api/me/birthday-gift' })).statusCode).toBe(401)
      expect((await t.app.inject({ method: 'GET', url: '/api/me/birthday-gift', headers: h.admin() })).statusCode).toBe(401)
      expect((await t.app.inject({ method: 'GET', url: '/api/me/birthday-gift', headers: h.bearer(ghost) })).statusCode).toBe(404)
    })
  })

  describe('PUT /api/staff/members/{memberId}/birthday', () => {
    const correct = (memberId: string, payload: unknown, headers: Record<string, string> = h.staff()) =>
      t.app.inject({ method: 'PUT', url: `/api/staff/members/${memberId}/birthday`, headers, payload: payload as object })

    it("corrects the member's birthday, audited with the staff member, the reason, before and after; the member still cannot change it", async () => {
      t.clock.set('2026-03-10T02:00:00Z')
      const { token, memberId } = await t.login('bd-corrected')
      await h.setBirthday(token, '05-01')
      t.clock.set('2026-03-11T03:00:00Z')
      const response = await correct(memberId, { birthday: '05-02', year: 1990, reason: '会员出示身份证，生日登记有误' })
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json().birthday).toEqual({ birthday: '05-02', year: 1990, setAt: '2026-03-11T03:00:00.000Z' })
      expect(await t.models.Member.findById(memberId).lean()).toMatchObject({ birthday: '05-02', birthYear: 1990 })
      const audit = await t.models.Audit.find({ action: 'birthday.correct', memberId }).lean()
      expect(audit).toHaveLength(1)
      expect(audit[0]).toMatchObject({
        actor: 'counter-3',
        role: 'staff',
        details: {
          reason: '会员出示身份证，生日登记有误',
          before: { birthday: '05-01', year: null, setAt: '2026-03-10T02:00:00.000Z' },
          after: { birthday: '05-02', year: 1990, setAt: '2026-03-11T03:00:00.000Z' },
        },
      })
      // the member's own second change is still refused, whatever staff did
      const again = await t.app.inject({ method: 'PUT', url: '/api/me/birthday', headers: h.bearer(token), payload: { birthday: '05-03' } })
      expect(again.statusCode).toBe(409)
      expect(again.json().code).toBe('BIRTHDAY_ALREADY_SET')
      // a manager and an admin may correct too; a member who had none gets one
      const { memberId: none } = await t.login('bd-staff-sets')
      expect((await correct(none, { birthday: '10-01', reason: '门店登记' }, { authorization: `Bearer ${t.app.jwt.sign({ sub: 'mgr', role: 'manager' })}` })).statusCode).toBe(200)
      expect((await correct(none, { birthday: '10-02', reason: '再次更正' }, h.admin())).statusCode).toBe(200)
      expect(await t.models.Audit.countDocuments({ action: 'birthday.correct', memberId: none })).toBe(2)
    })

    it('counts a change of the day as setting it (the 30-day rule), but not a year added', async () => {
      const tpl = await h.template()
      await h.settings({ gifts: [{ tier: 'S1', couponTemplateIds: [tpl], points: 0 }] })
      t.clock.set('2026-01-01T02:00:00Z')
      const moved = await t.login('bd-staff-moved')
      await h.setBirthday(moved.token, '04-01')
      const yearOnly = await t.login('bd-staff-year')
      await h.setBirthday(yearOnly.token, '04-05')
      t.clock.set('2026-03-10T02:00:00Z')
      const late = await correct(moved.memberId, { birthday: '04-02', reason: '登记错了一天' })
      expect(late.json().gift).toMatchObject({ status: 'not_eligible', reasonCode: 'SET_TOO_LATE', celebratedOn: '2026-04-02' })
      const kept = await correct(yearOnly.memberId, { birthday: '04-05', year: 1988, reason: '补登出生年份' })
      expect(kept.json().birthday).toEqual({ birthday: '04-05', year: 1988, setAt: '2026-01-01T02:00:00.000Z' })
      expect(kept.json().gift).toMatchObject({ status: 'upcoming', issueOn: '2026-04-02' })
    })

    it('answers 403 to a member token, 401 without one, 404 for an unknown member and 400 for bad input, changing nothing', async () => {
      const { token, memberId } = await t.login('bd-staff-unhappy')
      const body = { birthday: '06-01', reason: '登记错误' }
      const forbidden = await correct(memberId, body, h.bearer(token))
      expect(forbidden.statusCode).toBe(403)
      expect(forbidden.json().code).toBe('FORBIDDEN')
      expect((await correct(memberId, body, {})).statusCode).toBe(401)
      const unknown = await correct(GHOST, body)
      expect(unknown.statusCode).toBe(404)
      expect(unknown.json().code).toBe('NOT_FOUND')
      for (const [id, payload] of [
        ['x', body],
        [memberId.toUpperCase(), body],
        [memberId, { birthday: '06-01' }],
        [memberId, { birthday: '06-01', reason: 'x' }],
        [memberId, { birthday: '06-01', reason: 'x'.repeat(201) }],
        [memberId, { birthday: '02-30', reason: '登记错误' }],
        [memberId, { birthday: '6-1', reason: '登记错误' }],
        [memberId, { birthday: '06-01', year: 1800, reason: '登记错误' }],
        [memberId, { ...body, $set: { points: 1 } }],
      ] as const) {
        const response = await correct(id, payload)
        expect(response.statusCode, `${id} ${JSON.stringify(payload)}`).toBe(400)
        expect(response.json().code).toBe('VALIDATION_FAILED')
      }
      expect((await t.models.Member.findById(memberId).lean())!.birthday ?? null).toBeNull()
      expect(await t.models.Audit.countDocuments({ action: 'birthday.correct', memberId })).toBe(0)
    })
  })

  describe('GET/PUT /api/admin/birthday-settings', () => {
    const put = (payload: unknown, headers: Record<string, string> = h.admin()) =>
      t.app.inject({ method: 'PUT', url: '/api/admin/birthday-settings', headers, payload: payload as object })
    const valid = (extra: Record<string, unknown> = {}) => ({ enabled: true, daysBefore: 5, couponsValidThroughMonthEnd: false, gifts: [], monthMultiplier: 2, ...extra })

    it('answers the settings, replaces them whole (audited), and refuses unknown tiers, templates and bad values', async () => {
      const tpl = await h.template('设置测试券')
      const body = valid({ gifts: [{ tier: 'S1', couponTemplateIds: [tpl], points: 100 }, { tier: 'S2', couponTemplateIds: [], points: 500 }] })
      const response = await put(body)
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toEqual(body)
      const read = await t.app.inject({ method: 'GET', url: '/api/admin/birthday-settings', headers: h.admin() })
      expect(read.statusCode).toBe(200)
      expect(read.json()).toEqual(body)
      const audit = await t.models.Audit.findOne({ action: 'birthday-settings.update' }).sort({ _id: -1 }).lean()
      expect(audit).toMatchObject({ actor: 'ops@brand.test', role: 'admin', details: { after: body } })

      const unknownTier = await put(valid({ gifts: [{ tier: 'GOLD', couponTemplateIds: [], points: 1 }] }))
      expect(unknownTier.statusCode).toBe(400)
      expect(unknownTier.json().message).toContain('GOLD is not a tier of this program')
      const twice = await put(valid({ gifts: [{ tier: 'S1', couponTemplateIds: [], points: 1 }, { tier: 'S1', couponTemplateIds: [], points: 2 }] }))
      expect(twice.statusCode).toBe(400)
      const unknownTemplate = await put(valid({ gifts: [{ tier: 'S1', couponTemplateIds: [GHOST], points: 1 }] }))
      expect(unknownTemplate.statusCode).toBe(404)
      expect(unknownTemplate.json()).toMatchObject({ code: 'NOT_FOUND', message: `gifts.0.couponTemplateIds.0: coupon template ${GHOST} not found` })
      for (const bad of [
        valid({ daysBefore: 31 }),
        valid({ daysBefore: -1 }),
        valid({ daysBefore: 2.5 }),
        valid({ monthMultiplier: 0.5 }),
        valid({ monthMultiplier: 11 }),
        valid({ enabled: 'yes' }),
        valid({ gifts: [{ tier: 'S1', couponTemplateIds: Array(6).fill(tpl), points: 1 }] }),
        valid({ gifts: [{ tier: 'S1', couponTemplateIds: ['not-an-id'], points: 1 }] }),
        valid({ gifts: [{ tier: 'S1', couponTemplateIds: [], points: 100_001 }] }),
        valid({ gifts: [{ tier: 'S1', couponTemplateIds: [], points: 1, extra: true }] }),
        valid({ gifts: Array.from({ length: 21 }, () => ({ tier: 'S1', couponTemplateIds: [], points: 1 })) }),
        valid({ zzUnknown: 1 }),
        { enabled: true },
      ]) {
        const refused = await put(bad)
        expect(refused.statusCode, JSON.stringify(bad)).toBe(400)
        expect(refused.json().code).toBe('VALIDATION_FAILED')
      }
      // nothing of that was stored
      expect((await t.app.inject({ method: 'GET', url: '/api/admin/birthday-settings', headers: h.admin() })).json()).toEqual(body)
    })

    it('answers 403 to member and staff tokens and 401 without a token', async () => {
      const { token } = await t.login('bd-settings-member')
      for (const headers of [h.bearer(token), h.staff()]) {
        expect((await t.app.inject({ method: 'GET', url: '/api/admin/birthday-settings', headers })).statusCode).toBe(403)
        expect((await put(valid(), headers)).statusCode).toBe(403)
      }
      expect((await t.app.inject({ method: 'GET', url: '/api/admin/birthday-settings' })).statusCode).toBe(401)
      expect((await put(valid(), {})).statusCode).toBe(401)
    })
  })

  describe('the gift', () => {
    it('is issued on the issue day in Shanghai, across the UTC midnight: coupons through the birthday month, points, the message', async () => {
      t.clock.set('2026-01-05T02:00:00Z')
      const { token, memberId } = await t.login('bd-midnight')
      await h.setBirthday(token, '03-20')
      const tpl = await h.template()
      await h.settings({ gifts: [{ tier: 'S1', couponTemplateIds: [tpl], points: 200 }] })

      // 23:59:59 on 16 March in Shanghai: still the day before the issue day
      t.clock.set('2026-03-16T15:59:59Z')
      await h.runDaily()
      expect((await h.given(memberId)).coupons).toHaveLength(0)
      expect(await h.status(token)).toEqual({
        status: 'upcoming',
        birthday: '03-20',
        celebratedOn: '2026-03-20',
        issueOn: '2026-03-17',
        birthdayWeek: false,
        reason: null,
        reasonCode: null,
        gift: null,
        multiplier: null,
      })

      // 00:00 on 17 March in Shanghai (still 16 March in UTC): the issue day
      t.clock.set('2026-03-16T16:00:00Z')
      await h.runDaily()
      const given = await h.given(memberId)
      expect(given.coupons).toHaveLength(1)
      expect(given.coupons[0]!.issueKey).toBe(`birthday:${memberId}:2026:0`)
      // valid through the end of March in Shanghai
      expect(given.coupons[0]!.validUntil.toISOString()).toBe('2026-03-31T15:59:59.999Z')
      expect(given.points.map((p) => p.key)).toEqual([`activity:${memberId}:birthday%3A2026`])
      expect(given.messages).toHaveLength(1)
      expect(given.messages[0]).toMatchObject({ dedupeKey: `birthday:${memberId}:2026`, data: { gift: '生日券 满 500 减 100 + 200 积分', validUntil: '2026-03-31' } })
      expect(await t.balances(memberId)).toMatchObject({ available: 200 })

      const status = await h.status(token)
      expect(status).toMatchObject({ status: 'issued', celebratedOn: '2026-03-20', issueOn: '2026-03-17', birthdayWeek: true, reason: null, reasonCode: null })
      expect(status.gift).toMatchObject({ points: 200, issuedAt: '2026-03-16T16:00:00.000Z' })
      expect(status.gift.coupons).toEqual([expect.objectContaining({ templateId: tpl, source: 'birthday', state: 'usable', validUntil: '2026-03-31T15:59:59.999Z' })])
      const wallet = await t.app.inject({ method: 'GET', url: '/api/me/coupons', headers: h.bearer(token) })
      expect(wallet.json().items.map((c: { id: string }) => c.id)).toContain(status.gift.coupons[0].id)

      // shown through the end of the birthday month, then next year's birthday is upcoming
      t.clock.set('2026-03-31T12:00:00Z')
      expect(await h.status(token)).toMatchObject({ status: 'issued', celebratedOn: '2026-03-20', birthdayWeek: false })
      t.clock.set('2026-03-31T16:00:00Z')
      expect(await h.status(token)).toMatchObject({ status: 'upcoming', celebratedOn: '2027-03-20', issueOn: '2027-03-17' })
      await t.expectReconciled()
    })

    it('celebrates 29 February on 28 February in common years and on the 29th in leap years, once each year', async () => {
      t.clock.set('2026-06-01T02:00:00Z')
      const leap = await t.login('bd-feb29')
      await h.setBirthday(leap.token, '02-29', 2000)
      const feb28 = await t.login('bd-feb28')
      await h.setBirthday(feb28.token, '02-28')
      const tpl = await h.template('二月生日券')
      await h.settings({ gifts: [{ tier: 'S1', couponTemplateIds: [tpl], points: 100 }] })

      t.clock.set('2027-02-24T04:00:00Z')
      expect(await h.status(leap.token)).toMatchObject({ status: 'upcoming', celebratedOn: '2027-02-28', issueOn: '2027-02-25', birthdayWeek: false })
      await h.runDaily()
      expect((await h.given(leap.memberId)).coupons).toHaveLength(0)

      t.clock.set('2027-02-25T04:00:00Z')
      await h.runDaily()
      const common = await h.given(leap.memberId)
      expect(common.coupons.map((c) => c.issueKey)).toEqual([`birthday:${leap.memberId}:2027:0`])
      expect(common.coupons[0]!.validUntil.toISOString()).toBe('2027-02-28T15:59:59.999Z')
      expect(await h.status(leap.token)).toMatchObject({ status: 'issued', celebratedOn: '2027-02-28', issueOn: '2027-02-25', birthdayWeek: true })
      expect((await h.given(feb28.memberId)).coupons).toHaveLength(1)

      // 2028 is a leap year: the 29th, issued three days before it
      t.clock.set('2028-02-25T04:00:00Z')
      expect(await h.status(leap.token)).toMatchObject({ status: 'upcoming', celebratedOn: '2028-02-29', issueOn: '2028-02-26' })
      await h.runDaily()
      expect((await h.given(leap.memberId)).coupons).toHaveLength(1)
      t.clock.set('2028-02-26T04:00:00Z')
      await h.runDaily()
      await h.runDaily()
      const both = await h.given(leap.memberId)
      expect(both.coupons.map((c) => c.issueKey).sort()).toEqual([`birthday:${leap.memberId}:2027:0`, `birthday:${leap.memberId}:2028:0`])
      expect(both.coupons.find((c) => c.issueKey.endsWith(':2028:0'))!.validUntil.toISOString()).toBe('2028-02-29T15:59:59.999Z')
      expect(both.points).toHaveLength(2)
      expect(both.messages.map((m) => m.dedupeKey).sort()).toEqual([`birthday:${leap.memberId}:2027`, `birthday:${leap.memberId}:2028`])
      expect(await h.status(leap.token)).toMatchObject({ status: 'issued', celebratedOn: '2028-02-29', issueOn: '2028-02-26' })
      expect((await h.given(feb28.memberId)).coupons).toHaveLength(2)
    })

    it('does not reward a birthday set 30 days before it falls, and tells the member why; 31 days before is rewarded', async () => {
      await h.settings({ gifts: [{ tier: 'S1', couponTemplateIds: [], points: 300 }] })
      // 04:00 on 31 May in Shanghai (still 30 May in UTC): 30 days before 30 June
      t.clock.set('2026-05-30T20:00:00Z')
      const day30 = await t.login('bd-day30')
      const set30 = await h.setBirthday(day30.token, '06-30')
      expect(set30.gift).toEqual({
        status: 'not_eligible',
        birthday: '06-30',
        celebratedOn: '2026-06-30',
        issueOn: null,
        birthdayWeek: false,
        reason: BIRTHDAY_INELIGIBILITY_REASONS.SET_TOO_LATE,
        reasonCode: 'SET_TOO_LATE',
        gift: null,
        multiplier: null,
      })
      expect(set30.gift.reason).toBe('生日在设置后 30 天内到来，今年的生日礼遇无法发放，明年生日前会自动送达。')
      // 23:59 on 30 May in Shanghai: 31 days before
      t.clock.set('2026-05-30T15:59:00Z')
      const day31 = await t.login('bd-day31')
      expect((await h.setBirthday(day31.token, '06-30')).gift).toMatchObject({ status: 'upcoming', issueOn: '2026-06-27' })

      t.clock.set('2026-06-27T01:00:00Z')
      await h.runDaily()
      expect((await h.given(day30.memberId)).points).toHaveLength(0)
      const rewarded = await h.given(day31.memberId)
      expect(rewarded.points).toHaveLength(1)
      // points only: the message says until when the points last (earned 2026: the end of 2027)
      expect(rewarded.messages[0]!.data).toEqual({ gift: '300 积分', validUntil: '2027-12-31' })
      expect(await h.status(day31.token)).toMatchObject({ status: 'issued', gift: { coupons: [], points: 300 } })
      expect(await h.status(day30.token)).toMatchObject({ status: 'not_eligible', reasonCode: 'SET_TOO_LATE' })

      // through the birthday week the page stays on this year's; then next year's gift is upcoming
      t.clock.set('2026-07-03T01:00:00Z')
      expect(await h.status(day30.token)).toMatchObject({ status: 'not_eligible', celebratedOn: '2026-06-30', birthdayWeek: true })
      t.clock.set('2026-07-04T01:00:00Z')
      expect(await h.status(day30.token)).toMatchObject({ status: 'upcoming', celebratedOn: '2027-06-30', issueOn: '2027-06-27', birthdayWeek: false })
      await h.runDaily()
      expect((await h.given(day30.memberId)).points).toHaveLength(0)
    })

    it('reaches a member who joins after the issue day but before the birthday at once, and on the next run; not after the birthday', async () => {
      const tpl = await h.template('入会生日券')
      await h.settings({ gifts: [{ tier: 'S1', couponTemplateIds: [tpl], points: 50 }] })
      t.clock.set('2026-09-09T02:00:00Z')
      // members the brand knew before (an import: the birthday without a set time), logging in for the first time
      const known = (user: string, birthday: string) =>
        t.models.Member.create({ openid: sandboxOpenid(TEST_APPID, user), nickname: '老会员', birthday, joinChannel: null })
      await known('bd-joiner', '09-10')
      await known('bd-joiner-late', '09-08')
      const imported = await known('bd-imported', '09-11')

      const joiner = await t.login('bd-joiner')
      const atOnce = await h.given(joiner.memberId)
      expect(atOnce.coupons).toHaveLength(1)
      expect(atOnce.points).toHaveLength(1)
      expect(atOnce.messages).toHaveLength(1)
      expect(await h.status(joiner.token)).toMatchObject({ status: 'issued', celebratedOn: '2026-09-10', issueOn: '2026-09-09', birthdayWeek: true })

      const late = await t.login('bd-joiner-late')
      expect((await h.given(late.memberId)).coupons).toHaveLength(0)
      expect(await h.status(late.token)).toMatchObject({ status: 'not_eligible', celebratedOn: '2026-09-08', reasonCode: null, reason: BIRTHDAY_PASSED_REASON, birthdayWeek: true })

      // a birthday planted after login (an operator's import): the birthday page issues it when opened
      const opener = await h.memberWithBirthday('bd-opener', '09-12')
      expect((await h.given(opener.memberId)).coupons).toHaveLength(0)
      expect(await h.status(opener.token)).toMatchObject({ status: 'issued', celebratedOn: '2026-09-12', gift: { points: 50 } })
      expect((await h.given(opener.memberId)).coupons).toHaveLength(1)

      // the member who has not logged in: the daily run
      expect((await h.given(imported._id.toString())).coupons).toHaveLength(0)
      await h.runDaily()
      expect((await h.given(imported._id.toString())).coupons).toHaveLength(1)
      // and nothing twice for the others
      for (const memberId of [joiner.memberId, opener.memberId]) expect((await h.given(memberId)).coupons).toHaveLength(1)
      expect((await h.given(late.memberId)).coupons).toHaveLength(0)
    })

    it('says when the program is off or the tier has no gift, keeps the templates’ validity when asked to, and goes without a refused coupon', async () => {
      t.clock.set('2026-10-01T02:00:00Z')
      const off = await h.memberWithBirthday('bd-program-off', '10-20')
      await h.settings({ enabled: false, gifts: [{ tier: 'S1', couponTemplateIds: [], points: 10 }] })
      expect(await h.status(off.token)).toMatchObject({ status: 'not_eligible', reasonCode: 'PROGRAM_OFF', reason: BIRTHDAY_INELIGIBILITY_REASONS.PROGRAM_OFF, multiplier: null })
      await h.settings({ gifts: [{ tier: 'S2', couponTemplateIds: [], points: 10 }], monthMultiplier: 2 })
      expect(await h.status(off.token)).toMatchObject({ status: 'not_eligible', reasonCode: 'NO_GIFT_FOR_TIER', multiplier: 2 })

      const own = await h.template('自有有效期券', { validity: { days: 60 } })
      const paused = await h.template('已暂停券')
      await t.app.coupons.templates.update(paused, { status: 'paused' }, { actor: 'test', role: 'admin' })
      await h.settings({ couponsValidThroughMonthEnd: false, gifts: [{ tier: 'S1', couponTemplateIds: [own, paused], points: 10 }] })
      t.clock.set('2026-10-17T02:00:00Z')
      await h.runDaily()
      const given = await h.given(off.memberId)
      // 60 days counting the issue day: through 15 December, Shanghai
      expect(given.coupons.map((c) => c.validUntil.toISOString())).toEqual(['2026-12-15T15:59:59.999Z'])
      expect(given.points).toHaveLength(1)
      const gift = await t.app.db.connection.model('BirthdayGift').findById(`birthday:${off.memberId}:2026`).lean()
      expect(gift).toMatchObject({ state: 'issued', pointsGranted: 10, coupons: [{ templateId: own, refused: null }, { templateId: paused, couponId: null, refused: 'NOT_AVAILABLE' }] })
      expect((await h.status(off.token)).gift.coupons).toHaveLength(1)
    })
  })

  describe('the birthday-month multiplier', () => {
    it('multiplies the points of a purchase paid (Shanghai) in the birthday month, not one paid the month after', async () => {
      t.clock.set('2026-01-10T02:00:00Z')
      const { token, memberId } = await t.login('bd-month-boost')
      await h.setBirthday(token, '08-15')
      await h.settings({ gifts: [], monthMultiplier: 2 })
      t.clock.set('2026-09-01T04:00:00Z')
      const inMonth = shop.orderId()
      const after = shop.orderId()
      // 23:30 on 31 August and 00:10 on 1 September in Shanghai (both 31 August in UTC)
      await t.sendAccepted(shop.paid(inMonth, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-08-31T23:30:00+08:00'))
      await t.sendAccepted(shop.paid(after, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-09-01T00:10:00+08:00'))
      const boosted = (await t.models.Order.findById(inMonth).lean())!
      expect(boosted.rates).toMatchObject({ multiplier: 2, boosts: [{ kind: 'birthday', factor: 2, label: '生日月 ×2' }] })
      expect((boosted.lines as { earnedPoints: number }[])[0]!.earnedPoints).toBe(200)
      const plain = (await t.models.Order.findById(after).lean())!
      expect(plain.rates).toMatchObject({ multiplier: 1, boosts: [] })
      expect((plain.lines as { earnedPoints: number }[])[0]!.earnedPoints).toBe(100)
      expect(await t.balances(memberId)).toMatchObject({ pending: 300 })
      expect(await h.status(token)).toMatchObject({ multiplier: 2 })
      // off again: no boost
      await h.settings({ gifts: [], monthMultiplier: 1 })
      const offOrder = shop.orderId()
      await t.sendAccepted(shop.paid(offOrder, { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-08-31T23:40:00+08:00'))
      expect(((await t.models.Order.findById(offOrder).lean())!.lines as { earnedPoints: number }[])[0]!.earnedPoints).toBe(100)
      await t.expectReconciled()
    })
  })
})
