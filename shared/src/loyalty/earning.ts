import type { LoyaltyPolicy } from './policy.js'

/** Whole yuan in an amount of fen (never rounds up: 1,999 fen is 19 yuan). */
export function wholeYuan(fen: number): number {
  return Math.floor(Math.max(0, fen) / 100)
}

/**
 * Points an amount earns: whole yuan paid × points per yuan × the tier's multiplier × the member-day multiplier,
 * rounded down once at the end. Settlement applies it to the whole order's paid amount (orderEarning), not line by line.
 */
export function pointsForLine(paidFen: number, policy: Pick<LoyaltyPolicy, 'pointsPerYuan'>, tierMultiplier: number, memberDayMultiplier = 1): number {
  return Math.floor(wholeYuan(paidFen) * policy.pointsPerYuan * tierMultiplier * memberDayMultiplier + 1e-9)
}

/** Growth value an amount earns: whole yuan × growth per yuan (multipliers never apply to growth). */
export function growthForLine(paidFen: number, policy: Pick<LoyaltyPolicy, 'growthPerYuan'>): number {
  return Math.floor(wholeYuan(paidFen) * policy.growthPerYuan + 1e-9)
}

/**
 * How multipliers combine (the tier's, the member day's, later a campaign's): they multiply, and the product is
 * capped at the policy's `multiplierCap` — a gold member (1.2×) on a double-points member day earns 2.4×, a crown
 * member (2.5×) on that day 3× under the default cap, not 5×.
 */
export function combinedMultiplier(multipliers: readonly number[], cap: number): number {
  const product = multipliers.reduce((a, m) => a * m, 1)
  return Math.min(product, cap)
}

/**
 * Splits a whole number `total` over weights in proportion, exactly (the parts add up to `total`): each part is its
 * quota rounded down, and what is left goes one by one to the largest remainders, ties to the earlier weight.
 * Exact integer arithmetic, whatever the size of the amounts. All weights 0: everything to nobody but the first.
 */
// BigInt(…) rather than literals: the mini-program compiles shared/ for ES2017
const ZERO = BigInt(0)
const ONE = BigInt(1)

export function allocate(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return []
  const sum = weights.reduce((a, w) => a + BigInt(Math.max(0, w)), ZERO)
  if (sum === ZERO) return weights.map((_, i) => (i === 0 ? total : 0))
  const t = BigInt(total)
  const parts = weights.map((w) => {
    const product = t * BigInt(Math.max(0, w))
    return { base: product / sum, remainder: product % sum }
  })
  let left = t - parts.reduce((a, p) => a + p.base, ZERO)
  const order = parts.map((p, i) => ({ i, r: p.remainder })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1))
  const result = parts.map((p) => p.base)
  for (const { i } of order) {
    if (left <= ZERO) break
    result[i]! += ONE
    left -= ONE
  }
  return result.map(Number)
}

/** The rates an order is paid at: points per yuan, growth per yuan and the combined multiplier. */
export interface EarningRates {
  pointsPerYuan: number
  growthPerYuan: number
  /** the combined multiplier applied to points (tier × member day × …, capped by the policy) */
  multiplier: number
}

/**
 * What an order earns and each line's share of it: points and growth are computed once on the order's paid amount
 * (a three-line order of 99.90 yuan each earns 299, not 3 × 99) and allocated to the lines in proportion to what
 * each line paid (allocate: exact, largest remainder, ties by line order). The shares are stored on the lines, so a
 * refund reverses exactly what its line was credited.
 */
export function orderEarning(linesFen: readonly number[], rates: EarningRates): { points: number[]; growth: number[] } {
  const totalFen = linesFen.reduce((a, f) => a + Math.max(0, f), 0)
  const points = pointsForLine(totalFen, rates, rates.multiplier)
  const growth = growthForLine(totalFen, rates)
  return { points: allocate(points, linesFen), growth: allocate(growth, linesFen) }
}

/**
 * What a line has given back after refunds of `refundedFen` of its `paidFen`: its credited `earned` in proportion,
 * rounded down — so the total reversed never exceeds what the line got, and a full refund gives back all of it.
 */
export function reversedShare(earned: number, paidFen: number, refundedFen: number): number {
  if (paidFen <= 0 || refundedFen <= 0) return 0
  if (refundedFen >= paidFen) return earned
  return Number((BigInt(earned) * BigInt(refundedFen)) / BigInt(paidFen))
}
