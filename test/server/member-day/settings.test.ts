import { DEFAULT_MEMBER_DAY_SETTINGS, ErrorCodes } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { memberDayHelpers } from './helpers.js'

/** The operator's side of the member day: the settings and each member day's plan, with their refusals. */
describe('member-day settings and plans (admin)', () => {
  const t = useTestApp()
  const h = () => memberDayHelpers(t)
  const put = (payload: unknown, token = h().admin()) => t.app.inject({ method: 'PUT', url: '/api/admin/member-day/settings', headers: { authorization: token }, payload: payload as object })
  const valid = () => structuredClone(DEFAULT_MEMBER_DAY_SETTINGS)
  const expectError = (response: { statusCode: number; body: string; json(): { code: string; message: string } }, status: number, code: string, says?: string) => {
    expect(response.statusCode, response.body).toBe(status)
    expect(response.json().code).toBe(code)
    if (says) expect(response.json().message).toContain(says)
  }

  describe('GET/PUT /api/admin/member-day/settings', () => {
    it('answers the defaults before an operator sets any', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/admin/member-day/settings', headers: { authorization: h().admin() } })
      expect(response.statusCode).toBe(200)
      expect(response.json()).toEqual({ enabled: true, days: [18], issueMode: 'on-open', multiplier: 2, tierCoupons: [], reminder: { enabled: true, hour: 10 } })
    })

    it('replaces the settings, sorts the days, and audits the change', async () => {
      const gold = await h().template('金卡会员日券')
      const silver = await h().template('银卡会员日券')
      const body = { enabled: true, days: [28, 8, 18], issueMode: 'job', multiplier: 1.5, tierCoupons: [{ tier: 'S2', couponTemplateIds: [gold] }, { tier: 'S1', couponTemplateIds: [silver, gold] }], reminder: { enabled: false, hour: 20 } }
      const response = await put(body)
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toEqual({ ...body, days: [8, 18, 28] })
      expect(await h().settings()).toEqual({ ...body, days: [8, 18, 28] })
      const audit = (await t.app.audit.list({ action: 'member-day.settings' }))[0]!
      expect(audit).toMatchObject({ actor: 'ops@brand.test', role: 'admin', details: { days: [8, 18, 28], multiplier: 1.5 } })
      await h().reset()
    })

    it('refuses days 0, 29, 30, 31 and 32, four days, duplicates and none (400), saying why 29–31 are refused', async () => {
      for (const days of [[0], [32], [4, 8, 18, 28], [18, 18], []]) {
        expectError(await put({ ...valid(), days }), 400, ErrorCodes.VALIDATION_FAILED, 'days')
      }
      for (const day of [29, 30, 31]) {
        expectError(await put({ ...valid(), days: [8, day] }), 400, ErrorCodes.VALIDATION_FAILED, 'not every month has')
      }
      expectError(await put({ ...valid(), days: [1.5] }), 400, ErrorCodes.VALIDATION_FAILED, 'days.0')
      expect(await h().settings()).toEqual(DEFAULT_MEMBER_DAY_SETTINGS)
    })

    it('refuses a multiplier outside 1–10, a reminder hour outside 9–20, an unknown mode, and missing fields (400)', async () => {
      for (const body of [
        { ...valid(), multiplier: 0.5 },
        { ...valid(), multiplier: 11 },
        { ...valid(), multiplier: '2' },
        { ...valid(), reminder: { enabled: true, hour: 8 } },
        { ...valid(), reminder: { enabled: true, hour: 21 } },
        { ...valid(), reminder: { enabled: true } },
        { ...valid(), issueMode: 'later' },
        { days: [18] },
      ]) {
        expectError(await put(body), 400, ErrorCodes.VALIDATION_FAILED)
      }
    })

    it('refuses unknown and $-prefixed keys at every depth (400 naming them)', async () => {
      const id = await h().template('键测试券')
      const withTier = { ...valid(), tierCoupons: [{ tier: 'S1', couponTemplateIds: [id] }] }
      for (const [body, name] of [
        [{ ...withTier, extra: 1 }, 'extra'],
        [{ ...withTier, $set: { enabled: false } }, '$set'],
        [{ ...withTier, reminder: { enabled: true, hour: 10, at: '10:00' } }, 'at'],
        [{ ...withTier, tierCoupons: [{ tier: 'S1', couponTemplateIds: [id], $where: '1' }] }, '$where'],
      ] as const) {
        expectError(await put(body), 400, ErrorCodes.VALIDATION_FAILED, name)
      }
      expect(await h().settings()).toEqual(DEFAULT_MEMBER_DAY_SETTINGS)
    })

    it('refuses an unknown tier code or one listed twice (400), an unknown template (404), and more than five templates (400)', async () => {
      const id = await h().template('等级测试券')
      expectError(await put({ ...valid(), tierCoupons: [{ tier: 'S9', couponTemplateIds: [id] }] }), 400, ErrorCodes.VALIDATION_FAILED, 'no tier has the code "S9"')
      expectError(
        await put({ ...valid(), tierCoupons: [{ tier: 'S1', couponTemplateIds: [id] }, { tier: 'S1', couponTemplateIds: [] }] }),
        400,
        ErrorCodes.VALIDATION_FAILED,
        'listed twice',
      )
      expectError(await put({ ...valid(), tierCoupons: [{ tier: 'S1', couponTemplateIds: ['0123456789abcdef01234567'] }] }), 404, ErrorCodes.NOT_FOUND, 'coupon template 0123456789abcdef01234567 not found')
      expectError(await put({ ...valid(), tierCoupons: [{ tier: 'S1', couponTemplateIds: ['not-an-id'] }] }), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await put({ ...valid(), tierCoupons: [{ tier: 'S1', couponTemplateIds: [id, id] }] }), 400, ErrorCodes.VALIDATION_FAILED)
      const six = await Promise.all(Array.from({ length: 6 }, (_, i) => h().template(`六张之${i}`)))
      expectError(await put({ ...valid(), tierCoupons: [{ tier: 'S1', couponTemplateIds: six }] }), 400, ErrorCodes.VALIDATION_FAILED)
      expect(await h().settings()).toEqual(DEFAULT_MEMBER_DAY_SETTINGS)
    })

    it('answers 401 without a token and 403 with a member’s', async () => {
      const member = await t.login('md-settings-member')
      for (const method of ['GET', 'PUT'] as const) {
        const payload = method === 'PUT' ? valid() : undefined
        expectError(await t.app.inject({ method, url: '/api/admin/member-day/settings', payload }), 401, ErrorCodes.UNAUTHORIZED)
        expectError(await t.app.inject({ method, url: '/api/admin/member-day/settings', headers: { authorization: `Bearer ${member.token}` }, payload }), 403, ErrorCodes.FORBIDDEN)
      }
    })
  })

  describe('member-day plans', () => {
    const plan = (over: Record<string, unknown> = {}) => ({
      theme: { title: '三月会员日 · 春日珠光', banner: 'https://cdn.brand.test/md/2026-03.jpg', description: '全场积分翻倍，珍珠系列会员价。' },
      memberPrices: [
        { sku: 'PEARL-001', name: '淡水珍珠耳钉', priceFen: 129_900, memberPriceFen: 99_900 },
        { sku: 'RING-18K-02', name: '18K 金素圈', priceFen: 259_900, memberPriceFen: 239_900 },
      ],
      ...over,
    })
    const putPlan = (date: string, body: unknown, token = h().admin()) =>
      t.app.inject({ method: 'PUT', url: `/api/admin/member-day/plans/${date}`, headers: { authorization: token }, payload: body as object })
    const month = (m: string, token = h().admin()) => t.app.inject({ method: 'GET', url: `/api/admin/member-day/plans?month=${m}`, headers: { authorization: token } })

    it('plans a member day, lists the month’s member days with their plans, and audits it', async () => {
      t.clock.set('2026-03-10T10:00:00+08:00')
      await h().setSettings({ days: [8, 18] })
      try {
        const response = await putPlan('2026-03-18', plan())
        expect(response.statusCode, response.body).toBe(200)
        expect(response.json()).toEqual({ date: '2026-03-18', ...plan() })
        // replaced as a whole
        const again = await putPlan('2026-03-18', plan({ theme: null }))
        expect(again.json()).toEqual({ date: '2026-03-18', theme: null, memberPrices: plan().memberPrices })
        const april = await putPlan('2026-04-08', plan({ memberPrices: [] }))
        expect(april.statusCode, april.body).toBe(200)

        const march = await month('2026-03')
        expect(march.statusCode).toBe(200)
        // the 8th is over but listed (not planned); the 18th planned
        expect(march.json()).toEqual({ items: [{ date: '2026-03-08', theme: null, memberPrices: [] }, { date: '2026-03-18', theme: null, memberPrices: plan().memberPrices }] })
        expect((await month('2026-04')).json().items).toEqual([
          { date: '2026-04-08', ...plan({ memberPrices: [] }) },
          { date: '2026-04-18', theme: null, memberPrices: [] },
        ])
        expect((await t.app.audit.list({ action: 'member-day.plan' })).map((a) => (a.details as { date: string }).date).sort()).toEqual(['2026-03-18', '2026-03-18', '2026-04-08'])

        // the view shows the next member day's plan
        const view = (await h().view()).json()
        expect(view.next).toMatchObject({ date: '2026-03-18', theme: null, memberPrices: plan().memberPrices })
      } finally {
        await h().reset()
      }
    })

    it('refuses a date that is not a calendar date (400), not a member day or in the past (409)', async () => {
      t.clock.set('2026-03-20T10:00:00+08:00')
      for (const date of ['2026-02-30', '2026-13-18', '2026-00-18']) expectError(await putPlan(date, plan()), 400, ErrorCodes.VALIDATION_FAILED, 'not a calendar date')
      for (const date of ['2026-3-18', '20260418', '2026-04-18x', 'today']) expectError(await putPlan(date, plan()), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await putPlan('2026-04-17', plan()), 409, ErrorCodes.CONFLICT, 'not a member day')
      expectError(await putPlan('2026-03-18', plan()), 409, ErrorCodes.CONFLICT, 'is over')
      expect((await putPlan('2026-04-18', plan())).statusCode).toBe(200)
    })

    it('refuses a member price not below the price, a SKU twice, more than 50 prices, and bad fields (400)', async () => {
      t.clock.set('2026-03-10T10:00:00+08:00')
      const price = plan().memberPrices[0]!
      for (const memberPrices of [[{ ...price, memberPriceFen: price.priceFen }], [{ ...price, memberPriceFen: price.priceFen + 1 }]]) {
        expectError(await putPlan('2026-03-18', plan({ memberPrices })), 400, ErrorCodes.VALIDATION_FAILED, 'must be below the price')
      }
      expectError(await putPlan('2026-03-18', plan({ memberPrices: [price, price] })), 400, ErrorCodes.VALIDATION_FAILED, 'listed twice')
      const many = Array.from({ length: 51 }, (_, i) => ({ ...price, sku: `SKU-${i}` }))
      expectError(await putPlan('2026-03-18', plan({ memberPrices: many })), 400, ErrorCodes.VALIDATION_FAILED)
      for (const theme of [
        { title: '', banner: null, description: '' },
        { title: '长'.repeat(31), banner: null, description: '' },
        { title: '主题', banner: 'javascript:alert(1)', description: '' },
        { title: '主题', banner: null, description: '长'.repeat(201) },
        { title: '主题', banner: null, description: '', color: 'red' },
      ]) {
        expectError(await putPlan('2026-03-18', plan({ theme })), 400, ErrorCodes.VALIDATION_FAILED)
      }
      expectError(await putPlan('2026-03-18', { ...plan(), $where: 1 }), 400, ErrorCodes.VALIDATION_FAILED, '$where')
      expectError(await putPlan('2026-03-18', plan({ memberPrices: [{ ...price, sku: 'x'.repeat(65) }] })), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await putPlan('2026-03-18', { theme: null }), 400, ErrorCodes.VALIDATION_FAILED, 'memberPrices')
    })

    it('refuses a month that is not YYYY-MM (400), and answers 401 / 403 for the wrong caller', async () => {
      for (const m of ['2026-3', '2026-13', '2026-00', '202603', '']) expectError(await month(m), 400, ErrorCodes.VALIDATION_FAILED)
      expectError(await t.app.inject({ method: 'GET', url: '/api/admin/member-day/plans' }), 401, ErrorCodes.UNAUTHORIZED)
      const member = await t.login('md-plans-member')
      expectError(await month('2026-03', `Bearer ${member.token}`), 403, ErrorCodes.FORBIDDEN)
      expectError(await putPlan('2026-03-18', plan(), `Bearer ${member.token}`), 403, ErrorCodes.FORBIDDEN)
      expectError(await t.app.inject({ method: 'PUT', url: '/api/admin/member-day/plans/2026-03-18', payload: plan() }), 401, ErrorCodes.UNAUTHORIZED)
    })
  })
})
