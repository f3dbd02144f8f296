import type { LoyaltyPolicy } from './policy.js'
import { addDays, dayNumberOf, lastDayNumberOfMonth, shanghaiDate, shanghaiDayNumber, shanghaiYear, startOfShanghaiDayNumber, startOfShanghaiYear } from './time.js'

/**
 * A member's points and growth as pure data, and every change to them as a pure function (no I/O). The server applies
 * these to the member document in one guarded update; the ledgers record the deltas they return.
 *
 * Invariants: available, pending, debt ≥ 0; the lots' remaining points add up to `available`; lots are kept oldest
 * expiry first, so spending and reversals consume the points that would expire soonest.
 */
export interface Lot {
  /** epoch ms when the points became available */
  earnedAt: number
  /** epoch ms when they expire; null = never */
  expiresAt: number | null
  remaining: number
}

export interface Balances {
  available: number
  pending: number
  debt: number
  /** points expired to date */
  expired: number
  lots: Lot[]
  growth: number
  /**
   * Growth per Shanghai day, for the rolling tier policy (growth of the 365 days before the evaluation): each bucket's
   * `month` holds its day, YYYY-MM-DD, and buckets more than GROWTH_DAYS_KEPT days older than the newest are dropped.
   * Members written before day buckets existed may still hold month buckets (YYYY-MM): see bucketDay.
   * (The field keeps its first name so the member documents already stored read as they are.)
   */
  growthByMonth: GrowthBucket[]
}

/** Growth of one Shanghai day (`month` = YYYY-MM-DD), or of one month (YYYY-MM) in documents from before days. */
export interface GrowthBucket {
  month: string
  value: number
}

/** The rolling policy counts growth of the Shanghai day 365 days before the evaluation's day, and every day since. */
export const ROLLING_WINDOW_DAYS = 365
/** Day buckets are kept this many days behind the newest one (one more than the window needs), then dropped. */
export const GROWTH_DAYS_KEPT = 366

/** The signed change to each balance; one points-ledger entry records exactly this. */
export interface PointsDelta {
  available: number
  pending: number
  debt: number
  expired: number
}

export interface Change {
  balances: Balances
  points: PointsDelta
  growth: number
  /** points the brand absorbed instead of recording debt (refund shortfall under the 'absorb' policy) */
  absorbed: number
  /** points that went to repay debt instead of becoming available */
  debtRepaid: number
}

export class InsufficientPointsError extends Error {
  constructor(
    readonly requested: number,
    readonly available: number,
  ) {
    super(`${requested} points requested but only ${available} available`)
    this.name = 'InsufficientPointsError'
  }
}

export const EMPTY_BALANCES: Balances = { available: 0, pending: 0, debt: 0, expired: 0, lots: [], growth: 0, growthByMonth: [] }

const NO_DELTA: PointsDelta = { available: 0, pending: 0, debt: 0, expired: 0 }

/**
 * The most any balance (available, pending, debt, expired points; growth) may hold: up to here every whole number
 * is exact in a double. A change that would go past it is refused (BalanceLimitError), never rounded.
 */
export const MAX_BALANCE = Number.MAX_SAFE_INTEGER

/** A change would take a balance past MAX_BALANCE. */
export class BalanceLimitError extends RangeError {
  constructor(readonly field: string) {
    super(`this change would take ${field} past the maximum of ${MAX_BALANCE} (Number.MAX_SAFE_INTEGER); nothing was changed`)
    this.name = 'BalanceLimitError'
  }
}

function assertWithinLimits(after: Balances): void {
  for (const field of ['available', 'pending', 'debt', 'expired', 'growth'] as const) {
    if (after[field] > MAX_BALANCE) throw new BalanceLimitError(field === 'growth' ? 'growth' : `${field} points`)
  }
}

function change(before: Balances, after: Balances, extra: Partial<Change> = {}): Change {
  assertWithinLimits(after)
  return {
    balances: after,
    points: {
      available: after.available - before.available,
      pending: after.pending - before.pending,
      debt: after.debt - before.debt,
      expired: after.expired - before.expired,
    },
    growth: after.growth - before.growth,
    absorbed: 0,
    debtRepaid: 0,
    ...extra,
  }
}

function assertWhole(n: number, what: string) {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${n}`)
}

/** When points that become available at `at` expire under the policy. */
export function lotExpiry(at: Date, policy: Pick<LoyaltyPolicy, 'expiry'>): number | null {
  switch (policy.expiry.kind) {
    case 'never':
      return null
    case 'days':
      return addDays(at, policy.expiry.days).getTime()
    case 'end-of-next-year':
      return startOfShanghaiYear(shanghaiYear(at) + 2).getTime()
  }
}

function sortLots(lots: Lot[]): Lot[] {
  return [...lots].sort((a, b) => (a.expiresAt ?? Infinity) - (b.expiresAt ?? Infinity) || a.earnedAt - b.earnedAt)
}

/** Adds points to a lot (merging with a lot of the same expiry). */
function addLot(lots: Lot[], points: number, at: Date, expiresAt: number | null): Lot[] {
  if (points === 0) return lots
  const same = lots.find((l) => l.expiresAt === expiresAt)
  if (same) return lots.map((l) => (l === same ? { ...l, remaining: l.remaining + points } : l))
  return sortLots([...lots, { earnedAt: at.getTime(), expiresAt, remaining: points }])
}

/** Takes points from the lots that expire first. */
function takeFromLots(lots: Lot[], points: number): Lot[] {
  let left = points
  const out: Lot[] = []
  for (const lot of lots) {
    const take = Math.min(left, lot.remaining)
    left -= take
    if (lot.remaining - take > 0) out.push({ ...lot, remaining: lot.remaining - take })
  }
  if (left > 0) throw new InsufficientPointsError(points, points - left)
  return out
}

/** A change that changes nothing: the ledger then decides the tier alone (an upgrade, or at a review). */
export function unchanged(b: Balances): Change {
  return change(b, b)
}

/** Purchase points waiting for the return window to close. */
export function earnPending(b: Balances, points: number): Change {
  assertWhole(points, 'points')
  return change(b, { ...b, pending: b.pending + points })
}

/** Pending points a refund cancels. */
export function cancelPending(b: Balances, points: number): Change {
  assertWhole(points, 'points')
  if (points > b.pending) throw new RangeError(`cannot cancel ${points} pending points, only ${b.pending} pending`)
  return change(b, { ...b, pending: b.pending - points })
}

/** Points become available (repaying debt first): from pending when `fromPending`, otherwise granted directly. */
export function credit(b: Balances, points: number, at: Date, policy: Pick<LoyaltyPolicy, 'expiry'>, fromPending = false): Change {
  assertWhole(points, 'points')
  if (fromPending && points > b.pending) throw new RangeError(`cannot confirm ${points} points, only ${b.pending} pending`)
  const debtRepaid = Math.min(points, b.debt)
  const credited = points - debtRepaid
  const after: Balances = {
    ...b,
    pending: fromPending ? b.pending - points : b.pending,
    debt: b.debt - debtRepaid,
    available: b.available + credited,
    lots: addLot(b.lots, credited, at, lotExpiry(at, policy)),
  }
  return change(b, after, { debtRepaid })
}

/**
 * Takes available points, the soonest-expiring first. A spend must be covered; a reversal (refund of points already
 * spent) takes what is there and the shortfall becomes debt, or is absorbed by the brand.
 */
export function debit(b: Balances, points: number, mode: 'spend' | 'reverse', policy: Pick<LoyaltyPolicy, 'refundShortfall'>): Change {
  assertWhole(points, 'points')
  if (mode === 'spend' && points > b.available) throw new InsufficientPointsError(points, b.available)
  const taken = Math.min(points, b.available)
  const shortfall = points - taken
  const toDebt = policy.refundShortfall === 'debt' ? shortfall : 0
  const after: Balances = { ...b, available: b.available - taken, lots: takeFromLots(b.lots, taken), debt: b.debt + toDebt }
  return change(b, after, { absorbed: shortfall - toDebt })
}

/** Lots whose expiry has come: their remaining points leave `available` for `expired`. */
export function expireDue(b: Balances, now: Date): Change {
  const due = b.lots.filter((l) => l.expiresAt !== null && l.expiresAt <= now.getTime())
  const points = due.reduce((sum, l) => sum + l.remaining, 0)
  if (points === 0) return change(b, b)
  const after: Balances = { ...b, available: b.available - points, expired: b.expired + points, lots: b.lots.filter((l) => !due.includes(l)) }
  return change(b, after)
}

/**
 * Growth value up (purchase, adjustment) or down (refund, adjustment); never below 0. `at` is when the growth counts
 * (or, for a reversal, when the growth it reverses was counted): the change lands in that Shanghai day's bucket, so
 * a refund takes growth back from the day it was earned, and a reversal of growth already older than the buckets
 * kept changes only the total.
 */
export function addGrowth(b: Balances, delta: number, at: Date): Change {
  if (!Number.isInteger(delta)) throw new RangeError(`growth must be whole, got ${delta}`)
  if (b.growth + delta < 0) throw new RangeError(`growth would go below 0 (${b.growth} ${delta})`)
  return change(b, { ...b, growth: b.growth + delta, growthByMonth: addToBuckets(b.growthByMonth, delta, at) })
}

/**
 * The buckets with `delta` added to the day of `at`, sorted, without buckets too old to count again (more than
 * GROWTH_DAYS_KEPT days before the newest). A bucket a reversal brings to 0 stays until it ages out: it keeps the
 * newest day where it was, so an old reversal cannot bring back a bucket already out of every window.
 */
export function addToBuckets(buckets: readonly GrowthBucket[], delta: number, at: Date): GrowthBucket[] {
  const day = shanghaiDate(at)
  const merged = buckets.some((g) => g.month === day)
    ? buckets.map((g) => (g.month === day ? { month: g.month, value: g.value + delta } : g))
    : [...buckets, { month: day, value: delta }]
  const newest = Math.max(...merged.map((g) => bucketDay(g.month, Infinity)))
  return merged
    .filter((g) => bucketDay(g.month, Infinity) >= newest - GROWTH_DAYS_KEPT)
    .sort((x, y) => x.month.localeCompare(y.month))
}

/**
 * The day number a bucket counts as on the evaluation day `today`: a day bucket is its day; a month bucket (from
 * before day buckets) counts as earned on the month's last day — the latest it can have been earned, so it never
 * leaves the window early (it stays in at most a month too long) — or today, for the month still running.
 */
export function bucketDay(key: string, today: number): number {
  if (key.length !== 7) return dayNumberOf(key)
  const last = lastDayNumberOfMonth(key)
  return dayNumberOf(`${key}-01`) > today ? last : Math.min(last, today)
}

/**
 * Growth of the rolling window at `now`: the buckets of the Shanghai day 365 days before `now`'s Shanghai day, and of
 * every day since, up to and including `now`'s day (growth dated after `now` does not count yet). Evaluated on
 * 2027-03-10 (Shanghai), growth of 2026-03-10 counts and growth of 2026-03-09 does not. Never below 0.
 */
export function rollingGrowth(b: Pick<Balances, 'growthByMonth'>, now: Date): number {
  const today = shanghaiDayNumber(now)
  const first = today - ROLLING_WINDOW_DAYS
  let sum = 0
  for (const g of b.growthByMonth) {
    const day = bucketDay(g.month, today)
    if (day >= first && day <= today) sum += g.value
  }
  return Math.max(0, sum)
}

/** Applies several changes in order and sums their deltas into one. */
export function combine(b: Balances, ...steps: ((b: Balances) => Change)[]): Change {
  let current = b
  const total: Change = { balances: b, points: { ...NO_DELTA }, growth: 0, absorbed: 0, debtRepaid: 0 }
  for (const step of steps) {
    const c = step(current)
    current = c.balances
    total.points.available += c.points.available
    total.points.pending += c.points.pending
    total.points.debt += c.points.debt
    total.points.expired += c.points.expired
    total.growth += c.growth
    total.absorbed += c.absorbed
    total.debtRepaid += c.debtRepaid
  }
  total.balances = current
  return total
}

/** A member's balances in another system, carried over as they were (a migration's opening entry). */
export interface OpeningBalances {
  /** available points, lot by lot, each with its own expiry (epoch ms; null = never) */
  lots: { points: number; expiresAt: number | null }[]
  growth: number
  /** the growth the rolling window counts, by Shanghai day (YYYY-MM-DD); at most `growth` in all */
  growthByDay: { day: string; value: number }[]
}

/**
 * The opening entry of a migration: the lots join the member's (merged by expiry), the growth total grows by
 * `growth`, and the days of `growthByDay` join the rolling buckets. Growth not placed on a day counts in the total
 * only — never in the rolling window, where nobody can say when it was earned. Nothing else changes.
 */
export function openBalances(b: Balances, opening: OpeningBalances, at: Date): Change {
  let lots = b.lots
  let available = b.available
  for (const lot of opening.lots) {
    assertWhole(lot.points, 'points')
    lots = addLot(lots, lot.points, at, lot.expiresAt)
    available += lot.points
  }
  assertWhole(opening.growth, 'growth')
  const placed = opening.growthByDay.reduce((sum, d) => sum + d.value, 0)
  if (placed > opening.growth) throw new RangeError(`growth by day (${placed}) exceeds the growth carried over (${opening.growth})`)
  let buckets = b.growthByMonth
  for (const d of opening.growthByDay) {
    assertWhole(d.value, 'growth')
    if (d.value > 0) buckets = addToBuckets(buckets, d.value, startOfShanghaiDayNumber(dayNumberOf(d.day)))
  }
  return change(b, { ...b, available, lots, growth: b.growth + opening.growth, growthByMonth: buckets })
}
