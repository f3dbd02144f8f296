import { describe, expect, it } from 'vitest'
import { allocate, combinedMultiplier, orderEarning, reversedShare } from '../../shared/src/loyalty/earning.js'

const rates = { pointsPerYuan: 1, growthPerYuan: 1, multiplier: 1 }

describe('orderEarning: points on the order, allocated to its lines', () => {
  it('earns on the order total: three lines of 99.90 yuan earn 299, not 297', () => {
    const earning = orderEarning([9_990, 9_990, 9_990], rates)
    expect(earning.points).toEqual([100, 100, 99])
    expect(earning.growth).toEqual([100, 100, 99])
    expect(earning.points.reduce((a, b) => a + b)).toBe(299)
  })
  it('allocates in proportion to what each line paid, with the multiplier applied once to the order', () => {
    // 400.00 yuan × 1.5 = 600 points; growth takes no multiplier
    expect(orderEarning([30_000, 10_000], { ...rates, multiplier: 1.5 })).toEqual({ points: [450, 150], growth: [300, 100] })
  })
  it('gives a line of less than a yuan its share of the order', () => {
    expect(orderEarning([50, 50, 1_000], rates)).toEqual({ points: [1, 0, 10], growth: [1, 0, 10] }) // 11 yuan: the tie of the two halves goes to the first line
  })
  it('earns nothing on an order of less than a yuan, and on an empty order', () => {
    expect(orderEarning([99], rates)).toEqual({ points: [0], growth: [0] })
    expect(orderEarning([], rates)).toEqual({ points: [], growth: [] })
  })
})

describe('allocate: exact, largest remainder, ties by line order', () => {
  it('parts always add up to the total', () => {
    for (const [total, weights] of [
      [299, [9_990, 9_990, 9_990]],
      [7, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
      [1_000_003, [3, 5, 7, 11, 13]],
      [0, [1, 2, 3]],
    ] as [number, number[]][]) {
      expect(allocate(total, weights).reduce((a, b) => a + b, 0)).toBe(total)
    }
  })
  it('gives the leftover to the largest remainders, and on a tie to the earlier line', () => {
    expect(allocate(10, [1, 1, 1])).toEqual([4, 3, 3])
    expect(allocate(10, [1, 2, 1])).toEqual([3, 5, 2])
    expect(allocate(2, [1, 1, 1])).toEqual([1, 1, 0])
    expect(allocate(5, [10, 25, 65])).toEqual([1, 1, 3])
  })
  it('stays exact with the largest amounts (BigInt arithmetic)', () => {
    const parts = allocate(1_000_000_000, [100_000_000_000, 100_000_000_000, 1])
    expect(parts).toEqual([500_000_000, 500_000_000, 0])
  })
  it('a zero weight gets nothing while others have weight', () => {
    expect(allocate(5, [0, 3, 0, 2])).toEqual([0, 3, 0, 2])
  })
})

describe('reversedShare: what a line gives back after refunds', () => {
  it('gives back in proportion to the refunded fen, rounded down', () => {
    expect(reversedShare(300, 30_000, 10_050)).toBe(100)
    expect(reversedShare(100, 9_990, 5_000)).toBe(50)
    expect(reversedShare(99, 9_990, 5_000)).toBe(49)
  })
  it('gives back all of it on a full refund, nothing on none', () => {
    expect(reversedShare(99, 9_990, 9_990)).toBe(99)
    expect(reversedShare(99, 9_990, 0)).toBe(0)
    expect(reversedShare(0, 0, 0)).toBe(0)
  })
  it('never gives back more than the line got, whatever the steps', () => {
    const steps = [1, 333, 4_000, 5_656]
    let refunded = 0
    let previous = 0
    for (const step of steps) {
      refunded += step
      const now = reversedShare(100, 9_990, refunded)
      expect(now).toBeGreaterThanOrEqual(previous)
      expect(now).toBeLessThanOrEqual(100)
      previous = now
    }
    expect(previous).toBe(100)
  })
})

describe('combinedMultiplier: multipliers multiply, under the policy cap', () => {
  it('multiplies the tier and member-day multipliers', () => {
    expect(combinedMultiplier([1.2, 2], 3)).toBeCloseTo(2.4)
    expect(combinedMultiplier([1.5], 3)).toBe(1.5)
    expect(combinedMultiplier([], 3)).toBe(1)
  })
  it('caps the product at the policy cap (default 3×)', () => {
    expect(combinedMultiplier([2.5, 2], 3)).toBe(3)
    expect(combinedMultiplier([2.5, 2, 2], 3)).toBe(3)
    expect(combinedMultiplier([1.5, 2], 1.2)).toBe(1.2)
  })
  it('earns on the capped multiplier: a 2.5× member on a double day earns 300 on 100 yuan, not 500', () => {
    expect(orderEarning([10_000], { ...rates, multiplier: combinedMultiplier([2.5, 2], 3) }).points).toEqual([300])
  })
})
