import { benefitsAdded, DEFAULT_TIERS } from '@member-center/shared'
import { describe, expect, it } from 'vitest'
import { useTestApp } from '../../helpers/app.js'
import { shop } from '../../helpers/shop.js'

describe('tiers follow growth', () => {
  const t = useTestApp()

  const member = async (id: string) => (await t.models.Member.findById(id).lean())!
  const growth = (memberId: string, delta: number, requestId: string) =>
    t.app.adjustments.adjust(memberId, { kind: 'growth', delta, reason: 'test', requestId }, { actor: 'test', role: 'admin' })

  describe('lifetime policy', () => {
    it('upgrades exactly at a threshold, logs the change with its reason and emits tier.changed', async () => {
      const { memberId } = await t.login('tier-life-up')
      await growth(memberId, 8_000, 'life-up-0000001')
      expect((await member(memberId)).tierLevel).toBe(1)
      await growth(memberId, 1, 'life-up-0000002')
      expect((await member(memberId)).tierLevel).toBe(2)
      const log = await t.models.TierChange.find({ memberId }).lean()
      expect(log).toEqual([expect.objectContaining({ fromLevel: 1, toLevel: 2, reason: 'upgrade (adjust)', growth: 8_001 })])
      const events = await t.models.DomainEvent.find({ type: 'tier.changed', memberId }).lean()
      expect(events).toHaveLength(1)
      // what the new tier adds travels with the event (the upgrade message says it)
      expect(events[0]!.payload).toMatchObject({ fromLevel: 1, toLevel: 2, reason: 'upgrade', benefitsAdded: benefitsAdded(DEFAULT_TIERS, 1, 2) })
      expect((events[0]!.payload.benefitsAdded as unknown[]).length).toBeGreaterThan(0)
    })

    it('jumps several tiers at once and comes back down when a refund takes growth back', async () => {
      const { memberId } = await t.login('tier-life-refund')
      const orderId = shop.orderId()
      t.clock.set('2026-03-01T00:00:00Z')
      await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 18_000_100 }], '2026-03-01T08:00:00+08:00'))
      expect((await member(memberId)).tierLevel).toBe(1) // growth counts at confirmation
      t.clock.set('2026-03-20T00:00:00Z')
      await t.app.jobs.drain()
      expect((await member(memberId)).tierLevel).toBe(4) // 180,001 → diamond
      await t.sendEvent(shop.refunded(orderId, 'RF', [{ lineId: '1', refundFen: 100 }], '2026-03-21T08:00:00+08:00'))
      expect(await member(memberId)).toMatchObject({ growth: 180_000, tierLevel: 3 })
      const log = await t.models.TierChange.find({ memberId }).sort({ at: 1 }).lean()
      expect(log.map((c) => [c.fromLevel, c.toLevel, c.reason])).toEqual([
        [1, 4, 'upgrade (confirm)'],
        [4, 3, 'downgrade (refund)'],
      ])
    })

    it('counts growth at payment under that policy switch', async () => {
      const { memberId } = await t.login('tier-at-payment')
      await t.app.policies.update({ growthCountsAt: 'payment' }, 'test')
      try {
        const orderId = shop.orderId()
        await t.sendEvent(shop.paid(orderId, { memberId }, [{ lineId: '1', paidFen: 900_000 }], '2026-03-01T08:00:00+08:00'))
        expect(await member(memberId)).toMatchObject({ growth: 9_000, tierLevel: 2 })
        await t.sendEvent(shop.refunded(orderId, 'RF', [{ lineId: '1', refundFen: 900_000 }], '2026-03-02T08:00:00+08:00'))
        expect(await member(memberId)).toMatchObject({ growth: 0, tierLevel: 1 })
      } finally {
        await t.app.policies.update({ growthCountsAt: 'confirm' }, 'test')
      }
    })
  })

  describe('rolling 12 months with an annual review', () => {
    it('upgrades at once, keeps the tier until the review, then keeps what the 365 days before the review reach', async () => {
      await t.app.policies.update({ tiers: { kind: 'rolling-12-months' } }, 'test')
      try {
        const { memberId } = await t.login('tier-rolling')
        t.clock.set('2026-01-15T00:00:00Z')
        await growth(memberId, 90_000, 'rolling-0000001')
        let m = await member(memberId)
        expect(m.tierLevel).toBe(3)
        expect(m.tierReviewAt?.toISOString()).toBe('2027-01-15T00:00:00.000Z')

        // half a year later a refund-like correction lowers growth: no downgrade before the review
        t.clock.set('2026-07-01T00:00:00Z')
        await growth(memberId, -20_000, 'rolling-0000002')
        expect((await member(memberId)).tierLevel).toBe(3)

        // more growth in December; the review runs at the daily sweep after its date (00:05, 16 January, Shanghai):
        // the 365 days before hold only July and December
        t.clock.set('2026-12-10T00:00:00Z')
        await growth(memberId, 10_000, 'rolling-0000003')
        t.clock.set('2027-01-16T00:05:00+08:00')
        await t.app.sweeps.reviewTiers(t.clock.now())
        m = await member(memberId)
        // −20,000 (July) + 10,000 (December) = nothing → the entry tier
        expect(m.tierLevel).toBe(1)
        expect(m.tierReviewAt?.toISOString()).toBe('2028-01-15T16:05:00.000Z')
        const last = await t.models.TierChange.findOne({ memberId }).sort({ at: -1 }).lean()
        expect(last).toMatchObject({ fromLevel: 3, toLevel: 1, reason: 'review (annual review)' })
      } finally {
        await t.app.policies.update({ tiers: { kind: 'lifetime' } }, 'test')
      }
    })

    it('counts the Shanghai day 365 days before the review and not the day before it (not 12 calendar months)', async () => {
      await t.app.policies.update({ tiers: { kind: 'rolling-12-months' } }, 'test')
      try {
        const { memberId } = await t.login('tier-rolling-edge')
        t.clock.set('2026-01-15T10:00:00+08:00')
        await growth(memberId, 90_000, 'rolling-edge-001') // platinum; review 2027-01-15 10:00, run 2027-01-16 00:05
        t.clock.set('2026-01-15T23:59:59+08:00')
        await growth(memberId, 100, 'rolling-edge-002') // the last second of the day that leaves the window: out
        t.clock.set('2026-01-16T00:00:00+08:00')
        await growth(memberId, 9_000, 'rolling-edge-003') // the first second of the first day in: in
        t.clock.set('2027-01-16T00:05:00+08:00')
        await t.app.sweeps.reviewTiers(t.clock.now())
        const m = await member(memberId)
        // 9,000 exactly: gold. A day more would be 99,100 (platinum); a day less, or "Feb 2026 – Jan 2027", nothing
        expect(m.tierLevel).toBe(2)
        expect(m.growth).toBe(99_100)
        expect(m.tierReviewAt?.toISOString()).toBe('2028-01-15T16:05:00.000Z')
      } finally {
        await t.app.policies.update({ tiers: { kind: 'lifetime' } }, 'test')
      }
    })

    it('keeps the tier at the review when the last 12 months still reach it, and moves the review a year on', async () => {
      await t.app.policies.update({ tiers: { kind: 'rolling-12-months' } }, 'test')
      try {
        const { memberId } = await t.login('tier-rolling-keep')
        t.clock.set('2026-02-01T00:00:00Z')
        await growth(memberId, 10_000, 'rolling-keep-001')
        t.clock.set('2026-11-01T00:00:00Z')
        await growth(memberId, 9_000, 'rolling-keep-002')
        t.clock.set('2027-02-01T00:00:00Z')
        await t.app.sweeps.reviewTiers(t.clock.now())
        const m = await member(memberId)
        // the 365 days before 1 February 2027 hold 10,000 + 9,000 ≥ 8,001: still gold
        expect(m.tierLevel).toBe(2)
        expect(m.tierReviewAt?.toISOString()).toBe('2028-02-01T00:00:00.000Z')
      } finally {
        await t.app.policies.update({ tiers: { kind: 'lifetime' } }, 'test')
      }
    })
  })
})
