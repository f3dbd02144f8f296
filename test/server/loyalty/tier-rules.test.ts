import { DEFAULT_TIERS, ErrorCodes, type TierDefinition } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { TierRepository } from '../../../server/src/modules/loyalty/tier-repository.js'
import { useTestApp, type TestContext } from '../../helpers/app.js'

type TierInput = { code: string; name: string; threshold: number; pointsMultiplier: number; benefits: { title: string; description: string; icon?: string | null }[] }

/** The default table as PUT /api/admin/tiers takes it, with some thresholds changed (level → threshold). */
function tableWith(thresholds: Record<number, number> = {}): { tiers: TierInput[] } {
  return {
    tiers: DEFAULT_TIERS.map((t) => ({
      code: t.code,
      name: t.name,
      threshold: thresholds[t.level] ?? t.threshold,
      pointsMultiplier: t.pointsMultiplier,
      benefits: (t.benefits ?? []).map((b) => ({ title: b.title, description: b.description, icon: b.icon ?? null })),
    })),
  }
}

function helpers(t: TestContext) {
  const admin = () => ({ authorization: `Bearer ${t.adminToken()}` })
  return {
    put: (body: unknown, headers: Record<string, string> = admin()) => t.app.inject({ method: 'PUT', url: '/api/admin/tiers', headers, payload: body as object }),
    patchPolicy: (body: unknown) => t.app.inject({ method: 'PATCH', url: '/api/admin/loyalty-policy', headers: admin(), payload: body as object }),
    tiers: async () => (await t.app.inject({ method: 'GET', url: '/api/tiers' })).json(),
    card: async (token: string) => (await t.app.inject({ method: 'GET', url: '/api/me/card', headers: { authorization: `Bearer ${token}` } })).json(),
    member: async (id: string) => (await t.models.Member.findById(id).lean())!,
    growth: async (memberId: string, delta: number, requestId: string) => {
      const response = await t.app.inject({
        method: 'POST',
        url: `/api/admin/members/${memberId}/adjustments`,
        headers: admin(),
        payload: { kind: 'growth', delta, reason: 'tier rules test', requestId },
      })
      expect(response.statusCode, response.body).toBe(200)
    },
    /** a member at this growth (counted now) and whatever tier the ledger gives it */
    memberWith: async (user: string, growth: number) => {
      const me = await t.login(user)
      if (growth > 0) {
        const response = await t.app.inject({
          method: 'POST',
          url: `/api/admin/members/${me.memberId}/adjustments`,
          headers: admin(),
          payload: { kind: 'growth', delta: growth, reason: 'tier rules test', requestId: `${user}-start`.padEnd(8, '0') },
        })
        expect(response.statusCode, response.body).toBe(200)
      }
      return me
    },
    audit: (action: string) => t.models.Audit.find({ action }).sort({ _id: 1 }).lean(),
    reset: async () => {
      const response = await t.app.inject({ method: 'PUT', url: '/api/admin/tiers', headers: admin(), payload: tableWith() })
      expect(response.statusCode, response.body).toBe(200)
      await t.models.Tier.updateMany({}, { $set: { holdUntil: null } })
      t.app.tierTable.invalidate()
      await t.app.jobs.drain()
    },
  }
}

describe('PUT /api/admin/tiers', () => {
  const t = useTestApp()
  const h = helpers(t)

  it('answers 401 without a token and 403 to a member', async () => {
    expect((await h.put(tableWith(), {})).statusCode).toBe(401)
    const me = await t.login('tiers-put-member')
    const response = await h.put(tableWith(), { authorization: `Bearer ${me.token}` })
    expect(response.statusCode).toBe(403)
    expect(response.json().code).toBe(ErrorCodes.FORBIDDEN)
  })

  it.each([
    ['thresholds that do not ascend', () => tableWith({ 3: 8_001 }), 'tiers.2.threshold'],
    ['a first tier above 0', () => tableWith({ 1: 1 }), 'tiers.0.threshold'],
    ['a code twice', () => ({ tiers: tableWith().tiers.map((x, i) => (i === 1 ? { ...x, code: 'S1' } : x)) }), 'tiers.1.code'],
    ['a name twice', () => ({ tiers: tableWith().tiers.map((x, i) => (i === 1 ? { ...x, name: '银卡会员' } : x)) }), 'tiers.1.name'],
    ['no tiers', () => ({ tiers: [] }), 'tiers'],
    ['eleven tiers', () => ({ tiers: Array.from({ length: 11 }, (_, i) => ({ ...tableWith().tiers[0]!, code: `T${i}`, name: `T${i}`, threshold: i * 10 })) }), 'tiers'],
    ['an unknown field in a benefit', () => ({ tiers: tableWith().tiers.map((x, i) => (i === 0 ? { ...x, benefits: [{ title: 'a', description: 'b', url: 'x' }] } : x)) }), 'tiers.0.benefits.0.url'],
    ['an icon key that is not one', () => ({ tiers: tableWith().tiers.map((x, i) => (i === 0 ? { ...x, benefits: [{ title: 'a', description: 'b', icon: '../x.png' }] } : x)) }), 'tiers.0.benefits.0.icon'],
    ['a benefit title too long', () => ({ tiers: tableWith().tiers.map((x, i) => (i === 0 ? { ...x, benefits: [{ title: '长'.repeat(21), description: '' }] } : x)) }), 'tiers.0.benefits.0.title'],
    ['a threshold that is not a whole number', () => tableWith({ 2: 8_000.5 }), 'tiers.1.threshold'],
  ])('refuses %s (400 naming it) and changes nothing', async (_name, body, names) => {
    const before = await h.tiers()
    const audits = await t.models.Audit.countDocuments()
    const response = await h.put(body())
    expect(response.statusCode, response.body).toBe(400)
    expect(response.json().code).toBe(ErrorCodes.VALIDATION_FAILED)
    expect(response.json().message).toContain(names)
    expect(await h.tiers()).toEqual(before)
    expect(await t.models.Audit.countDocuments()).toBe(audits)
  })

  it('replaces the table with its benefits, shown by GET /api/tiers, and audits the change', async () => {
    const body = tableWith()
    body.tiers[0]!.benefits = [{ title: '免费清洗', description: '随到随洗', icon: 'cleaning' }, { title: '生日礼遇', description: '生日礼券' }]
    body.tiers[1]!.name = '金卡'
    const response = await h.put(body)
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().recompute).toMatchObject({ job: expect.stringMatching(/^loyalty\.tier-recompute:table:/), raised: [], holdUntil: null })
    const list = await h.tiers()
    expect(list.tiers[0].benefits).toEqual([
      { title: '免费清洗', description: '随到随洗', icon: 'cleaning' },
      { title: '生日礼遇', description: '生日礼券', icon: null },
    ])
    expect(list.tiers[1]).toMatchObject({ level: 2, code: 'S2', name: '金卡', threshold: 8_001, holdUntil: null })
    expect(list.tiers).toHaveLength(6)
    const [entry] = await h.audit('tier-table.replace')
    expect(entry).toMatchObject({ actor: 'ops@brand.test', role: 'admin', details: { raised: [], after: expect.arrayContaining([expect.objectContaining({ level: 2, name: '金卡' })]) } })
    await t.app.jobs.drain()
    expect(await h.audit('tier-recompute')).toEqual([expect.objectContaining({ details: expect.objectContaining({ cause: 'tier table', upgraded: 0 }) })])
  })

  it('lets codes move between levels (codes are unique)', async () => {
    const body = tableWith()
    body.tiers[0]!.code = 'S2'
    body.tiers[1]!.code = 'S1'
    expect((await h.put(body)).statusCode).toBe(200)
    expect((await h.tiers()).tiers.slice(0, 2).map((x: TierDefinition) => x.code)).toEqual(['S2', 'S1'])
    expect((await h.put(tableWith())).statusCode).toBe(200)
    expect((await h.tiers()).tiers.map((x: TierDefinition) => x.code)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6'])
  })

  it('drops a tier nobody holds, and refuses (409) to drop one a member holds', async () => {
    await h.reset()
    const five = { tiers: tableWith().tiers.slice(0, 5) }
    expect((await h.put(five)).statusCode).toBe(200)
    expect((await h.tiers()).tiers).toHaveLength(5)
    expect((await h.put(tableWith())).statusCode).toBe(200)

    await h.memberWith('tiers-put-crown', 1_000_000)
    await t.app.jobs.drain()
    const response = await h.put(five)
    expect(response.statusCode).toBe(409)
    expect(response.json()).toMatchObject({ code: ErrorCodes.CONFLICT, message: expect.stringContaining('皇冠会员 (level 6): 1') })
    expect((await h.tiers()).tiers).toHaveLength(6)
  })
})

describe('a tier-table edit', () => {
  const t = useTestApp()
  const h = helpers(t)

  it('upgrades at once every member the new table lets up, logged and announced', async () => {
    await h.reset()
    const a = await h.memberWith('edit-up-a', 50_000) // gold
    const b = await h.memberWith('edit-up-b', 20_000) // gold
    expect((await h.member(a.memberId)).tierLevel).toBe(2)
    const response = await h.put(tableWith({ 3: 50_000 }))
    expect(response.statusCode).toBe(200)
    expect(response.json().recompute.raised).toEqual([])
    await t.app.jobs.drain()
    expect((await h.member(a.memberId)).tierLevel).toBe(3)
    expect((await h.member(b.memberId)).tierLevel).toBe(2)
    const log = await t.models.TierChange.find({ memberId: a.memberId }).sort({ at: 1 }).lean()
    expect(log.at(-1)).toMatchObject({ fromLevel: 2, toLevel: 3, reason: 'upgrade (tier table)' })
    const events = await t.models.DomainEvent.find({ type: 'tier.changed', memberId: a.memberId }).sort({ at: 1 }).lean()
    expect(events.at(-1)!.payload).toMatchObject({ fromLevel: 2, toLevel: 3, reason: 'upgrade', cause: 'tier table' })
    const audits = await h.audit('tier-recompute')
    expect(audits.at(-1)!.details).toMatchObject({ cause: 'tier table', upgraded: 1 })
    // the job runs again (a worker died after it): nothing twice
    await t.app.tierRules.recompute({ id: audits.at(-1)!.details.id, cause: 'tier table' })
    expect(await t.models.TierChange.countDocuments({ memberId: a.memberId })).toBe(log.length)
    expect((await h.card(a.token)).tier.code).toBe('S3')
  })

})

describe('a tier-table edit raising a threshold, lifetime policy', () => {
  const t = useTestApp()
  const h = helpers(t)

  it('lifetime: a raised threshold moves nobody down — not at the edit, not at the next purchase or refund — until the review a year on', async () => {
    await h.reset()
    t.clock.set('2026-03-10T02:00:00Z')
    const below = await h.memberWith('edit-raise-below', 9_000) // gold; the new gold threshold will be 10,000
    const above = await h.memberWith('edit-raise-above', 9_000)
    const response = await h.put(tableWith({ 2: 10_000 }))
    expect(response.statusCode).toBe(200)
    const holdUntil = '2027-03-10T02:00:00.000Z'
    expect(response.json().recompute).toMatchObject({ raised: [2], holdUntil })
    await t.app.jobs.drain()
    expect((await h.member(below.memberId)).tierLevel).toBe(2)
    expect((await h.audit('tier-recompute')).at(-1)!.details).toMatchObject({ keptBelow: 2, upgraded: 0 })

    // the card shows the tier held, and when and how it is reviewed
    let card = await h.card(below.token)
    expect(card.tier).toMatchObject({ code: 'S2', threshold: 10_000 })
    expect(card.growth.review).toEqual({ at: holdUntil, toKeep: 1_000 })
    const list = await h.tiers()
    expect(list.tiers[1].holdUntil).toBe(holdUntil)
    expect(list.rules.reviews).toEqual({ kind: 'none', holdUntil })

    // a purchase that does not reach the new threshold, and a refund: still gold (without the hold: silver at once)
    t.clock.set('2026-06-01T02:00:00Z')
    await h.growth(below.memberId, 100, 'edit-raise-0001')
    expect((await h.member(below.memberId)).tierLevel).toBe(2)
    await h.growth(below.memberId, -5_000, 'edit-raise-0002')
    expect((await h.member(below.memberId)).tierLevel).toBe(2)
    // the other reaches the new threshold before the review
    await h.growth(above.memberId, 1_000, 'edit-raise-0003')

    // the day before the hold ends nothing happens; at its end the review moves down only who is below
    t.clock.set('2027-03-09T02:00:00Z')
    await t.app.jobs.drain()
    expect((await h.member(below.memberId)).tierLevel).toBe(2)
    t.clock.set('2027-03-10T02:00:01Z')
    await t.app.jobs.drain()
    expect((await h.member(below.memberId)).tierLevel).toBe(1)
    expect((await h.member(above.memberId)).tierLevel).toBe(2)
    const last = await t.models.TierChange.findOne({ memberId: below.memberId }).sort({ at: -1 }).lean()
    expect(last).toMatchObject({ fromLevel: 2, toLevel: 1, reason: 'review (tier review)' })
    expect((await h.audit('tier-hold.end')).at(-1)!.details).toMatchObject({ until: holdUntil, reviewed: 1, moved: 1 })
    card = await h.card(below.token)
    expect(card.tier.code).toBe('S1')
    expect(card.growth.review).toBeNull()
    expect((await h.tiers()).tiers[1].holdUntil).toBeNull()
  })

})

describe('a tier-table edit raising a threshold, rolling policy', () => {
  const t = useTestApp()
  const h = helpers(t)

  it('rolling: a raised threshold leaves each member to the annual review, and gives one to a member who had none', async () => {
    await h.reset()
    t.clock.set('2026-03-10T02:00:00Z')
    await t.app.policies.update({ tiers: { kind: 'rolling-12-months' } }, 'test')
    try {
      const held = await h.memberWith('edit-rolling-held', 9_000)
      const m = await h.member(held.memberId)
      expect(m.tierLevel).toBe(2)
      expect(m.tierReviewAt?.toISOString()).toBe('2027-03-10T02:00:00.000Z')
      // a gold member without a review date (upgraded under the lifetime policy before a switch nobody recomputed)
      const stray = await h.memberWith('edit-rolling-stray', 9_000)
      await t.models.Member.updateOne({ _id: stray.memberId }, { $set: { tierReviewAt: null } })

      t.clock.set('2026-04-01T02:00:00Z')
      expect((await h.put(tableWith({ 2: 10_000 }))).statusCode).toBe(200)
      await t.app.jobs.drain()
      expect(await h.member(held.memberId)).toMatchObject({ tierLevel: 2, tierReviewAt: new Date('2027-03-10T02:00:00.000Z') })
      expect(await h.member(stray.memberId)).toMatchObject({ tierLevel: 2, tierReviewAt: new Date('2027-04-01T02:00:00.000Z') })
      expect((await h.audit('tier-recompute')).at(-1)!.details).toMatchObject({ reviewsScheduled: 1, keptBelow: 2 })

      // the annual review applies the new table
      t.clock.set('2027-03-11T00:05:00+08:00')
      await t.app.sweeps.reviewTiers(t.clock.now())
      expect((await h.member(held.memberId)).tierLevel).toBe(1)
      expect((await h.member(stray.memberId)).tierLevel).toBe(2)
    } finally {
      await t.app.policies.update({ tiers: { kind: 'lifetime' } }, 'test')
    }
  })
})

describe('PATCH /api/admin/loyalty-policy: switching the tier policy', () => {
  const t = useTestApp()
  const h = helpers(t)

  it('lifetime → rolling gives every member above the entry tier without a future review date one a year on, audited', async () => {
    t.clock.set('2026-05-01T02:00:00Z')
    const gold = await h.memberWith('switch-gold', 9_000)
    const entry = await h.memberWith('switch-entry', 100)
    const stale = await h.memberWith('switch-stale', 90_000)
    // a review date left from an earlier rolling period, long past
    await t.models.Member.updateOne({ _id: stale.memberId }, { $set: { tierReviewAt: new Date('2025-01-01T00:00:00Z') } })
    expect((await h.member(gold.memberId)).tierReviewAt).toBeNull()

    const response = await h.patchPolicy({ tiers: { kind: 'rolling-12-months' } })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json().tiers).toEqual({ kind: 'rolling-12-months' })
    await t.app.jobs.drain()
    const year = new Date('2027-05-01T02:00:00Z')
    expect(await h.member(gold.memberId)).toMatchObject({ tierLevel: 2, tierReviewAt: year })
    expect(await h.member(stale.memberId)).toMatchObject({ tierLevel: 3, tierReviewAt: year })
    expect((await h.member(entry.memberId)).tierReviewAt ?? null).toBeNull()
    const [policyAudit] = await h.audit('loyalty-policy.update')
    expect(policyAudit!.details).toMatchObject({ tierPolicy: { from: 'lifetime', to: 'rolling-12-months' }, job: expect.stringMatching(/^loyalty\.tier-recompute:policy:/) })
    expect((await h.audit('tier-recompute')).at(-1)!.details).toMatchObject({ cause: 'tier policy', policy: 'rolling-12-months', reviewsScheduled: 2 })
    expect((await h.card(gold.token)).growth.review).toMatchObject({ at: '2027-05-01T16:05:00.000Z' })

    // reviewed a year on, not before: by then the window is empty
    t.clock.set('2027-04-30T00:05:00+08:00')
    await t.app.sweeps.reviewTiers(t.clock.now())
    expect((await h.member(gold.memberId)).tierLevel).toBe(2)
    t.clock.set('2027-05-02T00:05:00+08:00')
    await t.app.sweeps.reviewTiers(t.clock.now())
    expect((await h.member(gold.memberId)).tierLevel).toBe(1)

    // a PATCH that leaves the tier policy as it is schedules nothing
    const jobs = await t.models.Job.countDocuments({ type: 'loyalty.tier-recompute' })
    expect((await h.patchPolicy({ pointsPerYuan: 1 })).statusCode).toBe(200)
    expect(await t.models.Job.countDocuments({ type: 'loyalty.tier-recompute' })).toBe(jobs)
  })

  it('rolling → lifetime upgrades members whose total reaches higher and holds every tier for a year, then reviews', async () => {
    t.clock.set('2027-06-01T02:00:00Z')
    // (the policy is rolling after the test above)
    expect((await t.app.policies.read()).tiers.kind).toBe('rolling-12-months')
    const refunded = await h.memberWith('switch-back-refunded', 90_000) // platinum
    t.clock.set('2027-07-01T02:00:00Z')
    await h.growth(refunded.memberId, -60_000, 'switch-back-0001') // rolling: kept until the review
    const old = await t.login('switch-back-old')
    // growth from long ago, outside the window: the entry tier under rolling, diamond under lifetime
    await t.models.Member.updateOne({ _id: old.memberId }, { $set: { growth: 200_000, growthByMonth: [{ month: '2024-01-01', value: 200_000 }] } })

    t.clock.set('2027-08-01T02:00:00Z')
    const response = await h.patchPolicy({ tiers: { kind: 'lifetime' } })
    expect(response.statusCode, response.body).toBe(200)
    expect(response.json()).not.toHaveProperty('tierHoldUntil')
    await t.app.jobs.drain()
    const holdUntil = '2028-07-31T02:00:00.000Z' // 365 days: 2028 has a 29 February
    expect((await h.member(old.memberId)).tierLevel).toBe(4)
    expect((await t.models.TierChange.findOne({ memberId: old.memberId }).lean())!.reason).toBe('upgrade (tier policy)')
    // 30,000 of total no longer reaches platinum: kept, with a review when the hold ends
    expect((await h.member(refunded.memberId)).tierLevel).toBe(3)
    expect((await h.card(refunded.token)).growth.review).toEqual({ at: holdUntil, toKeep: 80_001 - 30_000 })
    expect((await h.tiers()).rules.reviews).toEqual({ kind: 'none', holdUntil })

    // a growth change under the lifetime rule does not take the tier the rolling policy promised to review
    await h.growth(refunded.memberId, 10, 'switch-back-0002')
    expect((await h.member(refunded.memberId)).tierLevel).toBe(3)

    t.clock.set('2028-07-31T02:00:01Z')
    await t.app.jobs.drain()
    expect((await h.member(refunded.memberId)).tierLevel).toBe(2)
    expect((await h.member(old.memberId)).tierLevel).toBe(4)
    expect((await t.models.TierChange.findOne({ memberId: refunded.memberId }).sort({ at: -1 }).lean())!.reason).toBe('review (tier review)')
  })
})

describe('the first default table', () => {
  const t = useTestApp()

  it('is brought to the S1–S6 table with benefits when untouched, and an operator table is never overwritten', async () => {
    const repo = new TierRepository({ Tier: t.models.Tier as never })
    await t.models.Tier.deleteMany({})
    const first = [
      ['silver', '银卡会员', 0, 1],
      ['gold', '金卡会员', 8_001, 1.2],
      ['platinum', '铂金会员', 80_001, 1.5],
      ['diamond', '钻石会员', 180_001, 1.8],
      ['black-diamond', '黑钻会员', 580_001, 2],
      ['crown', '皇冠会员', 980_001, 2.5],
    ] as const
    await t.models.Tier.insertMany(first.map(([code, name, threshold, pointsMultiplier], i) => ({ level: i + 1, code, name, threshold, pointsMultiplier })))
    await repo.seedDefaults(DEFAULT_TIERS)
    const migrated = await repo.list()
    expect(migrated.map((x) => x.code)).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6'])
    expect(migrated[3]!.benefits!.map((b) => b.title)).toContain('专属顾问')

    await t.models.Tier.updateOne({ level: 2 }, { $set: { name: '金卡' } })
    await t.models.Tier.updateMany({}, { $set: { benefits: [] } })
    await t.models.Tier.updateOne({ level: 1 }, { $set: { code: 'silver' } })
    await repo.seedDefaults(DEFAULT_TIERS)
    expect((await repo.list())[1]!.name).toBe('金卡')
  })
})
