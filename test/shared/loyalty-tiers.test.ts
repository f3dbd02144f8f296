import { describe, expect, it } from 'vitest'
import { addGrowth, EMPTY_BALANCES, type Balances } from '../../shared/src/loyalty/balances.js'
import { DEFAULT_LOYALTY_POLICY } from '../../shared/src/loyalty/policy.js'
import { reviewRunsAt, tierHoldEnd, tierPolicyFacts, tierStanding } from '../../shared/src/loyalty/tiers.js'
import { DEFAULT_TIERS } from '../../shared/src/tiers.js'

const lifetime = { tiers: { kind: 'lifetime' as const } }
const rolling = { tiers: { kind: 'rolling-12-months' as const } }
const grown = (entries: [string, number][]): Balances => entries.reduce((b, [at, v]) => addGrowth(b, v, new Date(at)).balances, EMPTY_BALANCES)

describe('tierStanding: the card reads the tier the member holds', () => {
  const now = new Date('2026-09-01T10:00:00+08:00')

  it('rolling, after the window fell below the tier: the held tier, progress from the window, the review and what keeps the tier', () => {
    // platinum (level 3) reached with 90,000 on 2026-01-15; the window now holds 90,000 − 20,000 (a July correction)
    const balances = grown([
      ['2026-01-15T10:00:00+08:00', 90_000],
      ['2026-07-01T10:00:00+08:00', -20_000],
    ])
    const s = tierStanding({ tierLevel: 3, tierReviewAt: new Date('2027-01-15T10:00:00+08:00'), balances }, DEFAULT_TIERS, rolling, now)
    expect(s.held.code).toBe('S3')
    expect(s.counted).toBe(70_000)
    expect(s.next?.code).toBe('S4')
    expect(s.toNext).toBe(180_001 - 70_000)
    expect(s.progress).toBe(0) // below the held tier's threshold: no progress towards the next
    // the review runs at the first daily sweep from the review date (00:05 the next day); by then January 2026 has
    // left the window: only −20,000 would count, so the tier needs its whole threshold
    expect(s.review).toEqual({ at: new Date('2027-01-16T00:05:00+08:00'), toKeep: 80_001 })
  })

  it('rolling, after a review downgrade: the tier held now, not the one the lifetime total reaches', () => {
    const balances = grown([['2025-01-10T10:00:00+08:00', 200_000], ['2026-03-01T10:00:00+08:00', 9_000]])
    const s = tierStanding({ tierLevel: 2, tierReviewAt: new Date('2027-01-11T10:00:00+08:00'), balances }, DEFAULT_TIERS, rolling, now)
    expect(s.held.code).toBe('S2')
    expect(s.total).toBe(209_000)
    expect(s.counted).toBe(9_000)
    expect(s.toNext).toBe(80_001 - 9_000)
    expect(s.review).toEqual({ at: new Date('2027-01-12T00:05:00+08:00'), toKeep: 0 })
  })

  it('lifetime: progress from the total; no review unless the held tier is on hold and the total no longer reaches it', () => {
    const balances = grown([['2026-01-15T10:00:00+08:00', 100_000]])
    const s = tierStanding({ tierLevel: 3, tierReviewAt: null, balances }, DEFAULT_TIERS, lifetime, now)
    expect(s).toMatchObject({ counted: 100_000, toNext: 80_001, review: null })
    expect(s.progress).toBeCloseTo((100_000 - 80_001) / 100_000, 10)

    const raised = DEFAULT_TIERS.map((t) => (t.level === 3 ? { ...t, threshold: 120_000, holdUntil: '2027-08-01T00:00:00.000Z' } : t))
    const held = tierStanding({ tierLevel: 3, tierReviewAt: null, balances }, raised, lifetime, now)
    expect(held.held.threshold).toBe(120_000)
    expect(held.review).toEqual({ at: new Date('2027-08-01T00:00:00.000Z'), toKeep: 20_000 })
  })

  it('shows the held tier even when the growth reaches a higher one (an upgrade still being applied)', () => {
    const s = tierStanding({ tierLevel: 1, tierReviewAt: null, balances: grown([['2026-08-01T10:00:00+08:00', 90_000]]) }, DEFAULT_TIERS, lifetime, now)
    expect(s.held.code).toBe('S1')
    expect(s).toMatchObject({ toNext: 0, progress: 1 })
  })

  it('is full with nothing to go and no review at the top, and never reviews the entry tier', () => {
    expect(tierStanding({ tierLevel: 6, tierReviewAt: null, balances: grown([['2026-08-01T10:00:00+08:00', 1_000_000]]) }, DEFAULT_TIERS, lifetime, now)).toMatchObject({
      next: null,
      toNext: 0,
      progress: 1,
      review: null,
    })
    expect(tierStanding({ tierLevel: 1, tierReviewAt: new Date('2026-10-01T00:00:00Z'), balances: EMPTY_BALANCES }, DEFAULT_TIERS, rolling, now).review).toBeNull()
  })
})

describe('reviewRunsAt', () => {
  const now = new Date('2026-01-01T00:00:00+08:00')
  it('is the first 00:05 (Shanghai) at or after the review date', () => {
    expect(reviewRunsAt(new Date('2026-03-10T00:03:00+08:00'), now)).toEqual(new Date('2026-03-10T00:05:00+08:00'))
    expect(reviewRunsAt(new Date('2026-03-10T00:05:00+08:00'), now)).toEqual(new Date('2026-03-10T00:05:00+08:00'))
    expect(reviewRunsAt(new Date('2026-03-10T00:05:00.001+08:00'), now)).toEqual(new Date('2026-03-11T00:05:00+08:00'))
  })
  it('is now for a review already overdue', () => {
    expect(reviewRunsAt(new Date('2025-12-01T00:00:00+08:00'), now)).toEqual(now)
  })
})

describe('tierHoldEnd', () => {
  const tiers = DEFAULT_TIERS.map((t) => (t.level === 2 ? { ...t, holdUntil: '2026-05-01T00:00:00.000Z' } : t))
  const at = new Date('2026-04-01T00:00:00Z')
  it("is the later of the tier's hold and the policy's, while one runs", () => {
    expect(tierHoldEnd(2, tiers, lifetime, at)).toEqual(new Date('2026-05-01T00:00:00.000Z'))
    expect(tierHoldEnd(3, tiers, lifetime, at)).toBeNull()
    expect(tierHoldEnd(3, tiers, { ...lifetime, tierHoldUntil: '2026-04-02T00:00:00.000Z' }, at)).toEqual(new Date('2026-04-02T00:00:00.000Z'))
    expect(tierHoldEnd(2, tiers, { ...lifetime, tierHoldUntil: '2026-04-02T00:00:00.000Z' }, at)).toEqual(new Date('2026-05-01T00:00:00.000Z'))
    expect(tierHoldEnd(2, tiers, lifetime, new Date('2026-05-01T00:00:00.000Z'))).toBeNull()
  })
})

describe('tierPolicyFacts: what the tiers page explains, from the policy', () => {
  const now = new Date('2026-04-01T00:00:00Z')
  it('lifetime with the defaults', () => {
    expect(tierPolicyFacts(DEFAULT_LOYALTY_POLICY, DEFAULT_TIERS, now)).toEqual({
      growth: { perYuan: 1, countsAt: 'confirm', window: 'lifetime', windowDays: null },
      points: { perYuan: 1, returnWindowDays: 7, maxPendingDays: 15, channelWindows: [{ channel: 'store', days: 0 }], expiry: { kind: 'end-of-next-year', days: null } },
      reviews: { kind: 'none', holdUntil: null },
    })
  })
  it('rolling, with other numbers: every figure follows the policy', () => {
    const policy = { ...DEFAULT_LOYALTY_POLICY, pointsPerYuan: 2, growthPerYuan: 0.5, returnWindowDays: 10, returnWindows: { store: 3, app: 0 }, maxPendingDays: 30, growthCountsAt: 'payment' as const, expiry: { kind: 'days' as const, days: 730 }, tiers: { kind: 'rolling-12-months' as const } }
    expect(tierPolicyFacts(policy, DEFAULT_TIERS, now)).toEqual({
      growth: { perYuan: 0.5, countsAt: 'payment', window: 'rolling', windowDays: 365 },
      points: { perYuan: 2, returnWindowDays: 10, maxPendingDays: 30, channelWindows: [{ channel: 'app', days: 0 }, { channel: 'store', days: 3 }], expiry: { kind: 'days', days: 730 } },
      reviews: { kind: 'annual', holdUntil: null },
    })
  })
  it('lifetime with a hold running: the latest end of a hold', () => {
    const tiers = DEFAULT_TIERS.map((t) => (t.level === 4 ? { ...t, holdUntil: '2027-01-01T00:00:00.000Z' } : t))
    expect(tierPolicyFacts({ ...DEFAULT_LOYALTY_POLICY, tierHoldUntil: '2026-12-01T00:00:00.000Z' }, tiers, now).reviews).toEqual({ kind: 'none', holdUntil: new Date('2027-01-01T00:00:00.000Z') })
  })
})
