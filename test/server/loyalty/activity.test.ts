import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'

/** app.activity.grant: activity points through the ledger with their reason, idempotent by key per member. */
describe('activity points', () => {
  const t = useTestApp()

  const balances = async (memberId: string) => {
    const m = (await t.models.Member.findById(memberId).lean())!
    return { available: m.points!.available, pending: m.points!.pending, growth: m.growth }
  }
  const expectReconciled = () => t.expectReconciled()

  it('grants available points with their reason, and as much growth by default', async () => {
    const { memberId } = await t.login('activity-review')
    t.clock.set('2026-05-01T02:00:00Z')
    const outcome = await t.app.activity.grant(memberId, { key: 'review:R1', reason: 'review', points: 50, note: 'photo review of SO-1 line 1' })
    expect(outcome).toEqual({ status: 'applied', points: 50, growth: 50 })
    expect(await balances(memberId)).toEqual({ available: 50, pending: 0, growth: 50 })
    const entry = (await t.models.PointsEntry.findOne({ memberId, reason: 'review' }).lean())!
    expect(entry).toMatchObject({ key: `activity:${memberId}:review%3AR1`, available: 50, note: 'photo review of SO-1 line 1' })
    expect(await t.models.GrowthEntry.countDocuments({ memberId, reason: 'review' })).toBe(1)
    await expectReconciled()
  })

  it('answers duplicate for the same key again, changing nothing; another member may use the same key', async () => {
    const { memberId } = await t.login('activity-dup')
    const { memberId: other } = await t.login('activity-dup-other')
    const grant = { key: 'birthday:2026', reason: 'birthday' as const, points: 200 }
    const results = await Promise.all([t.app.activity.grant(memberId, grant), t.app.activity.grant(memberId, grant), t.app.activity.grant(memberId, grant)])
    expect(results.map((r) => r.status).sort()).toEqual(['applied', 'duplicate', 'duplicate'])
    expect(await balances(memberId)).toMatchObject({ available: 200, growth: 200 })
    expect(await t.app.activity.grant(other, grant)).toMatchObject({ status: 'applied' })
    expect(await balances(other)).toMatchObject({ available: 200 })
    await expectReconciled()
  })

  it('refuses the same key with another reason or amount (409), bad input (400) and an unknown member (404)', async () => {
    const { memberId } = await t.login('activity-refusals')
    await t.app.activity.grant(memberId, { key: 'campaign:C1', reason: 'campaign', points: 30 })
    await expect(t.app.activity.grant(memberId, { key: 'campaign:C1', reason: 'campaign', points: 31 })).rejects.toMatchObject({ statusCode: 409 })
    await expect(t.app.activity.grant(memberId, { key: 'campaign:C1', reason: 'goodwill', points: 30 })).rejects.toMatchObject({ statusCode: 409 })
    for (const points of [0, -5, 1.5, 1_000_001]) {
      await expect(t.app.activity.grant(memberId, { key: `bad-${points}`, reason: 'goodwill', points })).rejects.toMatchObject({ statusCode: 400 })
    }
    await expect(t.app.activity.grant(memberId, { key: 'x', reason: 'lottery' as never, points: 1 })).rejects.toMatchObject({ statusCode: 400 })
    await expect(t.app.activity.grant('0123456789abcdef01234567', { key: 'x', reason: 'goodwill', points: 1 })).rejects.toMatchObject({ statusCode: 404 })
    expect(await balances(memberId)).toMatchObject({ available: 30, growth: 30 })
  })

  it('adds no growth when the policy switch is off', async () => {
    const { memberId } = await t.login('activity-no-growth')
    const changed = await t.app.inject({ method: 'PATCH', url: '/api/admin/loyalty-policy', headers: { authorization: `Bearer ${t.adminToken()}` }, payload: { activityAddsGrowth: false } })
    expect(changed.statusCode, changed.body).toBe(200)
    try {
      expect(await t.app.activity.grant(memberId, { key: 'goodwill:T1', reason: 'goodwill', points: 80, note: 'late delivery' })).toEqual({ status: 'applied', points: 80, growth: 0 })
      expect(await balances(memberId)).toEqual({ available: 80, pending: 0, growth: 0 })
      await expectReconciled()
    } finally {
      await t.app.policies.update({ activityAddsGrowth: true }, 'test')
    }
  })
})
