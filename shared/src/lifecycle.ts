/**
 * Lifecycle stages (pure, no I/O). DESIGN.md §2 "Lifecycle", issue 14: a member's stage follows from their purchase
 * days (orders paid the same Asia/Shanghai day are one purchase) and the days since the last one, counted in
 * Shanghai calendar days (a purchase at 23:30 on the 1st is one day old at 00:00 on the 2nd).
 *
 * Boundary rule: every range is half-open, [from, to) — a boundary day belongs to the stage that starts on it.
 * With the defaults: days 0–4 `new_0_5`, 5–29 `new_5_30`, 30–44 `new_30_45` (one purchase day); `repeat` (two or
 * more purchase days, last within days 0–44); 45–89 `at_risk`, 90–179 `lapsed`, 180 and over `dormant` (any number
 * of purchase days). So day 5 is `new_5_30`, day 30 `new_30_45`, day 45 `at_risk`, day 90 `lapsed`, day 180 `dormant`.
 */

import { shanghaiDayNumber, startOfShanghaiDayNumber } from './loyalty/time.js'

export const LIFECYCLE_STAGES = ['prospect', 'new_0_5', 'new_5_30', 'new_30_45', 'repeat', 'at_risk', 'lapsed', 'dormant'] as const
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number]

export const LIFECYCLE_STAGE_LABELS: Record<LifecycleStage, string> = {
  prospect: '潜在客户',
  new_0_5: '新客（0–5天）',
  new_5_30: '新客（5–30天）',
  new_30_45: '新客（30–45天）',
  repeat: '复购客户',
  at_risk: '流失预警',
  lapsed: '沉睡客户',
  dormant: '流失客户',
}

/** The day boundaries (days since the last purchase day), strictly increasing; each is the first day of its stage. */
export interface LifecycleBoundaries {
  /** first day of `new_5_30` (default 5) */
  newCare: number
  /** first day of `new_30_45` (default 30) */
  newOffer: number
  /** first day of `at_risk`; new and repeat members are younger than this (default 45) */
  atRisk: number
  /** first day of `lapsed` (default 90) */
  lapsed: number
  /** first day of `dormant` (default 180) */
  dormant: number
}

export const DEFAULT_LIFECYCLE_BOUNDARIES: LifecycleBoundaries = { newCare: 5, newOffer: 30, atRisk: 45, lapsed: 90, dormant: 180 }

/** The highest boundary an operator may set (about ten years). */
export const MAX_LIFECYCLE_BOUNDARY_DAYS = 3650

/** Whether the boundaries are integers with 0 < newCare < newOffer < atRisk < lapsed < dormant ≤ the maximum. */
export function boundariesIncrease(b: LifecycleBoundaries): boolean {
  const list = [b.newCare, b.newOffer, b.atRisk, b.lapsed, b.dormant]
  if (!list.every((d) => Number.isInteger(d) && d > 0 && d <= MAX_LIFECYCLE_BOUNDARY_DAYS)) return false
  return list.every((d, i) => i === 0 || d > list[i - 1]!)
}

/** What a stage follows from: distinct purchase days and the last counting payment. */
export interface LifecycleFacts {
  purchaseDays: number
  lastAt: Date | null
}

/** Whole Shanghai calendar days from the last purchase's day to the day of `now` (0 on the day itself). */
export function daysSinceLastPurchase(lastAt: Date, now: Date): number {
  return Math.max(0, shanghaiDayNumber(now) - shanghaiDayNumber(lastAt))
}

/** The stage at `now` (see the boundary rule above). */
export function stageOf(facts: LifecycleFacts, now: Date, boundaries: LifecycleBoundaries = DEFAULT_LIFECYCLE_BOUNDARIES): LifecycleStage {
  if (facts.purchaseDays <= 0 || !facts.lastAt) return 'prospect'
  const days = daysSinceLastPurchase(facts.lastAt, now)
  if (days >= boundaries.dormant) return 'dormant'
  if (days >= boundaries.lapsed) return 'lapsed'
  if (days >= boundaries.atRisk) return 'at_risk'
  if (facts.purchaseDays >= 2) return 'repeat'
  if (days >= boundaries.newOffer) return 'new_30_45'
  if (days >= boundaries.newCare) return 'new_5_30'
  return 'new_0_5'
}

/**
 * The instant the stage would change with no new purchase (a Shanghai midnight: the first day of the next stage),
 * or null when it never would (prospect, dormant).
 */
export function nextChangeAt(facts: LifecycleFacts, now: Date, boundaries: LifecycleBoundaries = DEFAULT_LIFECYCLE_BOUNDARIES): Date | null {
  if (facts.purchaseDays <= 0 || !facts.lastAt) return null
  const days = daysSinceLastPurchase(facts.lastAt, now)
  const ahead =
    facts.purchaseDays >= 2
      ? [boundaries.atRisk, boundaries.lapsed, boundaries.dormant]
      : [boundaries.newCare, boundaries.newOffer, boundaries.atRisk, boundaries.lapsed, boundaries.dormant]
  const next = ahead.find((b) => b > days)
  return next === undefined ? null : startOfShanghaiDayNumber(shanghaiDayNumber(facts.lastAt) + next)
}

/** The median of the gaps (in Shanghai days) between consecutive purchase days, or null with no gap. */
export function medianGapDays(gaps: readonly number[]): number | null {
  if (gaps.length === 0) return null
  const sorted = [...gaps].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** The gaps in days between consecutive distinct purchase days of one member (payments, any order). */
export function purchaseDayGaps(paidAt: readonly Date[]): number[] {
  const days = [...new Set(paidAt.map((at) => shanghaiDayNumber(at)))].sort((a, b) => a - b)
  return days.slice(1).map((d, i) => d - days[i]!)
}

