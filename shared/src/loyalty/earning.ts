import type { LoyaltyPolicy } from './policy.js'

/** Whole yuan in an amount of fen (never rounds up: 1,999 fen is 19 yuan). */
export function wholeYuan(fen: number): number {
  return Math.floor(Math.max(0, fen) / 100)
}

/**
 * Points an order line earns: whole yuan paid × points per yuan × the tier's multiplier × the member-day multiplier,
 * rounded down once at the end.
 */
export function pointsForLine(paidFen: number, policy: Pick<LoyaltyPolicy, 'pointsPerYuan'>, tierMultiplier: number, memberDayMultiplier = 1): number {
  return Math.floor(wholeYuan(paidFen) * policy.pointsPerYuan * tierMultiplier * memberDayMultiplier + 1e-9)
}

/** Growth value an order line earns: whole yuan × growth per yuan (multipliers never apply to growth). */
export function growthForLine(paidFen: number, policy: Pick<LoyaltyPolicy, 'growthPerYuan'>): number {
  return Math.floor(wholeYuan(paidFen) * policy.growthPerYuan)
}
