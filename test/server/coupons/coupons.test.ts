import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/** Coupon templates, the one issuing service under concurrency, the wallet, use online and in store, expiry. */
describe('coupons', () => {
  const t = useTestApp()
  const admin = () => ({ authorization: `Bearer ${t.adminToken()}` })
  const staff = () => ({ authorization: `Bearer ${t.app.jwt.sign({ sub: 'counter-7', role: 'staff' })}` })
  const model = (name: string) => t.app.db.connection.model(name)
  const createTemplate = async (body: Record<string, unknown> = {}) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/admin/coupon-templates',
      headers: admin(),
      payload: { name: '满 2000 减 200', kind: 'amount', amountFen: 20_000, thresholdFen: 200_000, validity: { days: 30 }, ...body },
    })
    expect(response.statusCode, response.body).toBe(201)
    return response.json() as { id: string; stockLeft: number | null; issued: number; rulesText: string }
  }
  const issue = (templateId: string, memberId: string, requestId: string) =>
    t.app.inject({ method: 'POST', url: `/api/admin/coupon-templates/${templateId}/issue`, headers: admin(), payload: { memberId, requestId } })
  const wallet = async (token: string, state = 'usable') => {
    const response = await t.app.inject({ method: 'GET', url: `/api/me/coupons?state=${state}`, headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(200)
    return (response.json() as { items: { id: string; code: string; state: string; rulesText: string; name: string }[] }).items
  }
  const expectCountersReconciled = async () => expect(await t.app.coupons.usage.reconcile()).toEqual([])

  describe('POST /api/admin/coupon-templates', () => {
    it('creates a template with its rules in words, and refuses what makes no sense', async () => {
      const created = await createTemplate({ scope: { kind: 'categories', categories: ['戒指'] }, stock: 100, perMemberLimit: 1, notes: '不与其他优惠同享' })
      expect(created).toMatchObject({ stockLeft: 100, issued: 0, rulesText: '满 2000 元减 200 元 · 限指定品类（戒指）' })
      const percent = await createTemplate({ kind: 'percent', amountFen: undefined, percentOff: 10, capFen: 50_000, thresholdFen: 0 })
      expect(percent.rulesText).toBe('享 9 折，最多减 500 元 · 全场可用')

      const bad = async (payload: Record<string, unknown>, headers = admin()) =>
        t.app.inject({ method: 'POST', url: '/api/admin/coupon-templates', headers, payload: { name: 'x', kind: 'amount', amountFen: 100, validity: { days: 1 }, ...payload } })
      for (const payload of [
        { $where: '1' },
        { amountFen: 1e308 },
        { kind: 'percent', amountFen: undefined },
        { tiers: ['GOLD'] },
        { validity: { from: '2026-05-01T00:00:00Z', to: '2026-04-01T00:00:00Z' } },
        { scope: { kind: 'skus', skus: [] } },
        { amountFen: 300, thresholdFen: 200 },
      ]) {
        const response = await bad(payload)
        expect(response.statusCode, JSON.stringify(payload)).toBe(400)
        expect(response.json().code).toBe('VALIDATION_FAILED')
      }
      const member = await t.login('coupon-template-member')
      expect((await bad({}, { authorization: `Bearer ${member.token}` })).statusCode).toBe(403)
      expect((await t.app.inject({ method: 'POST', url: '/api/admin/coupon-templates', payload: {} })).statusCode).toBe(401)
      expect(await model('CouponTemplate').countDocuments({ name: 'x' })).toBe(0)
    })

    it('edits a live template without changing coupons already issued, and pauses it', async () => {
      const template = await createTemplate({ stock: 10 })
      const { memberId, token } = await t.login('coupon-edit')
      expect((await issue(template.id, memberId, 'r1')).statusCode).toBe(201)
      const patch = (payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/admin/coupon-templates/${template.id}`, headers: admin(), payload })
      expect((await patch({ name: '新名字', stock: 20 })).json()).toMatchObject({ name: '新名字', stock: 20, stockLeft: 19, issued: 1 })
      expect((await wallet(token))[0]!.name).toBe('满 2000 减 200')
      expect((await patch({ stock: 0 })).statusCode).toBe(409)
      expect((await patch({ status: 'paused' })).statusCode).toBe(200)
      const paused = await issue(template.id, memberId, 'r2')
      expect(paused.statusCode).toBe(409)
      expect(paused.json().code).toBe('NOT_AVAILABLE')
      await expectCountersReconciled()
    })
  })

  describe('issuing', () => {
    it('issues once per request id, with a code that is hard to guess, to the wallet of that member only', async () => {
      const template = await createTemplate()
      const me = await t.login('coupon-owner')
      const other = await t.login('coupon-other')
      const first = await issue(template.id, me.memberId, 'welcome')
      expect(first.statusCode).toBe(201)
      const again = await issue(template.id, me.memberId, 'welcome')
      expect(again.statusCode).toBe(200)
      expect(again.json()).toMatchObject({ status: 'duplicate', coupon: { id: first.json().coupon.id } })
      expect(first.json().coupon.code).toMatch(/^[2-9A-HJKMNP-Z]{12}$/)
      expect((await wallet(me.token)).map((c) => c.id)).toEqual([first.json().coupon.id])
      expect(await wallet(other.token)).toEqual([])
      expect((await issue(template.id, '0123456789abcdef01234567', 'x')).statusCode).toBe(404)
    })

    it('never issues past the stock, whatever the concurrency', async () => {
      const template = await createTemplate({ stock: 5 })
      const members = await Promise.all(Array.from({ length: 12 }, (_, i) => t.login(`coupon-stock-${i}`)))
      const results = await Promise.all(members.flatMap((m) => [0, 1, 2].map((j) => issue(template.id, m.memberId, `stock-${j}`))))
      expect(results.filter((r) => r.statusCode === 201)).toHaveLength(5)
      expect(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'OUT_OF_STOCK')).toBe(true)
      expect(results.filter((r) => r.statusCode !== 201 && r.statusCode !== 409)).toEqual([])
      expect((await t.app.coupons.template(template.id))).toMatchObject({ stockLeft: 0, issued: 5 })
      expect(await model('Coupon').countDocuments({ templateId: template.id })).toBe(5)
      await expectCountersReconciled()
    })

    it('holds the per-member limit under concurrent claims, and one key issues one coupon however many ask at once', async () => {
      const template = await createTemplate({ perMemberLimit: 2 })
      const { memberId } = await t.login('coupon-limit')
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => issue(template.id, memberId, `claim-${i}`)))
      expect(claims.filter((r) => r.statusCode === 201)).toHaveLength(2)
      expect(claims.filter((r) => r.statusCode === 409).map((r) => r.json().code)).toEqual(Array(8).fill('LIMIT_REACHED'))

      const open = await createTemplate()
      const same = await Promise.all(Array.from({ length: 8 }, () => t.app.coupons.issue({ templateId: open.id, memberId, key: 'campaign:spring:1', source: 'campaign' })))
      expect(new Set(same.map((r) => r.coupon.id)).size).toBe(1)
      expect(same.filter((r) => r.status === 'issued')).toHaveLength(1)
      await expectCountersReconciled()
    })

    it('answers every request of one key with its one coupon, never a refusal, when that coupon took the last unit and the slot', async () => {
      const template = await createTemplate({ perMemberLimit: 1, stock: 1 })
      const { memberId } = await t.login('coupon-same-key-limited')
      const same = await Promise.allSettled(Array.from({ length: 20 }, () => t.app.coupons.issue({ templateId: template.id, memberId, key: 'birthday:same-key:2026', source: 'birthday' })))
      const refused = same.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as { code?: string }).code)
      expect(refused).toEqual([])
      const answers = same.map((r) => (r as PromiseFulfilledResult<{ status: string; coupon: { id: string } }>).value)
      expect(new Set(answers.map((a) => a.coupon.id)).size).toBe(1)
      expect(answers.filter((a) => a.status === 'issued')).toHaveLength(1)
      await expectCountersReconciled()
    })

    it('issues a batch in a few commands with the same guarantees: stock never passed, a repeated key one coupon', async () => {
      const template = await createTemplate({ stock: 4 })
      const members = await Promise.all([0, 1, 2].map((i) => t.login(`coupon-batch-${i}`)))
      const reqs = [0, 1, 2, 0, 1, 2].map((m, i) => ({ templateId: template.id, memberId: members[m]!.memberId, key: `batch:${i}`, source: 'campaign' as const }))
      const first = await t.app.coupons.issueMany([reqs[0]!, reqs[0]!, reqs[1]!])
      expect(first.map((r) => (r instanceof Error ? r.message : r.status))).toEqual(['issued', 'duplicate', 'issued'])
      expect((first[0] as { coupon: { id: string } }).coupon.id).toBe((first[1] as { coupon: { id: string } }).coupon.id)
      // 2 units left for 4 new requests: 2 issued, 2 refused, in order
      const second = await t.app.coupons.issueMany(reqs.slice(2))
      expect(second.map((r) => (r instanceof Error ? (r as { code?: string }).code : r.status))).toEqual(['issued', 'issued', 'OUT_OF_STOCK', 'OUT_OF_STOCK'])
      expect(await t.app.coupons.template(template.id)).toMatchObject({ stockLeft: 0, issued: 4 })
      await expectCountersReconciled()
    })

    it('takes one unit for a key two batches issue at the same moment, and answers both with the one coupon', async () => {
      const template = await createTemplate({ stock: 10 })
      const { memberId } = await t.login('coupon-batch-race')
      for (let round = 0; round < 5; round++) {
        const req = { templateId: template.id, memberId, key: `race:${round}`, source: 'campaign' as const }
        // both may read the key as free, take a unit and insert: the one whose insert loses gives its unit back
        const [[a], [b]] = await Promise.all([t.app.coupons.issueMany([req]), t.app.coupons.issueMany([req])])
        expect([a, b].map((r) => (r instanceof Error ? r.message : r!.status)).sort()).toEqual(['duplicate', 'issued'])
        expect((a as { coupon: { id: string } }).coupon.id).toBe((b as { coupon: { id: string } }).coupon.id)
      }
      expect(await t.app.coupons.template(template.id)).toMatchObject({ stockLeft: 5, issued: 5 })
      expect(await model('Coupon').countDocuments({ templateId: template.id })).toBe(5)
      await expectCountersReconciled()
    })

    it('refuses a tier the template is not for', async () => {
      const template = await createTemplate({ tiers: ['S4', 'S5', 'S6'] })
      const { memberId } = await t.login('coupon-tier')
      const response = await issue(template.id, memberId, 'vip')
      expect(response.statusCode).toBe(409)
      expect(response.json().code).toBe('TIER_NOT_ELIGIBLE')
    })

    it('finishes or undoes an issue a dead process left pending, and revokes an unused coupon giving its stock back', async () => {
      const template = await createTemplate({ stock: 3, perMemberLimit: 3 })
      const { memberId } = await t.login('coupon-crash')
      // a process died after taking stock, before taking the member's slot
      const issued = await t.app.coupons.issue({ templateId: template.id, memberId, key: 'k1', source: 'staff' })
      await model('Coupon').updateOne({ _id: issued.coupon.id }, { $set: { state: 'pending', slotTaken: false } })
      await model('CouponClaim').updateOne({ memberId }, { $inc: { count: -1 } })
      t.clock.set(new Date(t.clock.now().getTime() + 120_000))
      expect(await t.app.coupons.issuer.repairPending()).toBe(1)
      expect(await model('Coupon').countDocuments({ _id: issued.coupon.id })).toBe(0)
      expect(await t.app.coupons.template(template.id)).toMatchObject({ stockLeft: 3, issued: 0 })
      await expectCountersReconciled()

      const again = await t.app.coupons.issue({ templateId: template.id, memberId, key: 'k2', source: 'mall' })
      expect(await t.app.coupons.revoke('k2', 'redemption undone')).toBe('voided')
      expect(await t.app.coupons.revoke('k2', 'again')).toBe('voided')
      expect(await t.app.coupons.revoke('nothing', 'x')).toBe('missing')
      expect((await model('Coupon').findById(again.coupon.id).lean<{ state: string }>())!.state).toBe('void')
      expect(await t.app.coupons.template(template.id)).toMatchObject({ stockLeft: 3, issued: 0 })
      await expectCountersReconciled()
    })
  })

  describe('use', () => {
    it('marks a coupon used by an online order once; a second order, a foreign or unknown code is reported, not accepted', async () => {
      const template = await createTemplate()
      const me = await t.login('coupon-online')
      const other = await t.login('coupon-online-other')
      const mine = (await issue(template.id, me.memberId, 'a')).json().coupon
      const theirs = (await issue(template.id, other.memberId, 'b')).json().coupon
      const first = shop.orderId()
      const paid = (orderId: string, codes: string[]) => {
        const event = shop.paid(orderId, { memberId: me.memberId }, [{ lineId: '1', paidFen: 300_000 }], '2026-03-10T11:00:00+08:00')
        return { ...event, data: { ...event.data, couponCodes: codes } }
      }
      const one = await t.sendAccepted(paid(first, [mine.code.toLowerCase()]))
      const two = await t.sendAccepted(paid(shop.orderId(), [mine.code, theirs.code, 'NOSUCHCODE22']))
      await t.app.jobs.drain()
      const status = async (eventId: string) => (await t.app.shopEvents.status(eventId))!.coupons
      expect(await status(one.eventId)).toEqual([{ code: mine.code, status: 'used' }])
      expect(await status(two.eventId)).toEqual([
        { code: mine.code, status: 'problem', reason: 'already-used' },
        { code: theirs.code, status: 'problem', reason: 'not-this-members' },
        { code: 'NOSUCHCODE22', status: 'problem', reason: 'unknown' },
      ])
      expect((await wallet(me.token, 'used')).map((c) => c.id)).toEqual([mine.id])
      expect((await wallet(other.token)).map((c) => c.id)).toEqual([theirs.id])

      // a full refund returns the coupon (still valid, template default)
      await t.sendAccepted(shop.refunded(first, 'RF1', [{ lineId: '1', refundFen: 300_000 }], '2026-03-10T12:00:00+08:00'))
      await t.app.jobs.drain()
      expect((await wallet(me.token)).map((c) => c.id)).toEqual([mine.id])
    })

    it('lets staff use a coupon in store once, audited; a member token gets 403', async () => {
      const template = await createTemplate()
      const me = await t.login('coupon-store')
      const coupon = (await issue(template.id, me.memberId, 'store')).json().coupon
      const use = (headers: Record<string, string>, memberId = me.memberId) =>
        t.app.inject({ method: 'POST', url: `/api/staff/coupons/${coupon.code}/use`, headers, payload: { memberId, store: 'SH-IFC', orderRef: 'POS-1' } })
      const asMember = await use({ authorization: `Bearer ${me.token}` })
      expect(asMember.statusCode).toBe(403)
      expect(asMember.json().code).toBe('FORBIDDEN')
      expect((await t.app.inject({ method: 'GET', url: `/api/staff/coupons/${coupon.code}` })).statusCode).toBe(401)
      const check = await t.app.inject({ method: 'GET', url: `/api/staff/coupons/${coupon.code}`, headers: staff() })
      expect(check.json()).toMatchObject({ memberId: me.memberId, usable: true })
      expect((await use(staff(), '0123456789abcdef01234567')).json().code).toBe('COUPON_NOT_USABLE')
      const used = await use(staff())
      expect(used.statusCode).toBe(200)
      expect(used.json()).toMatchObject({ state: 'used', usedBy: { store: 'SH-IFC', staff: 'counter-7' } })
      const twice = await use(staff())
      expect(twice.statusCode).toBe(409)
      expect(twice.json().code).toBe('COUPON_NOT_USABLE')
      expect((await t.app.inject({ method: 'GET', url: '/api/staff/coupons/NOSUCHCODE22', headers: staff() })).statusCode).toBe(404)
      expect(await t.app.audit.list({ memberId: me.memberId, action: 'coupon.use-in-store' })).toHaveLength(1)
    })
  })

  it('expires coupons daily and sends coupon.expiring three days before, once', async () => {
    const template = await createTemplate({ validity: { days: 5 } })
    const me = await t.login('coupon-expiry')
    const coupon = (await issue(template.id, me.memberId, 'e')).json().coupon
    expect(await t.app.coupons.usage.sweep()).toEqual({ expired: 0, notices: 0 })
    t.clock.advanceDays(2)
    expect(await t.app.coupons.usage.sweep()).toEqual({ expired: 0, notices: 1 })
    expect(await t.app.coupons.usage.sweep()).toEqual({ expired: 0, notices: 0 })
    expect(await t.models.DomainEvent.countDocuments({ type: 'coupon.expiring', memberId: me.memberId })).toBe(1)
    t.clock.advanceDays(4)
    expect((await wallet(me.token, 'expired')).map((c) => c.id)).toEqual([coupon.id])
    expect(await t.app.coupons.usage.sweep()).toMatchObject({ expired: 1 })
    expect(await wallet(me.token)).toEqual([])
  })
})
