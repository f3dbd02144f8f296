import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

/**
 * A migration from another CRM (loyalty/migration.ts): balances carried over exactly as they were, orders as history
 * earning nothing again, re-runs changing nothing, and every hostile record refused without a trace.
 */
describe('migration from another CRM', () => {
  const t = useTestApp()
  const NOW = '2026-06-15T02:00:00Z'

  const memberRecord = (member: Record<string, string>, extra: Record<string, unknown> = {}) => ({
    kind: 'member',
    member,
    points: {
      lots: [
        { points: 1_200, expiresAt: '2026-12-31T23:59:59+08:00' },
        { points: 345, expiresAt: '2027-12-31T23:59:59+08:00' },
        { points: 50, expiresAt: null },
      ],
    },
    growth: 52_000,
    tier: { code: 'S3', since: '2025-09-01T10:00:00+08:00' },
    ...extra,
  })
  const orderRecord = (member: Record<string, string>, orderId: string, extra: Record<string, unknown> = {}) => ({
    kind: 'order',
    member,
    orderId,
    paidAt: '2026-03-01T15:00:00+08:00',
    channel: 'store',
    store: 'SH-IFC',
    advisor: 'A-007',
    lines: [
      { lineId: '1', sku: 'RING-1', name: '18K 金戒指', quantity: 1, paidFen: 1_200_000, category: 'ring' },
      { lineId: '2', sku: 'CHAIN-1', name: '项链', quantity: 1, paidFen: 300_000, category: 'necklace' },
    ],
    ...extra,
  })
  const entries = async (memberId: string) => ({
    points: await t.models.PointsEntry.countDocuments({ memberId }),
    growth: await t.models.GrowthEntry.countDocuments({ memberId }),
    events: await t.models.DomainEvent.countDocuments({ memberId }),
  })

  it('carries a known member’s balances over exactly, loads orders as history, and grants nothing new', async () => {
    t.clock.set(NOW)
    const { memberId } = await t.login('migrated-known')
    const ref = { memberId }
    const orders = await t.app.migration.importOrders([
      orderRecord(ref, 'OLD-1'),
      orderRecord(ref, 'OLD-2', { paidAt: '2026-06-10T11:00:00+08:00', channel: 'mall', pendingPoints: 300, confirmsAt: '2026-06-25T11:00:00+08:00', lines: [{ lineId: 'a', sku: 'E-1', name: '耳钉', quantity: 1, paidFen: 30_000 }] }),
      orderRecord(ref, 'OLD-3', {
        paidAt: '2026-04-01T11:00:00+08:00',
        refunds: [{ refundId: 'R1', refundedAt: '2026-04-03T11:00:00+08:00', lines: [{ lineId: '2', refundFen: 300_000 }] }],
      }),
    ])
    expect(orders).toEqual([{ status: 'applied' }, { status: 'applied' }, { status: 'applied' }])
    expect(await t.app.migration.importMembers([memberRecord(ref)])).toEqual([{ status: 'applied' }])

    const member = (await t.models.Member.findById(memberId).lean())!
    // available: the lots as they were, with their own expiry dates; pending: the points still pending for OLD-2
    expect(member.points).toMatchObject({ available: 1_595, pending: 300, debt: 0, expired: 0 })
    expect(member.lots.map((l: { remaining: number; expiresAt: number | null }) => [l.remaining, l.expiresAt])).toEqual([
      [1_200, Date.parse('2026-12-31T23:59:59+08:00')],
      [345, Date.parse('2027-12-31T23:59:59+08:00')],
      [50, null],
    ])
    expect(member.growth).toBe(52_000)
    expect(member.tierLevel).toBe(3)
    expect(member.tierSince).toEqual(new Date('2025-09-01T10:00:00+08:00'))
    // kept until its first anniversary here, then reviewed against this program's table
    expect(member.tierReviewAt).toEqual(new Date(Date.parse('2025-09-01T10:00:00+08:00') + 365 * 86_400_000))
    // nothing earned: one opening entry and the pending entry of OLD-2's line; no congratulation, no confirmation
    expect(await t.models.PointsEntry.find({ memberId }, { _id: 1, reason: 1 }).sort({ _id: 1 }).lean()).toEqual([
      { _id: `opening:${memberId}`, reason: 'migration' },
      { _id: 'order:OLD-2:line:a:earn', reason: 'migration' },
    ])
    expect(await t.models.GrowthEntry.countDocuments({ memberId })).toBe(1)
    expect(await t.models.DomainEvent.countDocuments({ memberId, type: { $in: ['tier.changed', 'points.confirmed', 'order.paid'] } })).toBe(0)
    // the history counts for the member's purchases and home store
    expect(member.purchases).toMatchObject({ days: 3, totalPaidFen: 1_500_000 + 30_000 + 1_200_000 })
    expect(member).toMatchObject({ homeStore: 'SH-IFC', advisor: 'A-007' })
    await t.expectReconciled()

    // the card shows the tier held and its review
    const card = await t.app.inject({ method: 'GET', url: '/api/me/card', headers: { authorization: `Bearer ${(await t.login('migrated-known')).token}` } })
    expect(card.json()).toMatchObject({ tier: { level: 3 }, points: { available: 1_595, pending: 300 } })

    // re-running the same records changes nothing
    const before = await entries(memberId)
    expect(await t.app.migration.importOrders([orderRecord(ref, 'OLD-1')])).toEqual([{ status: 'unchanged' }])
    expect(await t.app.migration.importMembers([memberRecord(ref)])).toEqual([{ status: 'unchanged' }])
    expect(await entries(memberId)).toEqual(before)
    expect(await t.balances(memberId)).toMatchObject({ available: 1_595, pending: 300, growth: 52_000, tierLevel: 3 })
  })

  it('confirms pending points when the old system said, and lets a later refund take back only what its order holds', async () => {
    t.clock.set(NOW)
    const { memberId } = await t.login('migrated-pending')
    const ref = { memberId }
    await t.app.migration.importOrders([
      orderRecord(ref, 'P-1', { channel: 'mall', paidAt: '2026-06-12T11:00:00+08:00', pendingPoints: 1_000, confirmsAt: '2026-06-27T11:00:00+08:00' }),
      orderRecord(ref, 'P-2'),
    ])
    await t.app.migration.importMembers([memberRecord(ref, { points: { lots: [] }, growth: 20_000, tier: undefined })])
    // no tier given: this program's table decides (S2 from 20,000 growth), without an "upgraded" message
    expect(await t.balances(memberId)).toMatchObject({ available: 0, pending: 1_000, growth: 20_000, tierLevel: 2 })
    expect(await t.models.DomainEvent.countDocuments({ memberId, type: 'tier.changed' })).toBe(0)

    // a refund of half of P-1's first line: that line's share (800 of 1,000, by what it paid) is halved
    await t.sendAccepted(shop.refunded('P-1', 'RF-after', [{ lineId: '1', refundFen: 600_000 }], '2026-06-16T10:00:00+08:00'))
    expect(await t.balances(memberId)).toMatchObject({ available: 0, pending: 600, growth: 20_000 })
    // a refund of an order the old system had already confirmed changes nothing here: its points were carried over as lots
    await t.sendAccepted(shop.refunded('P-2', 'RF-old', [{ lineId: '1', refundFen: 1_200_000 }], '2026-06-16T10:00:00+08:00'))
    expect(await t.balances(memberId)).toMatchObject({ available: 0, pending: 600, growth: 20_000 })

    t.clock.set('2026-06-27T04:00:00Z')
    await t.app.jobs.drain()
    const member = (await t.models.Member.findById(memberId).lean())!
    expect(member.points).toMatchObject({ available: 600, pending: 0 })
    // confirmed on the day the old system named: the lot expires at the end of next year, as any points confirmed then
    expect(member.lots[0]).toMatchObject({ remaining: 600, expiresAt: Date.parse('2028-01-01T00:00:00+08:00') })
    await t.expectReconciled()
  })

  it('keeps balances for a member not known yet and opens them when the member appears', async () => {
    t.clock.set(NOW)
    const ref = { phone: '+86 139 1111 2222' }
    expect(await t.app.migration.importOrders([orderRecord(ref, 'PK-1', { paidAt: '2026-05-20T11:00:00+08:00' })])).toEqual([{ status: 'parked' }])
    expect(await t.app.migration.importMembers([memberRecord({ phone: '13911112222' }, { growth: 9_000 })])).toEqual([{ status: 'parked' }])
    expect(await t.app.migration.status()).toMatchObject({ waiting: 1 })

    const me = await t.login('migrated-later')
    const bound = await t.app.inject({ method: 'POST', url: '/api/me/phone', headers: { authorization: `Bearer ${me.token}` }, payload: { code: 'phone-13911112222' } })
    expect(bound.statusCode).toBe(200)
    expect(await t.balances(me.memberId)).toMatchObject({ available: 1_595, pending: 0, growth: 9_000, tierLevel: 3 })
    expect(await t.app.migration.status()).toMatchObject({ waiting: 0, problems: [] })
    const member = (await t.models.Member.findById(me.memberId).lean())!
    // the rolling window's days come from the history: 15,000 yuan paid on 20 May, at most the growth carried (9,000)
    expect(member.growthByMonth).toEqual([{ month: '2026-05-20', value: 9_000 }])
    expect(member.purchases).toMatchObject({ days: 1, totalPaidFen: 1_500_000 })
    await t.expectReconciled()
  })

  it('holds a migrated tier this program’s table would not give until its review, then reviews it', async () => {
    t.clock.set(NOW)
    const { memberId } = await t.login('migrated-held')
    // S4 with little growth: the old program's thresholds differed
    await t.app.migration.importMembers([memberRecord({ memberId }, { growth: 1_000, tier: { code: 'S4', since: '2026-01-10T10:00:00+08:00', reviewAt: '2026-08-01T00:00:00+08:00' } })])
    expect(await t.balances(memberId)).toMatchObject({ tierLevel: 4 })
    // a purchase under the lifetime policy would move a member with this total down; the migrated tier is held
    await t.sendAccepted(shop.paid(shop.orderId(), { memberId }, [{ lineId: '1', paidFen: 10_000 }], '2026-06-15T10:00:00+08:00'))
    t.clock.set('2026-07-10T02:00:00Z')
    await t.app.jobs.drain()
    expect(await t.balances(memberId)).toMatchObject({ tierLevel: 4, growth: 1_100 })
    // the review the hold promised: the total decides from then on
    t.clock.set('2026-08-01T16:10:00Z')
    await t.app.sweeps.reviewTiers(t.clock.now())
    const member = (await t.models.Member.findById(memberId).lean())!
    expect(member.tierLevel).toBe(1)
    expect(member.tierHeldUntil).toBeNull()
    expect(await t.models.DomainEvent.countDocuments({ memberId, type: 'tier.changed' })).toBe(1)
    await t.expectReconciled()
  })

  it('refuses hostile and impossible records with a reason, writing nothing', async () => {
    t.clock.set(NOW)
    const { memberId } = await t.login('migrated-hostile')
    const ref = { memberId }
    const results = await t.app.migration.importOrders([
      orderRecord(ref, 'H-1', { $set: { memberId: 'x' } }),
      orderRecord(ref, 'H-2', { lines: [orderRecord(ref, 'x').lines[0], orderRecord(ref, 'x').lines[0]] }),
      orderRecord(ref, 'H-3', { refunds: [{ refundId: 'R', refundedAt: '2026-03-02T10:00:00+08:00', lines: [{ lineId: '9', refundFen: 1 }] }] }),
      orderRecord(ref, 'H-4', { refunds: [{ refundId: 'R', refundedAt: '2026-03-02T10:00:00+08:00', lines: [{ lineId: '2', refundFen: 300_001 }] }] }),
      orderRecord(ref, 'H-5', { pendingPoints: 100 }),
      orderRecord(ref, 'H-6', { paidAt: '2026-02-31T10:00:00+08:00' }),
      orderRecord(ref, 'H-7', { paidAt: '2027-01-01T10:00:00+08:00' }),
      orderRecord(ref, 'H-8', { cancelledAt: '2026-02-01T10:00:00+08:00' }),
      orderRecord({ mobile: '13800000000' }, 'H-9'),
      orderRecord(ref, 'H-10', { cancelledAt: '2026-03-02T10:00:00+08:00', pendingPoints: 5, confirmsAt: '2026-06-20T10:00:00+08:00' }),
    ])
    expect(results.map((r) => r.status)).toEqual(Array(10).fill('rejected'))
    expect(results.map((r) => (r as { message: string }).message)).toEqual([
      expect.stringContaining('$set'),
      expect.stringContaining('repeats'),
      expect.stringContaining('no line "9"'),
      expect.stringContaining('more than it paid'),
      expect.stringContaining('confirmsAt'),
      expect.stringContaining('not a real date'),
      expect.stringContaining('ahead'),
      expect.stringContaining('before the payment'),
      expect.stringContaining('member'),
      expect.stringContaining('cancelled'),
    ])
    const members = await t.app.migration.importMembers([
      memberRecord(ref, { points: { lots: [{ points: 10, expiresAt: '2026-01-01T00:00:00+08:00' }] } }),
      memberRecord(ref, { tier: { code: 'GOLD', since: '2025-01-01T00:00:00+08:00' } }),
      memberRecord(ref, { growth: 10, growthByDay: [{ day: '2026-05-01', value: 11 }] }),
      memberRecord(ref, { growthByDay: [{ day: '2026-02-30', value: 1 }] }),
      memberRecord(ref, { points: { lots: [{ points: 1e308, expiresAt: null }] } }),
      memberRecord(ref, { growth: -5 }),
      memberRecord(ref, { deep: { a: { b: { c: {} } } } }),
    ])
    expect(members.map((r) => r.status)).toEqual(Array(7).fill('rejected'))
    expect(members.map((r) => (r as { message: string }).message)).toEqual([
      expect.stringContaining('has passed'),
      expect.stringContaining('not a tier of this program'),
      expect.stringContaining('more than the member'),
      expect.stringContaining('not a real date'),
      expect.stringContaining('points.lots.0.points'),
      expect.stringContaining('growth'),
      expect.stringContaining('deep'),
    ])
    expect(await t.models.Order.countDocuments({ _id: /^H-/ })).toBe(0)
    expect(await entries(memberId)).toEqual({ points: 0, growth: 0, events: 0 })

    // an order the shop already reported is not overwritten by an import; a record changed since its import is refused
    const live = shop.orderId()
    await t.sendAccepted(shop.paid(live, ref, [{ lineId: '1', paidFen: 10_000 }], '2026-06-14T10:00:00+08:00'))
    expect(await t.app.migration.importOrders([orderRecord(ref, live)])).toEqual([{ status: 'rejected', message: expect.stringContaining("shop's events") }])
    expect(await t.app.migration.importMembers([memberRecord(ref)])).toEqual([{ status: 'applied' }])
    expect(await t.app.migration.importMembers([memberRecord(ref, { growth: 99_999 })])).toEqual([{ status: 'rejected', message: expect.stringContaining('other balances') }])
    // the same member named by another reference with other figures: refused, nothing added
    const openid = (await t.models.Member.findById(memberId).lean())!.openid as string
    expect(await t.app.migration.importMembers([memberRecord({ openid }, { growth: 1 })])).toEqual([{ status: 'rejected', message: expect.stringContaining('already carried over') }])
    expect(await t.balances(memberId)).toMatchObject({ available: 1_595, growth: 52_000 })
    expect(await t.app.migration.status()).toMatchObject({ problems: [{ ref: `openid:${openid}` }] })
    await t.expectReconciled()
  })
})
