import { describe, expect, it } from 'vitest'
import {
  addGrowth,
  cancelPending,
  credit,
  debit,
  EMPTY_BALANCES,
  earnPending,
  expireDue,
  InsufficientPointsError,
  lotExpiry,
  openBalances,
  rollingGrowth,
  type Balances,
} from '../../shared/src/loyalty/balances.js'
import { growthForLine, pointsForLine } from '../../shared/src/loyalty/earning.js'
import { DEFAULT_LOYALTY_POLICY as policy } from '../../shared/src/loyalty/policy.js'
import { decideTier } from '../../shared/src/loyalty/tiers.js'
import { DEFAULT_TIERS } from '../../shared/src/tiers.js'

const lotsSum = (b: Balances) => b.lots.reduce((s, l) => s + l.remaining, 0)

describe('earning rules', () => {
  it('counts whole yuan only and rounds down once after multipliers', () => {
    expect(pointsForLine(12_999, policy, 1)).toBe(129)
    expect(pointsForLine(99, policy, 2)).toBe(0)
    expect(pointsForLine(10_000, policy, 1.2)).toBe(120)
    expect(pointsForLine(10_050, policy, 1.5, 2)).toBe(300)
    expect(growthForLine(12_999, policy)).toBe(129)
  })
})

describe('balances', () => {
  const at = new Date('2026-06-01T00:00:00Z')

  it('confirms pending points into a lot expiring at the end of next year (Shanghai)', () => {
    const b = credit(earnPending(EMPTY_BALANCES, 100).balances, 100, at, policy, true).balances
    expect(b).toMatchObject({ pending: 0, available: 100 })
    expect(b.lots).toEqual([{ earnedAt: at.getTime(), expiresAt: Date.parse('2027-12-31T16:00:00Z'), remaining: 100 }])
  })

  it('repays debt before crediting', () => {
    const c = credit({ ...EMPTY_BALANCES, debt: 30 }, 100, at, policy)
    expect(c.balances).toMatchObject({ debt: 0, available: 70 })
    expect(c.debtRepaid).toBe(30)
    expect(lotsSum(c.balances)).toBe(70)
  })

  it('spends the soonest-expiring lots first and refuses to overspend', () => {
    let b = credit(EMPTY_BALANCES, 50, new Date('2025-03-01T00:00:00Z'), policy).balances
    b = credit(b, 80, at, policy).balances
    const spent = debit(b, 60, 'spend', policy).balances
    expect(spent.lots.map((l) => l.remaining)).toEqual([70])
    expect(() => debit(b, 131, 'spend', policy)).toThrow(InsufficientPointsError)
  })

  it('turns a reversal beyond the balance into debt, or absorbs it', () => {
    const b = credit(EMPTY_BALANCES, 40, at, policy).balances
    expect(debit(b, 100, 'reverse', policy).balances).toMatchObject({ available: 0, debt: 60 })
    const absorbed = debit(b, 100, 'reverse', { refundShortfall: 'absorb' })
    expect(absorbed.balances).toMatchObject({ available: 0, debt: 0 })
    expect(absorbed.absorbed).toBe(60)
  })

  it('never cancels more pending points than there are', () => {
    expect(() => cancelPending({ ...EMPTY_BALANCES, pending: 5 }, 6)).toThrow(RangeError)
  })

  it('expires due lots only', () => {
    let b = credit(EMPTY_BALANCES, 10, new Date('2025-03-01T00:00:00Z'), policy).balances
    b = credit(b, 20, at, policy).balances
    const c = expireDue(b, new Date('2026-12-31T16:00:00Z'))
    expect(c.balances).toMatchObject({ available: 20, expired: 10 })
    expect(c.points).toEqual({ available: -10, pending: 0, debt: 0, expired: 10 })
  })

  it('supports never and N-day expiry policies', () => {
    expect(lotExpiry(at, { expiry: { kind: 'never' } })).toBeNull()
    expect(lotExpiry(at, { expiry: { kind: 'days', days: 365 } })).toBe(Date.parse('2027-06-01T00:00:00Z'))
  })

  it('keeps growth per Shanghai day, merging a day and going back to the day a reversal names', () => {
    let b = addGrowth(EMPTY_BALANCES, 100, new Date('2025-05-15T00:00:00Z')).balances
    b = addGrowth(b, 50, new Date('2025-06-30T16:30:00Z')).balances // 1 July in Shanghai
    b = addGrowth(b, 7, new Date('2026-06-01T00:00:00Z')).balances
    b = addGrowth(b, 3, new Date('2026-06-01T15:59:59Z')).balances // still 1 June in Shanghai
    expect(b.growthByMonth).toEqual([
      { month: '2025-07-01', value: 50 },
      { month: '2026-06-01', value: 10 },
    ]) // 2025-05-15 is more than 366 days before the newest day: dropped
    expect(b.growth).toBe(160)
    // a refund of growth counted on 2026-06-01 takes it from that day, whenever the refund comes
    b = addGrowth(b, -10, new Date('2026-06-01T03:00:00Z')).balances
    expect(b.growthByMonth).toEqual([
      { month: '2025-07-01', value: 50 },
      { month: '2026-06-01', value: 0 },
    ])
    // a reversal of growth older than the days kept changes only the total
    b = addGrowth(b, -100, new Date('2025-05-15T00:00:00Z')).balances
    expect(b).toMatchObject({ growth: 50, growthByMonth: [{ month: '2025-07-01', value: 50 }, { month: '2026-06-01', value: 0 }] })
    expect(() => addGrowth(b, -51, at)).toThrow(RangeError)
  })

  it('keeps at most 367 day buckets however often the member buys', () => {
    let b = EMPTY_BALANCES
    for (let day = 0; day < 800; day++) b = addGrowth(b, 1, new Date(Date.parse('2024-01-01T04:00:00Z') + day * 86_400_000)).balances
    expect(b.growth).toBe(800)
    expect(b.growthByMonth).toHaveLength(367)
    expect(rollingGrowth(b, new Date(Date.parse('2024-01-01T04:00:00Z') + 799 * 86_400_000))).toBe(366)
  })
})

describe('rollingGrowth: the 365 days before the evaluation, to the Shanghai day', () => {
  const on = (iso: string, value: number, b: Balances = EMPTY_BALANCES) => addGrowth(b, value, new Date(iso)).balances
  // evaluated on 2027-03-10 in Shanghai: 2026-03-10 is the first day in, 2026-03-09 the last day out
  const b = on('2026-03-09T23:59:59.999+08:00', 1, on('2026-03-10T00:00:00+08:00', 10, on('2027-03-10T23:00:00+08:00', 100)))

  it('counts the day 365 days before and every day since, up to the evaluation\'s day (a day is one bucket)', () => {
    expect(rollingGrowth(b, new Date('2027-03-10T00:00:00+08:00'))).toBe(110)
    expect(rollingGrowth(b, new Date('2027-03-10T23:59:59+08:00'))).toBe(110)
  })

  it('leaves a day out at the Shanghai midnight 366 days after it, not at UTC midnight', () => {
    // the day before: 2026-03-09 still in, and growth dated after the evaluation not yet
    expect(rollingGrowth(b, new Date('2027-03-09T23:59:59.999+08:00'))).toBe(11)
    expect(rollingGrowth(b, new Date('2027-03-09T16:00:00Z'))).toBe(110) // = 2027-03-10 00:00 Shanghai: 2026-03-09 out
    expect(rollingGrowth(b, new Date('2027-03-09T15:59:59.999Z'))).toBe(11)
    expect(rollingGrowth(b, new Date('2027-03-11T00:00:00+08:00'))).toBe(100) // 2026-03-10 out the next day
  })

  it('is not 12 calendar months: growth of 11.5 months ago still counts', () => {
    const mid = on('2026-03-25T12:00:00+08:00', 500)
    expect(rollingGrowth(mid, new Date('2027-03-10T00:05:00+08:00'))).toBe(500)
  })

  it('reads month buckets of documents from before day buckets as earned on the month\'s last day', () => {
    const legacy: Balances = { ...EMPTY_BALANCES, growth: 300, growthByMonth: [{ month: '2026-02', value: 100 }, { month: '2026-03', value: 200 }] }
    // February 2026 counts while its last day (28th) is in the window: through 2027-02-28 (Shanghai)
    expect(rollingGrowth(legacy, new Date('2027-02-28T12:00:00+08:00'))).toBe(300)
    expect(rollingGrowth(legacy, new Date('2027-03-01T00:00:00+08:00'))).toBe(200)
    // the month still running counts as of today; a month after the evaluation does not count yet
    expect(rollingGrowth(legacy, new Date('2026-03-05T00:00:00+08:00'))).toBe(300)
    expect(rollingGrowth(legacy, new Date('2026-02-20T00:00:00+08:00'))).toBe(100)
    // a new day bucket beside them: both kinds count
    expect(rollingGrowth(addGrowth(legacy, 5, new Date('2026-04-02T00:00:00+08:00')).balances, new Date('2026-04-02T10:00:00+08:00'))).toBe(305)
  })

  it('never goes below 0 when reversals outweigh what is left in the window', () => {
    const odd: Balances = { ...EMPTY_BALANCES, growth: 0, growthByMonth: [{ month: '2026-06-01', value: -40 }] }
    expect(rollingGrowth(odd, new Date('2026-06-02T00:00:00Z'))).toBe(0)
  })
})

describe('decideTier', () => {
  const b = (growth: number, day = '2026-06-01'): Balances => ({ ...EMPTY_BALANCES, growth, growthByMonth: [{ month: day, value: growth }] })
  const now = new Date('2026-06-10T00:00:00Z')
  const lifetime = { tiers: { kind: 'lifetime' as const } }
  const rolling = { tiers: { kind: 'rolling-12-months' as const } }

  it('lifetime: up and down with the total', () => {
    expect(decideTier(1, b(8_001), DEFAULT_TIERS, lifetime, now)).toEqual({ level: 2, reason: 'upgrade' })
    expect(decideTier(2, b(8_000), DEFAULT_TIERS, lifetime, now)).toEqual({ level: 1, reason: 'downgrade' })
  })

  it('rolling: up at once, down only at the review', () => {
    expect(decideTier(1, b(80_001), DEFAULT_TIERS, rolling, now)).toEqual({ level: 3, reason: 'upgrade' })
    expect(decideTier(3, b(10), DEFAULT_TIERS, rolling, now)).toEqual({ level: 3, reason: 'unchanged' })
    expect(decideTier(3, b(10), DEFAULT_TIERS, rolling, now, true)).toEqual({ level: 1, reason: 'review' })
    expect(decideTier(3, b(90_000, '2025-06-09'), DEFAULT_TIERS, rolling, now, true)).toEqual({ level: 1, reason: 'review' })
    expect(decideTier(3, b(90_000, '2025-06-10'), DEFAULT_TIERS, rolling, now, true)).toEqual({ level: 3, reason: 'unchanged' })
  })

  it('lifetime: a tier on hold (its threshold raised) is not lost before the hold ends, not even at a review', () => {
    const raised = DEFAULT_TIERS.map((t) => (t.level === 2 ? { ...t, threshold: 10_000, holdUntil: '2026-07-01T00:00:00.000Z' } : t))
    expect(decideTier(2, b(9_000), raised, lifetime, now)).toEqual({ level: 2, reason: 'unchanged' })
    expect(decideTier(2, b(100), raised, lifetime, now)).toEqual({ level: 2, reason: 'unchanged' })
    expect(decideTier(2, b(100), raised, lifetime, now, true)).toEqual({ level: 2, reason: 'unchanged' })
    // the hold protects the holders of that tier only: a gold member's upgrade still needs the new threshold
    expect(decideTier(1, b(9_000), raised, lifetime, now)).toEqual({ level: 1, reason: 'unchanged' })
    // when it has ended, the total decides again (the review at its end says 'review')
    const after = new Date('2026-07-01T00:00:00.001Z')
    expect(decideTier(2, b(9_000), raised, lifetime, after, true)).toEqual({ level: 1, reason: 'review' })
    expect(decideTier(2, b(9_000), raised, lifetime, after)).toEqual({ level: 1, reason: 'downgrade' })
  })

  it('lifetime: the hold a switch from rolling leaves covers every tier', () => {
    const held = { ...lifetime, tierHoldUntil: '2027-06-10T00:00:00.000Z' }
    expect(decideTier(4, b(10), DEFAULT_TIERS, held, now)).toEqual({ level: 4, reason: 'unchanged' })
    expect(decideTier(4, b(600_000), DEFAULT_TIERS, held, now)).toEqual({ level: 5, reason: 'upgrade' })
    expect(decideTier(4, b(10), DEFAULT_TIERS, held, new Date('2027-06-10T00:00:00.001Z'))).toEqual({ level: 1, reason: 'downgrade' })
  })

  it('rolling: a hold changes nothing (the annual review is the promise)', () => {
    const raised = DEFAULT_TIERS.map((t) => (t.level === 2 ? { ...t, threshold: 10_000, holdUntil: '2026-07-01T00:00:00.000Z' } : t))
    expect(decideTier(2, b(9_000), raised, rolling, now, true)).toEqual({ level: 1, reason: 'review' })
  })
})

describe('openBalances (a migration’s opening entry)', () => {
  const at = new Date('2026-06-15T02:00:00Z')
  it('adds the lots with their own expiry, the total growth, and only the growth placed on a day to the rolling window', () => {
    const c = openBalances(EMPTY_BALANCES, { lots: [{ points: 10, expiresAt: 5e12 }, { points: 5, expiresAt: null }], growth: 100, growthByDay: [{ day: '2026-06-01', value: 40 }] }, at)
    expect(c.balances).toMatchObject({ available: 15, growth: 100, growthByMonth: [{ month: '2026-06-01', value: 40 }] })
    expect(c.balances.lots.map((l) => [l.remaining, l.expiresAt])).toEqual([[10, 5e12], [5, null]])
    expect(rollingGrowth(c.balances, at)).toBe(40)
    expect(c.points).toEqual({ available: 15, pending: 0, debt: 0, expired: 0 })
  })
  it('refuses more growth by day than the growth carried over, and amounts that are not whole', () => {
    expect(() => openBalances(EMPTY_BALANCES, { lots: [], growth: 10, growthByDay: [{ day: '2026-06-01', value: 11 }] }, at)).toThrow(RangeError)
    expect(() => openBalances(EMPTY_BALANCES, { lots: [{ points: 1.5, expiresAt: null }], growth: 0, growthByDay: [] }, at)).toThrow(RangeError)
  })
})
