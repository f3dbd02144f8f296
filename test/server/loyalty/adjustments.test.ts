import { ErrorCodes } from '@member-center/shared'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestApp, useTestApp, type TestContext } from '../../helpers/app.js'

describe('POST /api/admin/members/:memberId/adjustments', () => {
  let t: TestContext
  let member: { token: string; memberId: string }
  let admin: string
  beforeAll(async () => {
    t = await startTestApp()
    member = await t.login('adjust-member')
    admin = t.adminToken('ops@brand.test')
  })
  afterAll(async () => {
    await t.close()
  })

  const adjust = (body: unknown, token = admin, memberId = member.memberId) =>
    t.app.inject({ method: 'POST', url: `/api/admin/members/${memberId}/adjustments`, headers: token ? { authorization: `Bearer ${token}` } : {}, payload: body as object })

  it('grants points as an available lot, audited with who and why', async () => {
    const response = await adjust({ kind: 'points', delta: 500, reason: 'compensation for a late delivery', requestId: 'adj-grant-000001' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ status: 'applied', points: { available: 500, pending: 0, debt: 0 } })
    const audit = await t.models.Audit.findOne({ memberId: member.memberId }).lean()
    expect(audit).toMatchObject({ actor: 'ops@brand.test', role: 'admin', action: 'adjust.points' })
    const entry = await t.models.PointsEntry.findOne({ key: `adjust:${member.memberId}:adj-grant-000001` }).lean()
    expect(entry).toMatchObject({ reason: 'adjust', available: 500, note: 'compensation for a late delivery — ops@brand.test' })
  })

  it('changes nothing on a retry with the same requestId', async () => {
    const again = await adjust({ kind: 'points', delta: 500, reason: 'compensation for a late delivery', requestId: 'adj-grant-000001' })
    expect(again.statusCode).toBe(200)
    expect(again.json()).toMatchObject({ status: 'duplicate', points: { available: 500 } })
    expect(await t.models.Audit.countDocuments({ memberId: member.memberId })).toBe(1)
  })

  it('adjusts growth, which moves the tier', async () => {
    const response = await adjust({ kind: 'growth', delta: 8_001, reason: 'migrated from the old CRM', requestId: 'adj-growth-00001' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ growth: 8_001, tierLevel: 2 })
  })

  it('answers 409 INSUFFICIENT_POINTS for a deduction beyond the balance, changing nothing', async () => {
    const response = await adjust({ kind: 'points', delta: -501, reason: 'correction', requestId: 'adj-deduct-00001' })
    expect(response.statusCode).toBe(409)
    expect(response.json().code).toBe(ErrorCodes.INSUFFICIENT_POINTS)
    expect((await t.models.Member.findById(member.memberId).lean())!.points!.available).toBe(500)
  })

  it('answers 400 for a zero delta, a missing reason or an unknown kind', async () => {
    for (const body of [
      { kind: 'points', delta: 0, reason: 'nothing', requestId: 'adj-zero-000001' },
      { kind: 'points', delta: 5, requestId: 'adj-noreason-001' },
      { kind: 'stars', delta: 5, reason: 'x y', requestId: 'adj-kind-0000001' },
    ]) {
      const response = await adjust(body)
      expect(response.statusCode, JSON.stringify(body)).toBe(400)
      expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    }
  })

  it('answers 401 without a token and 403 with a member token', async () => {
    const body = { kind: 'points', delta: 5, reason: 'sneaky', requestId: 'adj-sneaky-00001' }
    expect((await adjust(body, '')).statusCode).toBe(401)
    const forbidden = await adjust(body, member.token)
    expect(forbidden.statusCode).toBe(403)
    expect(forbidden.json().code).toBe(ErrorCodes.FORBIDDEN)
  })

  it('scopes the requestId to the member: the same id on another member applies there too', async () => {
    const other = await t.login('adjust-other')
    const body = { kind: 'points', delta: 40, reason: 'same key, other member', requestId: 'adj-scope-000001' }
    expect((await adjust(body)).json()).toMatchObject({ status: 'applied' })
    const there = await adjust(body, admin, other.memberId)
    expect(there.statusCode).toBe(200)
    expect(there.json()).toMatchObject({ status: 'applied', points: { available: 40 } })
    expect(await t.models.PointsEntry.exists({ _id: `adjust:${other.memberId}:adj-scope-000001` })).not.toBeNull()
  })

  it('answers 409 for the same requestId with another body, and changes nothing', async () => {
    const first = { kind: 'points', delta: 10, reason: 'goodwill', requestId: 'adj-body-0000001' }
    expect((await adjust(first)).json().status).toBe('applied')
    const before = (await t.models.Member.findById(member.memberId).lean())!.points!.available
    for (const changed of [{ ...first, delta: 11 }, { ...first, reason: 'goodwill!' }, { ...first, kind: 'growth' }]) {
      const response = await adjust(changed)
      expect(response.statusCode, JSON.stringify(changed)).toBe(409)
      expect(response.json()).toMatchObject({ code: ErrorCodes.CONFLICT, message: expect.stringContaining('adj-body-0000001') })
    }
    expect((await t.models.Member.findById(member.memberId).lean())!.points!.available).toBe(before)
    // the same body again is still a duplicate
    expect((await adjust(first)).json().status).toBe('duplicate')
  })

  it('keeps an adjustment made under the old global key a duplicate for its own member only', async () => {
    const other = await t.login('adjust-legacy')
    // as written before keys were scoped per member
    await t.models.PointsEntry.collection.insertOne({
      _id: 'adjust:adj-legacy-000001' as never,
      key: 'adjust:adj-legacy-000001',
      memberId: new Types.ObjectId(member.memberId),
      reason: 'adjust',
      available: 0,
      pending: 0,
      debt: 0,
      expired: 0,
      at: new Date(),
    })
    const body = { kind: 'points', delta: 5, reason: 'old request, retried', requestId: 'adj-legacy-000001' }
    expect((await adjust(body)).json().status).toBe('duplicate')
    expect((await adjust(body, admin, other.memberId)).json().status).toBe('applied')
    await t.models.PointsEntry.deleteOne({ _id: 'adjust:adj-legacy-000001' })
  })

  it('answers noop, not duplicate, for a change that changes nothing', async () => {
    const ledger = t.app.ledger
    const result = await ledger.apply(member.memberId, {
      key: 'test:nothing',
      reason: 'adjust',
      at: new Date(),
      compute: (b) => ({ balances: b, points: { available: 0, pending: 0, debt: 0, expired: 0 }, growth: 0, absorbed: 0, debtRepaid: 0 }),
    })
    expect(result.status).toBe('noop')
    // the route's answer schema has the status
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json()
    const schema = doc.paths['/api/admin/members/{memberId}/adjustments'].post.responses['200'].content['application/json'].schema
    expect(JSON.stringify(schema)).toContain('noop')
  })

  it('refuses amounts past their maximum: |delta| over 10^8 (1e308 too) is a 400; a balance past 2^53 − 1 a 409', async () => {
    for (const delta of ['1e308', '100000000001', String(-(2 ** 60)), '1e400']) {
      const raw = JSON.stringify({ kind: 'growth', delta: 1, reason: 'huge', requestId: 'adj-huge-0000001' }).replace('"delta":1', `"delta":${delta}`)
      const response = await t.app.inject({ method: 'POST', url: `/api/admin/members/${member.memberId}/adjustments`, headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, payload: raw })
      expect(response.statusCode, delta).toBe(400)
      expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    }
    const brink = await t.login('adjust-brink')
    const nearly = Number.MAX_SAFE_INTEGER - 50_000_000
    await t.app.ledger.apply(brink.memberId, {
      key: 'test:growth-brink',
      reason: 'test',
      at: new Date(),
      compute: (b) => ({ balances: { ...b, growth: nearly }, points: { available: 0, pending: 0, debt: 0, expired: 0 }, growth: nearly, absorbed: 0, debtRepaid: 0 }),
    })
    const response = await adjust({ kind: 'growth', delta: 100_000_000, reason: 'past the top', requestId: 'adj-top-growth-01' }, admin, brink.memberId)
    expect(response.statusCode).toBe(409)
    expect(response.json()).toMatchObject({ code: ErrorCodes.CONFLICT, message: expect.stringContaining('growth past the maximum of 9007199254740991') })
    // what still fits is taken
    expect((await adjust({ kind: 'growth', delta: 1, reason: 'still fits', requestId: 'adj-top-growth-02' }, admin, brink.memberId)).json().growth).toBe(nearly + 1)
    await adjust({ kind: 'growth', delta: -1, reason: 'and back', requestId: 'adj-top-growth-03' }, admin, brink.memberId)
    expect((await t.models.Member.findById(brink.memberId).lean())!.growth).toBe(nearly)
  })

  it('answers 404 for an unknown member', async () => {
    const response = await adjust({ kind: 'points', delta: 5, reason: 'ghost', requestId: 'adj-ghost-000001' }, admin, '0123456789abcdef01234567')
    expect(response.statusCode).toBe(404)
  })
})

describe('GET /api/me/points/history and GET /api/tiers', () => {
  const t = useTestApp()

  it('pages through the member’s own entries, newest first', async () => {
    const me = await t.login('history-member')
    const other = await t.login('history-other')
    for (let i = 1; i <= 5; i++) {
      t.clock.set(`2026-03-0${i}T00:00:00Z`)
      await t.app.adjustments.adjust(me.memberId, { kind: 'points', delta: i * 10, reason: `gift ${i}`, requestId: `history-${i}-000000` }, { actor: 'ops', role: 'admin' })
    }
    await t.app.adjustments.adjust(other.memberId, { kind: 'points', delta: 999, reason: 'not yours', requestId: 'history-other-0001' }, { actor: 'ops', role: 'admin' })
    const get = (query: string) => t.app.inject({ method: 'GET', url: `/api/me/points/history${query}`, headers: { authorization: `Bearer ${me.token}` } })
    const first = await get('?limit=2')
    expect(first.statusCode).toBe(200)
    expect(first.json().items.map((e: { available: number }) => e.available)).toEqual([50, 40])
    const second = (await get(`?limit=2&cursor=${first.json().nextCursor}`)).json()
    expect(second.items.map((e: { available: number }) => e.available)).toEqual([30, 20])
    const third = (await get(`?limit=2&cursor=${second.nextCursor}`)).json()
    expect(third.items.map((e: { available: number }) => e.available)).toEqual([10])
    expect(third.nextCursor).toBeNull()
    expect((await get('?limit=0')).statusCode).toBe(400)
    expect((await t.app.inject({ method: 'GET', url: '/api/me/points/history' })).statusCode).toBe(401)
  })

  it('lists the tier table and the growth policy', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/tiers' })
    expect(response.statusCode).toBe(200)
    expect(response.json().policy).toBe('lifetime')
    expect(response.json().tiers.map((x: { threshold: number }) => x.threshold)).toEqual([0, 8_001, 80_001, 180_001, 580_001, 980_001])
  })
})
