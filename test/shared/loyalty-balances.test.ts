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

  it('keeps growth per Shanghai month and sums the last 12 for the rolling policy', () => {
    let b = addGrowth(EMPTY_BALANCES, 100, new Date('2025-06-15T00:00:00Z')).balances
    b = addGrowth(b, 50, new Date('2025-06-30T16:30:00Z')).balances // 1 July in Shanghai
    b = addGrowth(b, 7, new Date('2026-06-01T00:00:00Z')).balances
    expect(b.growthByMonth).toEqual([
      { month: '2025-06', value: 100 },
      { month: '2025-07', value: 50 },
      { month: '2026-06', value: 7 },
    ])
    expect(rollingGrowth(b, new Date('2026-06-10T00:00:00Z'))).toBe(57)
    expect(() => addGrowth(b, -158, at)).toThrow(RangeError)
  })
})

describe('decideTier', () => {
  const b = (growth: number, month = '2026-06'): Balances => ({ ...EMPTY_BALANCES, growth, growthByMonth: [{ month, value: growth }] })
  const now = new Date('2026-06-10T00:00:00Z')
  it('lifetime: up and down with the total', () => {
    expect(decideTier(1, b(8_001), DEFAULT_TIERS, { tiers: { kind: 'lifetime' } }, now)).toEqual({ level: 2, reason: 'upgrade' })
    expect(decideTier(2, b(8_000), DEFAULT_TIERS, { tiers: { kind: 'lifetime' } }, now)).toEqual({ level: 1, reason: 'downgrade' })
  })
  it('rolling: up at once, down only at the review', () => {
    const rolling = { tiers: { kind: 'rolling-12-months' as const } }
    expect(decideTier(1, b(80_001), DEFAULT_TIERS, rolling, now)).toEqual({ level: 3, reason: 'upgrade' })
    expect(decideTier(3, b(10), DEFAULT_TIERS, rolling, now)).toEqual({ level: 3, reason: 'unchanged' })
    expect(decideTier(3, b(10), DEFAULT_TIERS, rolling, now, true)).toEqual({ level: 1, reason: 'review' })
    expect(decideTier(3, b(90_000, '2025-05'), DEFAULT_TIERS, rolling, now, true)).toEqual({ level: 1, reason: 'review' })
  })
})
