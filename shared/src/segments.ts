import { shanghaiDayNumber, startOfShanghaiDayNumber } from './loyalty/time.js'

/**
 * Segments and outreach (issue 14): pure rules. The rolling year of a member's purchases (for the RFM filters), the
 * RFM scores, what a filter's ranges mean in stored fields, and the statistics an outreach is judged by.
 */

/** The rolling year: today and the 364 Shanghai days before it. */
export const YEAR_DAYS = 365

export interface YearFacts {
  /** distinct Shanghai purchase days in the rolling year */
  purchases12m: number
  /** fen still paid (after refunds) by the year's counting payments */
  amount12mFen: number
  /** when the oldest of those purchase days leaves the year (a Shanghai midnight), null with none */
  leavesAt: Date | null
  /** the payments still in the year (the member's stored facts keep only these) */
  entries: { at: Date; netFen: number }[]
}

/** A member's rolling-year figures at `now` from their counting payments (a payment dated ahead of `now` counts). */
export function yearFactsOf(payments: readonly { at: Date; netFen: number }[], now: Date): YearFacts {
  const first = shanghaiDayNumber(now) - (YEAR_DAYS - 1)
  const days = new Set<number>()
  let amount12mFen = 0
  const entries: { at: Date; netFen: number }[] = []
  for (const p of payments) {
    const day = shanghaiDayNumber(p.at)
    if (day < first) continue
    days.add(day)
    amount12mFen += p.netFen
    entries.push(p)
  }
  const oldest = days.size > 0 ? Math.min(...days) : null
  return { purchases12m: days.size, amount12mFen, leavesAt: oldest === null ? null : startOfShanghaiDayNumber(oldest + YEAR_DAYS), entries }
}

/**
 * RFM scores 1–5 (0: no purchase in the measure). R from the days since the last purchase day, F from the purchase
 * days of the rolling year, M from its amount. The thresholds are each score's lowest value (R: the most days).
 */
export const RFM_THRESHOLDS = {
  /** R: 5 within 30 days, 4 within 90, 3 within 180, 2 within 365, 1 older */
  recencyDays: [30, 90, 180, 365] as const,
  /** F: 1, 2, 3–4, 5–9, 10 or more purchase days */
  frequency: [1, 2, 3, 5, 10] as const,
  /** M: any, from 1,000 yuan, 5,000, 20,000, 50,000 (in fen) */
  monetaryFen: [1, 100_000, 500_000, 2_000_000, 5_000_000] as const,
}

export interface Range {
  min?: number
  max?: number
}

/** The days-since-last-purchase range that scores R in [min, max] (no upper bound: open). */
export function recencyRange(score: Range): Range {
  const [d5, d4, d3, d2] = RFM_THRESHOLDS.recencyDays
  // score s covers days (upper of s+1, upper of s]
  const upper = [Infinity, Infinity, d2, d3, d4, d5] // index = score: the most days it covers (score 1 open)
  const lower = [0, d2 + 1, d3 + 1, d4 + 1, d5 + 1, 0]
  const lo = Math.max(1, score.min ?? 1)
  const hi = Math.min(5, score.max ?? 5)
  const range: Range = { min: lower[hi]! }
  if (upper[lo] !== Infinity) range.max = upper[lo]!
  return range
}

/** The stored-value range that scores in [min, max] on ascending thresholds (F: purchase days; M: fen). */
export function ascendingRange(thresholds: readonly number[], score: Range): Range {
  const lo = Math.max(1, score.min ?? 1)
  const hi = Math.min(5, score.max ?? 5)
  const range: Range = { min: thresholds[lo - 1]! }
  if (hi < 5) range.max = thresholds[hi]! - 1
  return range
}

/** Narrows a range by another (both bounds kept). */
export function intersectRange(a: Range | undefined, b: Range | undefined): Range | undefined {
  if (!a) return b
  if (!b) return a
  const range: Range = {}
  const min = Math.max(a.min ?? -Infinity, b.min ?? -Infinity)
  const max = Math.min(a.max ?? Infinity, b.max ?? Infinity)
  if (min !== -Infinity) range.min = min
  if (max !== Infinity) range.max = max
  return range
}

export function inRange(value: number, range: Range | undefined): boolean {
  return !range || ((range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max))
}

/** The score of a value on ascending thresholds (0 below the first). */
export function ascendingScore(thresholds: readonly number[], value: number): number {
  let score = 0
  for (const t of thresholds) if (value >= t) score++
  return score
}

/** R for a number of days since the last purchase day (null: never bought → 0). */
export function recencyScore(days: number | null): number {
  if (days === null) return 0
  const [d5, d4, d3, d2] = RFM_THRESHOLDS.recencyDays
  return days <= d5 ? 5 : days <= d4 ? 4 : days <= d3 ? 3 : days <= d2 ? 2 : 1
}

// ---------------------------------------------------------------------------------------------------------------
// Outreach statistics

/** The two-sided 95% normal quantile. */
export const Z95 = 1.959963984540054

export interface GroupOutcome {
  members: number
  buyers: number
  revenueFen: number
}

export interface Lift {
  treatedRate: number | null
  holdoutRate: number | null
  /** treated − holdout response rate; null when a group is empty */
  diff: number | null
  /** the 95% interval of the difference (unpooled normal approximation) */
  low: number | null
  high: number | null
  /** revenue per treated member minus revenue per holdout member, times the treated members */
  incrementalRevenueFen: number | null
}

/**
 * The response-rate difference between the treated and the holdout group with its 95% confidence interval (Wald,
 * unpooled: SE = √(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)), and the incremental revenue.
 */
export function liftOf(treated: GroupOutcome, holdout: GroupOutcome): Lift {
  const p1 = treated.members > 0 ? treated.buyers / treated.members : null
  const p0 = holdout.members > 0 ? holdout.buyers / holdout.members : null
  if (p1 === null || p0 === null) return { treatedRate: p1, holdoutRate: p0, diff: null, low: null, high: null, incrementalRevenueFen: null }
  const diff = p1 - p0
  const se = Math.sqrt((p1 * (1 - p1)) / treated.members + (p0 * (1 - p0)) / holdout.members)
  const perTreated = treated.revenueFen / treated.members
  const perHoldout = holdout.revenueFen / holdout.members
  return {
    treatedRate: p1,
    holdoutRate: p0,
    diff,
    low: diff - Z95 * se,
    high: diff + Z95 * se,
    incrementalRevenueFen: Math.round((perTreated - perHoldout) * treated.members),
  }
}

/** ROI net of costs: (incremental revenue − cost) / cost; null without a cost or without a lift. */
export function roiOf(incrementalRevenueFen: number | null, costFen: number): number | null {
  if (incrementalRevenueFen === null || costFen <= 0) return null
  return (incrementalRevenueFen - costFen) / costFen
}
