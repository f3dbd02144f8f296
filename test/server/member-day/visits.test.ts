import { ErrorCodes, type Coupon } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { memberDayHelpers } from './helpers.js'

/**
 * The member's side: GET /api/member-day (public, and `mine` with a member token) and POST /api/me/member-day/visits
 * — the visit counted, the tier coupons issued once per member per member day (on open, under concurrency) or to
 * everyone by the day's job.
 */
describe('member day for members', () => {
  const t = useTestApp()
  const h = () => memberDayHelpers(t)
  const templates = {} as { silverA: string; silverB: string; gold: string }
  const model = (name: string) => t.app.db.connection.model(name)

  async function configure(changes: Record<string, unknown> = {}) {
    if (!templates.silverA) {
      templates.silverA = await h().template('银卡会员日 50 元券')
      templates.silverB = await h().template('银卡会员日 9 折券', { kind: 'percent', amountFen: undefined, percentOff: 10, capFen: 20_000 })
      templates.gold = await h().template('金卡会员日 200 元券', { amountFen: 20_000, thresholdFen: 200_000 })
    }
    return h().setSettings({ tierCoupons: [{ tier: 'S1', couponTemplateIds: [templates.silverA, templates.silverB] }, { tier: 'S2', couponTemplateIds: [templates.gold] }], ...changes })
  }

  async function goldMember(user: string) {
    const member = await t.login(user)
    const adjusted = await t.app.inject({ method: 'POST', url: `/api/admin/members/${member.memberId}/adjustments`, headers: { authorization: h().admin() }, payload: { kind: 'growth', delta: 8_001, reason: 'opening balance', requestId: `gold-${user}` } })
    expect(adjusted.json().tierLevel, adjusted.body).toBe(2)
    return member
  }

  describe('GET /api/member-day', () => {
    it('shows the public part without a token: the days, the next member day with its instants, and each tier’s coupons', async () => {
      await configure()
      t.clock.set('2026-03-10T10:00:00+08:00')
      const response = await h().view()
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toEqual({
        days: [18],
        today: '2026-03-10',
        isToday: false,
        next: { date: '2026-03-18', startsAt: '2026-03-17T16:00:00.000Z', endsAt: '2026-03-18T16:00:00.000Z', theme: null, memberPrices: [], multiplier: 2 },
        offers: [
          {
            tier: 'S1',
            tierName: '银卡会员',
            coupons: [
              { templateId: templates.silverA, name: '银卡会员日 50 元券', rulesText: '满 500 元减 50 元 · 全场可用' },
              { templateId: templates.silverB, name: '银卡会员日 9 折券', rulesText: '满 500 元享 9 折，最多减 200 元 · 全场可用' },
            ],
          },
          { tier: 'S2', tierName: '金卡会员', coupons: [{ templateId: templates.gold, name: '金卡会员日 200 元券', rulesText: '满 2000 元减 200 元 · 全场可用' }] },
        ],
        mine: null,
      })
    })

    it('is today on the member day itself, from its first second to its last', async () => {
      for (const [at, isToday, next] of [
        ['2026-03-17T23:59:59+08:00', false, '2026-03-18'],
        ['2026-03-18T00:00:00+08:00', true, '2026-03-18'],
        ['2026-03-18T23:59:59+08:00', true, '2026-03-18'],
        ['2026-03-19T00:00:00+08:00', false, '2026-04-18'],
      ] as const) {
        t.clock.set(at)
        const view = (await h().view()).json()
        expect([view.isToday, view.next.date], at).toEqual([isToday, next])
      }
    })

    it('adds mine with a member token: the tier, its coupons, today’s coupons, and whether the reminder can reach the member', async () => {
      await configure()
      t.clock.set('2026-03-10T10:00:00+08:00')
      const me = await t.login('md-view-mine')
      let view = (await h().view(me.token)).json()
      expect(view.mine).toEqual({
        tier: 'S1',
        tierName: '银卡会员',
        coupons: view.offers[0].coupons,
        issued: [],
        reminded: false,
      })
      // the member accepts the member-day reminder template
      await t.app.messaging.mappings.set('member_day', 'subscribe', { templateId: 'tpl-member_day' }, { actor: 'ops', role: 'admin' })
      await t.sandbox.subscribe('md-view-mine', { 'tpl-member_day': 'accept' })
      const reported = await t.app.inject({ method: 'POST', url: '/api/me/subscriptions', headers: h().bearer(me.token), payload: { results: { 'tpl-member_day': 'accept' } } })
      expect(reported.statusCode, reported.body).toBe(200)
      expect((await h().view(me.token)).json().mine.reminded).toBe(true)

      // on the day, after the visit: the coupons issued to the member
      t.clock.set('2026-03-18T11:00:00+08:00')
      expect((await h().view(me.token)).json().mine.issued).toEqual([])
      const visit = (await h().visit(me.token)).json()
      view = (await h().view(me.token)).json()
      expect(view.isToday).toBe(true)
      expect((view.mine.issued as Coupon[]).map((c) => c.id).sort()).toEqual((visit.issued as Coupon[]).map((c) => c.id).sort())
      expect(view.mine.issued).toHaveLength(2)
    })

    it('is null next and no offers while the program is off', async () => {
      await configure({ enabled: false })
      try {
        t.clock.set('2026-03-18T11:00:00+08:00')
        const me = await t.login('md-view-off')
        const view = (await h().view(me.token)).json()
        expect(view).toMatchObject({ days: [18], today: '2026-03-18', isToday: false, next: null, offers: [], mine: { tier: 'S1', coupons: [], issued: [] } })
      } finally {
        await h().reset()
      }
    })

    it('answers 401 for an invalid, expired or non-member token, and 404 for a member that does not exist', async () => {
      for (const authorization of ['Bearer garbage', 'Basic abc', `Bearer ${t.adminToken()}`, 'Bearer ']) {
        const response = await t.app.inject({ method: 'GET', url: '/api/member-day', headers: { authorization } })
        expect(response.statusCode, authorization).toBe(401)
        expect(response.json().code).toBe(ErrorCodes.UNAUTHORIZED)
      }
      const ghost = t.app.jwt.sign({ sub: '0123456789abcdef01234567', role: 'member' })
      const response = await h().view(ghost)
      expect(response.statusCode).toBe(404)
      expect(response.json().code).toBe(ErrorCodes.NOT_FOUND)
    })
  })

  describe('POST /api/me/member-day/visits', () => {
    it('counts nothing and issues nothing on another day', async () => {
      await configure()
      t.clock.set('2026-03-17T23:59:59+08:00')
      const me = await t.login('md-visit-other-day')
      const response = await h().visit(me.token)
      expect(response.statusCode, response.body).toBe(200)
      expect(response.json()).toEqual({ isMemberDay: false, date: null, issued: [] })
      expect(await h().couponsOf(me.memberId)).toEqual([])
      expect(await model('MemberDayMember').countDocuments({ memberId: me.memberId })).toBe(0)
    })

    it("issues the member's tier coupons on the first visit of the day, once; the next visit issues nothing", async () => {
      await configure()
      t.clock.set('2026-03-18T00:00:00+08:00')
      const me = await t.login('md-visit-once')
      const first = await h().visit(me.token)
      expect(first.statusCode, first.body).toBe(200)
      expect(first.json()).toMatchObject({ isMemberDay: true, date: '2026-03-18' })
      const issued = first.json().issued as Coupon[]
      expect(issued.map((c) => [c.templateId, c.source, c.state]).sort()).toEqual(
        [
          [templates.silverA, 'member-day', 'usable'],
          [templates.silverB, 'member-day', 'usable'],
        ].sort(),
      )
      t.clock.set('2026-03-18T23:59:59+08:00')
      expect((await h().visit(me.token)).json()).toEqual({ isMemberDay: true, date: '2026-03-18', issued: [] })
      const coupons = await h().couponsOf(me.memberId)
      expect(coupons.map((c) => c.issueKey).sort()).toEqual([`member-day:2026-03-18:${me.memberId}:${templates.silverA}`, `member-day:2026-03-18:${me.memberId}:${templates.silverB}`].sort())
      // the visit is recorded once, at its first moment
      expect(await model('MemberDayMember').findById(`2026-03-18:${me.memberId}`).lean()).toMatchObject({ date: '2026-03-18', visitedAt: new Date('2026-03-17T16:00:00.000Z') })

      // the next member day issues again, under its own keys
      t.clock.set('2026-04-18T09:00:00+08:00')
      expect((await h().visit(me.token)).json().issued).toHaveLength(2)
      expect(await h().couponsOf(me.memberId)).toHaveLength(4)
    })

    it('issues once under 20 concurrent visits of the same member', async () => {
      await configure()
      t.clock.set('2026-03-18T12:00:00+08:00')
      const me = await t.login('md-visit-concurrent')
      const responses = await Promise.all(Array.from({ length: 20 }, () => h().visit(me.token)))
      expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200))
      const issued = responses.flatMap((r) => r.json().issued as Coupon[])
      // each template's coupon was issued by exactly one of the calls
      expect(issued.map((c) => c.templateId).sort()).toEqual([templates.silverA, templates.silverB].sort())
      const coupons = await h().couponsOf(me.memberId)
      expect(coupons).toHaveLength(2)
      expect(coupons.map((c) => c.state)).toEqual(['usable', 'usable'])
      const entry = (await model('MemberDayMember').findById(`2026-03-18:${me.memberId}`).lean()) as unknown as { couponIds: unknown[] }
      expect(entry.couponIds.map(String).sort()).toEqual(coupons.map((c) => String(c._id)).sort())
      expect(await model('MemberDayMember').countDocuments({ memberId: me.memberId })).toBe(1)
      // nothing left half-issued, and every template's count equals its coupons (one unit each here, not twenty)
      expect(await t.app.coupons.issuer.repairPending()).toBe(0)
      expect(await t.app.coupons.usage.reconcile()).toEqual([])
    })

    it("gives each tier its own coupons, and a refusal (out of stock) leaves the visit and the other coupons alone", async () => {
      const scarce = await h().template('限量会员日券', { stock: 1 })
      await configure({ tierCoupons: [{ tier: 'S1', couponTemplateIds: [templates.silverA, scarce] }, { tier: 'S2', couponTemplateIds: [templates.gold] }] })
      try {
        t.clock.set('2026-05-18T10:00:00+08:00')
        const gold = await goldMember('md-visit-gold')
        expect(((await h().visit(gold.token)).json().issued as Coupon[]).map((c) => c.templateId)).toEqual([templates.gold])
        const first = await t.login('md-visit-scarce-1')
        const second = await t.login('md-visit-scarce-2')
        expect(((await h().visit(first.token)).json().issued as Coupon[]).map((c) => c.templateId).sort()).toEqual([templates.silverA, scarce].sort())
        const late = await h().visit(second.token)
        expect(late.statusCode, late.body).toBe(200)
        expect((late.json().issued as Coupon[]).map((c) => c.templateId)).toEqual([templates.silverA])
        expect(await model('MemberDayMember').findById(`2026-05-18:${second.memberId}`).lean()).toMatchObject({ visitedAt: expect.any(Date) })
        expect(await t.app.coupons.usage.reconcile()).toEqual([])
      } finally {
        await h().reset()
      }
    })

    it('issues nothing on open in job mode; the day’s job at 00:05 issues to every member, once, however often it runs', async () => {
      await configure({ issueMode: 'job' })
      try {
        t.clock.set('2026-06-17T12:00:00+08:00')
        const silver = await t.login('md-job-silver')
        const gold = await goldMember('md-job-gold')
        const everyone = (await t.models.Member.find({}, { _id: 1, tierLevel: 1 }).lean()) as unknown as { _id: unknown; tierLevel: number }[]

        t.clock.set('2026-06-18T00:05:00+08:00')
        await t.app.jobs.drain()
        expect((await h().couponsOf(silver.memberId)).map((c) => String(c.templateId)).sort()).toEqual([templates.silverA, templates.silverB].sort())
        expect((await h().couponsOf(gold.memberId)).map((c) => String(c.templateId))).toEqual([templates.gold])
        const issuedToday = await model('Coupon').countDocuments({ source: 'member-day', issueKey: { $regex: '^member-day:2026-06-18:' } })
        const expected = everyone.reduce((n, m) => n + (m.tierLevel === 2 ? 1 : m.tierLevel === 1 ? 2 : 0), 0)
        expect(issuedToday).toBe(expected)

        // a visit counts but issues nothing more
        const visit = (await h().visit(silver.token)).json()
        expect(visit).toEqual({ isMemberDay: true, date: '2026-06-18', issued: [] })
        expect(await model('MemberDayMember').findById(`2026-06-18:${silver.memberId}`).lean()).toMatchObject({ visitedAt: new Date('2026-06-17T16:05:00.000Z') })
        // the view shows the member the coupons the job issued
        expect((await h().view(silver.token)).json().mine.issued).toHaveLength(2)

        // the job runs again (a retry, another process): nothing twice
        await t.app.memberDay.days.issueToEveryone('2026-06-18', await t.app.memberDay.settings.current())
        expect(await model('Coupon').countDocuments({ source: 'member-day', issueKey: { $regex: '^member-day:2026-06-18:' } })).toBe(expected)
        // and it scheduled itself for tomorrow 00:05
        const job = (await t.models.Job.findById('member-day.daily').lean()) as unknown as { dueAt: Date; state: string }
        expect(job).toMatchObject({ state: 'queued', dueAt: new Date('2026-06-18T16:05:00.000Z') })
      } finally {
        await h().reset()
      }
    })

    it('refuses a body other than {} (400), no token or an admin token (401), and a member that does not exist (404)', async () => {
      const me = await t.login('md-visit-refusals')
      for (const payload of [{ date: '2026-03-18' }, { $where: 1 }, []]) {
        const response = await t.app.inject({ method: 'POST', url: '/api/me/member-day/visits', headers: h().bearer(me.token), payload: payload as object })
        expect(response.statusCode, JSON.stringify(payload)).toBe(400)
        expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
      }
      expect((await t.app.inject({ method: 'POST', url: '/api/me/member-day/visits', payload: {} })).statusCode).toBe(401)
      const admin = await h().visit(t.adminToken())
      expect([admin.statusCode, admin.json().code]).toEqual([401, ErrorCodes.UNAUTHORIZED])
      const ghost = await h().visit(t.app.jwt.sign({ sub: '0123456789abcdef01234567', role: 'member' }))
      expect([ghost.statusCode, ghost.json().code]).toEqual([404, ErrorCodes.NOT_FOUND])
    })
  })
})
