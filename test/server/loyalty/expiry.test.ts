import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('points expiry (end of the next year, Asia/Shanghai)', () => {
  const t = useTestApp()

  const member = async (id: string) => (await t.models.Member.findById(id).lean())!

  /** A confirmed purchase: paid at `paidAt`, confirmed by the job 15 days later. */
  async function earn(memberId: string, yuan: number, paidAt: string) {
    const orderId = shop.orderId()
    t.clock.set(paidAt)
    await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: yuan * 100 }], paidAt))
    t.clock.advanceDays(15)
    await t.app.jobs.drain()
  }

  it('expires 2025 points at 2027-01-01 00:00 Shanghai (2026-12-31 16:00 UTC), not a second before', async () => {
    const { memberId } = await t.login('expiry-year-end')
    await earn(memberId, 100, '2025-03-01T00:00:00Z') // confirms 2025-03-16 → expires end of 2026
    await earn(memberId, 50, '2026-06-01T00:00:00Z') // confirms 2026-06-16 → expires end of 2027
    expect((await member(memberId)).points!.available).toBe(150)

    t.clock.set('2026-12-31T15:59:59Z')
    await t.app.sweeps.expire(t.clock.now())
    expect((await member(memberId)).points!.available).toBe(150)

    t.clock.set('2026-12-31T16:00:00Z')
    expect(await t.app.sweeps.expire(t.clock.now())).toBeGreaterThanOrEqual(1)
    const after = await member(memberId)
    expect(after.points).toMatchObject({ available: 50, expired: 100 })
    expect(after.lots).toEqual([expect.objectContaining({ remaining: 50, expiresAt: Date.parse('2027-12-31T16:00:00Z') })])
    expect(await t.models.DomainEvent.countDocuments({ type: 'points.expired', memberId })).toBe(1)
    // running the sweep again changes nothing
    await t.app.sweeps.expire(t.clock.now())
    expect((await member(memberId)).points!.expired).toBe(100)
  })

  it('counts points confirmed on 31 December in Shanghai as that year, even though UTC is still the day before', async () => {
    const { memberId } = await t.login('expiry-new-year-eve')
    // paid 2026-12-16 15:30Z; confirmed 15 days later at 2026-12-31 15:30Z = 23:30 on 31 Dec in Shanghai
    await earn(memberId, 10, '2026-12-16T15:30:00Z')
    expect((await member(memberId)).lots).toEqual([expect.objectContaining({ expiresAt: Date.parse('2027-12-31T16:00:00Z') })])
    // one hour later it is 2027 in Shanghai: those points live a year longer
    await earn(memberId, 20, '2026-12-16T16:30:00Z')
    expect((await member(memberId)).lots.map((l: { remaining: number; expiresAt: number }) => [l.remaining, l.expiresAt])).toEqual([
      [10, Date.parse('2027-12-31T16:00:00Z')],
      [20, Date.parse('2028-12-31T16:00:00Z')],
    ])
  })

  it('spends the oldest points first (FIFO by expiry)', async () => {
    const { memberId } = await t.login('expiry-fifo')
    await earn(memberId, 100, '2025-02-01T00:00:00Z')
    await earn(memberId, 200, '2026-02-01T00:00:00Z')
    await t.app.adjustments.adjust(memberId, { kind: 'points', delta: -130, reason: 'redeemed', requestId: 'fifo-spend-0001' }, { actor: 'test', role: 'admin' })
    expect((await member(memberId)).lots.map((l: { remaining: number; expiresAt: number }) => l.remaining)).toEqual([170])
    t.clock.set('2026-12-31T16:00:00Z')
    await t.app.sweeps.expire(t.clock.now())
    // nothing of 2025 was left to expire
    expect((await member(memberId)).points).toMatchObject({ available: 170, expired: 0 })
    const { differences } = await t.app.reconcile()
    expect(differences).toEqual([])
  })

  it('reminds a member 30 days before points expire, once per lot', async () => {
    const { memberId } = await t.login('expiry-reminder')
    await earn(memberId, 80, '2025-05-01T00:00:00Z')
    t.clock.set('2026-11-30T15:59:00Z') // 31 days before
    await t.app.sweeps.remind(t.clock.now())
    expect(await t.models.DomainEvent.countDocuments({ type: 'points.expiring', memberId })).toBe(0)
    t.clock.set('2026-12-01T16:00:00Z') // 30 days before
    await t.app.sweeps.remind(t.clock.now())
    await t.app.sweeps.remind(t.clock.now())
    const reminders = await t.models.DomainEvent.find({ type: 'points.expiring', memberId }).lean()
    expect(reminders).toHaveLength(1)
    expect(reminders[0]!.payload).toEqual({ points: 80, expiresAt: '2026-12-31T16:00:00.000Z' })
  })

  it('runs expiry from the daily job, which schedules the next day', async () => {
    const { memberId } = await t.login('expiry-daily-job')
    await earn(memberId, 30, '2026-01-10T00:00:00Z')
    t.clock.set('2027-12-31T16:05:00Z')
    await t.app.sweeps.scheduleNext(new Date('2027-12-30T17:00:00Z'))
    await t.app.jobs.drain()
    expect((await member(memberId)).points).toMatchObject({ available: 0, expired: 30 })
    expect(await t.models.Job.exists({ key: 'loyalty.daily:2028-01-02', state: 'queued' })).not.toBeNull()
  })
})
