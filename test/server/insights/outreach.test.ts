import { liftOf } from '@member-center/shared'
import type { LightMyRequestResponse } from 'fastify'
import { beforeAll, describe, expect, it } from 'vitest'
import { groupOf, holdoutDraw } from '../../../server/src/modules/insights/outreach.js'
import { TestClock, useTestApp, type TestContext } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'
import { expectError, hostileKeys, send } from '../staff/counter-helpers.js'

/**
 * Outreach with a holdout (issue 14): members assigned by a stable hash, the holdout never messaged, suppression lists
 * and the frequency limit applied before the draw, steps through the outbox with coupons, and results whose lift and
 * interval match a hand computation.
 */

/** `hh:mm` Shanghai on the day `days` after 1 March 2026 */
const shanghai = (days: number, hh = 12) => new Date(Date.UTC(2026, 2, 1 + days, hh - 8))
const DAY = 86_400_000

const ok = (response: LightMyRequestResponse, status = 200) => {
  expect(response.statusCode, response.body).toBe(status)
  return response.json()
}

describe('holdout assignment', () => {
  const ids = Array.from({ length: 20_000 }, (_, i) => (0x6500000000000000n + BigInt(i) * 7919n).toString(16).padStart(24, '0'))

  it('is stable: the same outreach and member always land in the same group', () => {
    for (const id of ids.slice(0, 500)) expect(groupOf('out-1', id, 0.1)).toBe(groupOf('out-1', id, 0.1))
  })

  it('is close to the share asked for (20,000 members: within 3 standard deviations)', () => {
    for (const share of [0.05, 0.1, 0.3]) {
      const holdout = ids.filter((id) => groupOf('outreach-abc', id, share) === 'holdout').length / ids.length
      const sd = Math.sqrt((share * (1 - share)) / ids.length)
      expect(Math.abs(holdout - share), `share ${share}: got ${holdout}`).toBeLessThan(3 * sd)
    }
  })

  it('draws independently per outreach: another outreach holds out other members', () => {
    const a = new Set(ids.filter((id) => holdoutDraw('outreach-a', id) < 0.1))
    const both = ids.filter((id) => a.has(id) && holdoutDraw('outreach-b', id) < 0.1).length
    // independent draws: about 1% of members in both holdouts (200 of 20,000), not 10%
    expect(both).toBeGreaterThan(120)
    expect(both).toBeLessThan(300)
  })
})

describe('the lift and its interval', () => {
  it('match a hand computation', () => {
    // treated: 1,000 members, 120 bought, 600,000 fen; holdout: 100 members, 8 bought, 40,000 fen
    // p1 = 0.12, p0 = 0.08, diff = 0.04
    // SE = √(0.12 × 0.88 / 1000 + 0.08 × 0.92 / 100) = √(0.0001056 + 0.000736) = √0.0008416 = 0.0290103…
    // 95%: 0.04 ± 1.959964 × 0.0290103 = 0.04 ± 0.0568591 → [−0.0168591, 0.0968591]
    // incremental revenue = (600,000 / 1,000 − 40,000 / 100) × 1,000 = (600 − 400) × 1,000 = 200,000 fen
    const lift = liftOf({ members: 1000, buyers: 120, revenueFen: 600_000 }, { members: 100, buyers: 8, revenueFen: 40_000 })
    expect(lift.diff).toBeCloseTo(0.04, 10)
    expect(lift.low).toBeCloseTo(-0.0168591, 6)
    expect(lift.high).toBeCloseTo(0.0968591, 6)
    expect(lift.incrementalRevenueFen).toBe(200_000)
    expect(liftOf({ members: 0, buyers: 0, revenueFen: 0 }, { members: 5, buyers: 1, revenueFen: 1 }).diff).toBeNull()
  })
})

interface Planted {
  id: string
  token: string
}

async function plantMembers(t: TestContext, n: number, prefix: string): Promise<Planted[]> {
  const docs = await t.app.db.connection.model('Member').insertMany(
    Array.from({ length: n }, (_, i) => ({
      openid: `${prefix}-${i}-${Math.random().toString(36).slice(2)}`,
      nickname: `${prefix}${i}`,
      growth: 0,
      points: { available: 0, pending: 0, debt: 0, expired: 0 },
      tierLevel: 1,
      homeStore: prefix.toUpperCase().slice(0, 4) + '01',
    })),
  )
  return docs.map((d) => ({ id: String(d._id), token: t.app.jwt.sign({ sub: String(d._id), role: 'member' }) }))
}

async function pay(t: TestContext, memberId: string, at: Date, paidFen = 10_000): Promise<string> {
  const orderId = shop.orderId()
  // the shop reports a payment when it happens: the clock moves there first
  if (t.clock.now().getTime() < at.getTime()) t.clock.set(at)
  await t.sendAccepted(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen }], at.toISOString()))
  return orderId
}

describe('outreach', () => {
  const t = useTestApp({}, new TestClock(shanghai(0, 10)))
  let admin: string
  let members: Planted[]
  let segmentId: string
  let templateId: string
  let outreachId: string
  const model = (name: string) => t.app.db.connection.model(name)
  const enrolment = async (id: string) =>
    (await model('OutreachMember').find({ outreachId: id }).lean()) as unknown as { memberId: { toString(): string }; group: string; reason: string | null; startAt: Date }[]

  beforeAll(async () => {
    admin = t.adminToken()
    members = await plantMembers(t, 60, 'camp')
    // the segment: everyone of store CAMP01
    segmentId = ok(await send(t, 'POST', '/api/admin/segments', admin, { name: '门店会员', filter: { homeStores: ['CAMP01'] } }), 201).id
    templateId = ok(await send(t, 'POST', '/api/admin/coupon-templates', admin, { name: '回归礼 50 元', kind: 'amount', amountFen: 5_000, thresholdFen: 0, validity: { days: 30 } }), 201).id
    // left out before the draw: two on the operator's list, one with marketing off, one serial refunder
    ok(await send(t, 'POST', '/api/admin/suppression-list', admin, { memberIds: [members[0]!.id, members[1]!.id], reason: '投诉' }))
    ok(await send(t, 'PUT', '/api/me/message-preferences', members[2]!.token, { marketing: false }))
    for (let i = 0; i < 3; i++) {
      const at = new Date(shanghai(-20 + i).getTime())
      const orderId = await pay(t, members[3]!.id, at)
      await t.sendAccepted(shop.refunded(orderId, `R${i}`, [{ lineId: '1', refundFen: 10_000 }], new Date(at.getTime() + DAY).toISOString()))
    }
    await t.app.jobs.drain()
  })

  it('creates a draft, launches it, and at its start enrols the segment: suppressed first, then treated or holdout by the stable hash', async () => {
    const created = ok(
      await send(t, 'POST', '/api/admin/outreach', admin, {
        name: '沉睡唤醒',
        audience: { segmentId },
        steps: [
          { label: '关怀', afterDays: 0, title: '好久不见', content: '最近好吗？新品已上架，欢迎来店看看。' },
          { label: '优惠', afterDays: 3, title: '回归礼', content: '送您 50 元回归礼券，30 天内有效。', couponTemplateId: templateId, onlyIfNotBought: true },
        ],
        startAt: shanghai(1, 11).toISOString(),
        holdoutShare: 0.3,
        attributionDays: 14,
      }),
      201,
    )
    expect(created).toMatchObject({ status: 'draft', holdoutShare: 0.3, attributionDays: 14, enrolled: { treated: 0, holdout: 0, excluded: 0 } })
    outreachId = created.id
    expect(ok(await send(t, 'POST', `/api/admin/outreach/${outreachId}/launch`, admin)).status).toBe('scheduled')
    expectError(await send(t, 'POST', `/api/admin/outreach/${outreachId}/launch`, admin), 409, 'CONFLICT')

    t.clock.set(shanghai(1, 11))
    await t.app.jobs.drain()
    const rows = await enrolment(outreachId)
    expect(rows).toHaveLength(60)
    const reason = (i: number) => rows.find((r) => r.memberId.toString() === members[i]!.id)!.reason
    expect([reason(0), reason(1), reason(2), reason(3)]).toEqual(['suppressed', 'suppressed', 'marketingOff', 'serialRefunder'])
    for (const row of rows.filter((r) => r.group !== 'excluded')) expect(row.group).toBe(groupOf(outreachId, row.memberId.toString(), 0.3))
    const view = ok(await send(t, 'GET', `/api/admin/outreach/${outreachId}`, admin))
    expect(view.status).toBe('running')
    expect(view.enrolled.excluded).toBe(4)
    expect(view.enrolled.treated + view.enrolled.holdout).toBe(56)
    expect(view.enrolled.holdout).toBeGreaterThan(5)

    // a re-run (the start job again, e.g. after a crash) enrols nobody twice and keeps every group
    await t.app.insights.outreach.start(outreachId)
    const again = await enrolment(outreachId)
    expect(again.map((r) => [r.memberId.toString(), r.group]).sort()).toEqual(rows.map((r) => [r.memberId.toString(), r.group]).sort())
    expect(ok(await send(t, 'GET', `/api/admin/outreach/${outreachId}`, admin)).enrolled).toEqual(view.enrolled)
  })

  it('messages the treated members step by step, and never the holdout', async () => {
    const rows = await enrolment(outreachId)
    const treated = rows.filter((r) => r.group === 'treated').map((r) => r.memberId.toString())
    const holdout = rows.filter((r) => r.group === 'holdout').map((r) => r.memberId.toString())
    const excluded = rows.filter((r) => r.group === 'excluded').map((r) => r.memberId.toString())
    const Message = model('Message')
    const care = (await Message.find({ dedupeKey: { $regex: `^outreach:${outreachId}:0:` } }).lean()) as unknown as { memberId: unknown }[]
    expect(care.map((m) => String(m.memberId)).sort()).toEqual([...treated].sort())
    expect(care[0]).toMatchObject({ kind: 'campaign', category: 'marketing', data: { title: '好久不见' } })

    // two treated members buy before day 3: the offer (a last call) skips them
    const buyers = treated.slice(0, 2)
    for (const id of buyers) await pay(t, id, shanghai(2, 15), 30_000)
    t.clock.set(shanghai(4, 11))
    await t.app.jobs.drain()
    const offers = (await Message.find({ dedupeKey: { $regex: `^outreach:${outreachId}:1:` } }).lean()) as unknown as { memberId: unknown }[]
    expect(offers.map((m) => String(m.memberId)).sort()).toEqual(treated.filter((id) => !buyers.includes(id)).sort())
    const coupons = await model('Coupon').find({ source: 'campaign' }).lean()
    expect(coupons).toHaveLength(treated.length - 2)

    // the holdout and the excluded members have nothing from this outreach: no message, no coupon
    for (const id of [...holdout, ...excluded]) {
      expect(await Message.countDocuments({ memberId: id }), `member ${id}`).toBe(0)
      expect(await model('Coupon').countDocuments({ memberId: id })).toBe(0)
    }
    // running the steps again writes nothing twice
    await t.app.insights.outreach.runDueSteps()
    expect(await Message.countDocuments({ dedupeKey: { $regex: `^outreach:${outreachId}:` } })).toBe(care.length + offers.length)
  })

  it('holds its members away from another outreach (the frequency limit) until its last step and the gap', async () => {
    const second = ok(
      await send(t, 'POST', '/api/admin/outreach', admin, {
        name: '新品预告',
        audience: { segmentId },
        steps: [{ label: '预热', afterDays: 0, title: '新品预告', content: '下周上新。' }],
        startAt: shanghai(5, 11).toISOString(),
      }),
      201,
    ).id
    ok(await send(t, 'POST', `/api/admin/outreach/${second}/launch`, admin))
    t.clock.set(shanghai(5, 11))
    await t.app.jobs.drain()
    const rows = await enrolment(second)
    // the first outreach's treated and holdout members are held until day 1 + 3 + 7 = 11
    const first = (await enrolment(outreachId)).filter((r) => r.group !== 'excluded').map((r) => r.memberId.toString())
    for (const id of first) expect(rows.find((r) => r.memberId.toString() === id), JSON.stringify(await model('OutreachContact').findById(id).lean())).toMatchObject({ group: 'excluded', reason: 'busy' })
    expect(await model('Message').countDocuments({ dedupeKey: { $regex: `^outreach:${second}:` } })).toBe(0)
  })

  it('reads its results against the holdout: every count, the lift with its interval, and the written review', async () => {
    const rows = await enrolment(outreachId)
    const treated = rows.filter((r) => r.group === 'treated').map((r) => r.memberId.toString())
    const holdout = rows.filter((r) => r.group === 'holdout').map((r) => r.memberId.toString())
    // treated: the two buyers above (30,000 fen each, day 2) + 4 more on day 10 (20,000 each); one of them also buys
    // on day 16 — after the 14-day window from day 1 (it closes at day 15, 11:00) — which does not count
    for (const id of treated.slice(2, 6)) await pay(t, id, shanghai(10), 20_000)
    await pay(t, treated[2]!, shanghai(16), 99_000)
    // holdout: 1 buyer on day 12 (20,000 fen); another buys and returns it in full (does not count)
    await pay(t, holdout[0]!, shanghai(12), 20_000)
    const returned = await pay(t, holdout[1]!, shanghai(12), 50_000)
    await t.sendAccepted(shop.refunded(returned, 'RX', [{ lineId: '1', refundFen: 50_000 }], shanghai(13).toISOString()))
    t.clock.set(shanghai(20))
    await t.app.jobs.drain()

    const r = ok(await send(t, 'GET', `/api/admin/outreach/${outreachId}/results`, admin))
    const nT = treated.length
    const nH = holdout.length
    expect(r.audience).toEqual({ considered: 60, excluded: { marketingOff: 1, suppressed: 2, serialRefunder: 1, busy: 0 } })
    expect(r.treated).toMatchObject({ members: nT, buyers: 6, orders: 6, revenueFen: 2 * 30_000 + 4 * 20_000 })
    expect(r.holdout).toMatchObject({ members: nH, buyers: 1, orders: 1, revenueFen: 20_000 })
    // by hand: p1 = 6/nT, p0 = 1/nH, SE = √(p1(1−p1)/nT + p0(1−p0)/nH), interval diff ± 1.959964 SE
    const p1 = 6 / nT
    const p0 = 1 / nH
    const se = Math.sqrt((p1 * (1 - p1)) / nT + (p0 * (1 - p0)) / nH)
    expect(r.treated.rate).toBeCloseTo(p1, 10)
    expect(r.holdout.rate).toBeCloseTo(p0, 10)
    expect(r.lift.diff).toBeCloseTo(p1 - p0, 10)
    expect(r.lift.low).toBeCloseTo(p1 - p0 - 1.959964 * se, 5)
    expect(r.lift.high).toBeCloseTo(p1 - p0 + 1.959964 * se, 5)
    expect(r.lift.significant).toBe(r.lift.low > 0 || r.lift.high < 0)
    expect(r.incrementalRevenueFen).toBe(Math.round((140_000 / nT - 20_000 / nH) * nT))
    // cost: the offers' coupons (none used yet) and the messages (WeChat pushes cost 0 by default, SMS 5 fen)
    expect(r.cost).toMatchObject({ couponsIssued: nT - 2, couponsRedeemed: 0, couponsRedeemedFen: 0 })
    expect(r.cost.messages.wechat + r.cost.messages.sms + r.cost.messages.inboxOnly).toBe(nT + nT - 2)
    expect(r.steps).toEqual([
      { label: '关怀', afterDays: 0, sent: nT, skipped: 0, couponFailed: 0 },
      { label: '优惠', afterDays: 3, sent: nT - 2, skipped: 2, couponFailed: 0 },
    ])
    expect(r.window).toEqual({ from: shanghai(1, 11).toISOString(), to: new Date(shanghai(1, 11).getTime() + 14 * DAY).toISOString(), complete: true })
    expect(r.status).toBe('finished')
    expect(r.review.join('\n')).toContain(`接触组 ${nT} 位`)
    expect(r.review.join('\n')).toContain('95% 置信区间')

    // the KPI report shows the outreach's lift, the same figures
    const kpis = ok(await send(t, 'GET', '/api/admin/kpis?from=2026-03-01&to=2026-03-21', admin))
    const row = kpis.outreach.find((o: { id: string }) => o.id === outreachId)
    expect(row).toEqual({
      id: outreachId,
      name: '沉睡唤醒',
      treated: nT,
      holdout: nH,
      treatedRate: r.treated.rate,
      holdoutRate: r.holdout.rate,
      lift: r.lift.diff,
      liftLow: r.lift.low,
      liftHigh: r.lift.high,
      incrementalRevenueFen: r.incrementalRevenueFen,
    })
  })

  it('enrols every member entering a stage while a trigger outreach runs, from the day they entered', async () => {
    const [newbie] = await plantMembers(t, 1, 'trig')
    const trigger = ok(
      await send(t, 'POST', '/api/admin/outreach', admin, {
        name: '首购 5 天关怀',
        audience: { enteringStage: 'new_5_30' },
        steps: [{ label: '关怀', afterDays: 0, title: '使用小贴士', content: '首饰保养小贴士已送达。' }],
        startAt: shanghai(20, 13).toISOString(),
        endAt: shanghai(60).toISOString(),
        holdoutShare: 0.01,
      }),
      201,
    ).id
    ok(await send(t, 'POST', `/api/admin/outreach/${trigger}/launch`, admin))
    t.clock.set(shanghai(20, 13))
    await t.app.jobs.drain()
    await pay(t, newbie!.id, shanghai(21, 14))
    await t.app.jobs.drain()
    t.clock.set(shanghai(26, 1))
    await t.app.jobs.drain()
    const rows = await enrolment(trigger)
    expect(rows).toHaveLength(1)
    // the stage began at the midnight of day 26 (5 days after day 21)
    expect(rows[0], JSON.stringify(rows[0])).toMatchObject({ startAt: new Date(Date.UTC(2026, 2, 27) - 8 * 3_600_000) })
    const group = groupOf(trigger, newbie!.id, 0.01)
    expect(rows[0]!.group).toBe(group)
    expect(await model('Message').countDocuments({ dedupeKey: `outreach:${trigger}:0:${newbie!.id}` })).toBe(group === 'treated' ? 1 : 0)
  })

  it('refuses bad input with 400, unknown ids with 404, and non-admins', async () => {
    const valid = {
      name: 'x',
      audience: { segmentId },
      steps: [{ label: 'a', afterDays: 0, title: 't', content: 'c', couponTemplateId: templateId }],
      startAt: shanghai(30).toISOString(),
      messageCostFen: { sms: 5 },
    }
    const before = await model('Outreach').countDocuments({})
    for (const body of hostileKeys(valid)) expectError(await send(t, 'POST', '/api/admin/outreach', admin, body), 400, 'VALIDATION_FAILED')
    const bad = [
      { ...valid, holdoutShare: 0 },
      { ...valid, holdoutShare: 0.9 },
      { ...valid, steps: [] },
      { ...valid, steps: [{ ...valid.steps[0], afterDays: 3 }, { ...valid.steps[0], afterDays: 1 }] },
      { ...valid, endAt: shanghai(40).toISOString() },
      { ...valid, audience: { enteringStage: 'lapsed' } },
      { ...valid, audience: { enteringStage: 'lapsed' }, endAt: shanghai(29).toISOString() },
      { ...valid, audience: { enteringStage: 'lapsed' }, endAt: shanghai(900).toISOString() },
      { ...valid, startAt: 'tomorrow' },
      { ...valid, steps: [{ ...valid.steps[0], couponTemplateId: 'ffffffffffffffffffffffff' }] },
      { ...valid, steps: [{ ...valid.steps[0], content: 'x'.repeat(201) }] },
    ]
    for (const body of bad) expectError(await send(t, 'POST', '/api/admin/outreach', admin, body), 400, 'VALIDATION_FAILED')
    expectError(await send(t, 'POST', '/api/admin/outreach', admin, { ...valid, audience: { segmentId: 'ffffffffffffffffffffffff' } }), 404, 'NOT_FOUND')
    expect(await model('Outreach').countDocuments({})).toBe(before)
    expectError(await send(t, 'GET', '/api/admin/outreach/ffffffffffffffffffffffff/results', admin), 404, 'NOT_FOUND')
    expectError(await send(t, 'POST', '/api/admin/outreach/ffffffffffffffffffffffff/launch', admin), 404, 'NOT_FOUND')
    expectError(await send(t, 'GET', '/api/admin/outreach', members[5]!.token), 403, 'FORBIDDEN')
    expectError(await send(t, 'GET', '/api/admin/outreach', null), 401, 'UNAUTHORIZED')
    expectError(await send(t, 'DELETE', `/api/admin/suppression-list/${members[9]!.id}`, admin), 404, 'NOT_FOUND')
    expect((await send(t, 'DELETE', `/api/admin/suppression-list/${members[0]!.id}`, admin)).statusCode).toBe(204)
    expect(ok(await send(t, 'GET', '/api/admin/suppression-list', admin)).total).toBe(1)
  })

  it('cancels: no more steps go out', async () => {
    const id = ok(
      await send(t, 'POST', '/api/admin/outreach', admin, {
        name: '取消测试',
        audience: { segmentId },
        steps: [
          { label: '一', afterDays: 0, title: 'a', content: 'a' },
          { label: '二', afterDays: 2, title: 'b', content: 'b' },
        ],
        startAt: shanghai(40, 11).toISOString(),
      }),
      201,
    ).id
    ok(await send(t, 'POST', `/api/admin/outreach/${id}/launch`, admin))
    t.clock.set(shanghai(40, 11))
    await t.app.jobs.drain()
    const first = await model('Message').countDocuments({ dedupeKey: { $regex: `^outreach:${id}:0:` } })
    expect(first).toBeGreaterThan(0)
    expect(ok(await send(t, 'POST', `/api/admin/outreach/${id}/cancel`, admin)).status).toBe('cancelled')
    t.clock.set(shanghai(43, 11))
    await t.app.jobs.drain()
    expect(await model('Message').countDocuments({ dedupeKey: { $regex: `^outreach:${id}:1:` } })).toBe(0)
    expectError(await send(t, 'POST', `/api/admin/outreach/${id}/cancel`, admin), 409, 'CONFLICT')
  })
})
