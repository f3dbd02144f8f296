import { nextTier, tierAtLevel, tierForGrowth, type TierDefinition } from '../tiers.js'
import { rollingGrowth, ROLLING_WINDOW_DAYS, type Balances } from './balances.js'
import type { LoyaltyPolicy } from './policy.js'
import { startOfNextShanghaiDay } from './time.js'

export interface TierDecision {
  level: number
  reason: 'upgrade' | 'downgrade' | 'review' | 'unchanged'
}

/**
 * The tier part of the active policy: lifetime or rolling, and the hold a switch from rolling to lifetime leaves
 * (`tierHoldUntil`, ISO date-time): until then nobody loses a tier under the lifetime policy except at a review —
 * members upgraded under the rolling policy were promised a review, and keep that promise for a year.
 */
export type TierRules = Pick<LoyaltyPolicy, 'tiers'> & { tierHoldUntil?: string | null }

/** The growth that counts for tiers under the policy: the lifetime total, or the rolling window's sum at `now`. */
export function tierGrowth(b: Pick<Balances, 'growth' | 'growthByMonth'>, policy: Pick<LoyaltyPolicy, 'tiers'>, now: Date): number {
  return policy.tiers.kind === 'lifetime' ? b.growth : rollingGrowth(b, now)
}

/**
 * Until when a member holding `level` cannot lose it under the lifetime policy (outside the review at its end): the
 * latest of the policy's hold (a switch from rolling), the tier's own (an edit that raised its threshold) and the
 * member's own (a tier carried over by a migration, kept until its review); null when none runs at `now`.
 */
export function tierHoldEnd(level: number, tiers: readonly TierDefinition[], policy: TierRules, now: Date, memberHoldUntil?: Date | null): Date | null {
  const ends = [policy.tierHoldUntil, tiers.find((t) => t.level === level)?.holdUntil, memberHoldUntil?.toISOString()]
    .filter((d): d is string => typeof d === 'string')
    .map((d) => new Date(d))
    .filter((d) => d.getTime() > now.getTime())
  return ends.length === 0 ? null : new Date(Math.max(...ends.map((d) => d.getTime())))
}

/**
 * The tier after a growth change (or at a review), from the tier the member holds:
 * - upgrades at once, under either policy, when the growth the policy counts reaches a higher tier;
 * - lifetime: down with the total (a refund takes back the tier it gave) — except while the held tier is on hold
 *   (tierHoldEnd: after a table edit that raised its threshold, or a switch from rolling): then only at the review
 *   that ends the hold;
 * - rolling: down only at the member's review (`atReview`), to what the window reaches then.
 */
export function decideTier(
  currentLevel: number,
  b: Pick<Balances, 'growth' | 'growthByMonth'>,
  tiers: readonly TierDefinition[],
  policy: TierRules,
  now: Date,
  atReview = false,
  memberHoldUntil: Date | null = null,
): TierDecision {
  const reached = tierForGrowth(tiers, tierGrowth(b, policy, now)).level
  if (reached > currentLevel) return { level: reached, reason: 'upgrade' }
  if (reached < currentLevel) {
    const held = policy.tiers.kind === 'lifetime' && tierHoldEnd(currentLevel, tiers, policy, now, memberHoldUntil) !== null
    if (atReview && !held) return { level: reached, reason: 'review' }
    if (policy.tiers.kind === 'lifetime' && !held) return { level: reached, reason: 'downgrade' }
  }
  return { level: currentLevel, reason: 'unchanged' }
}

/** The daily sweep runs at 00:05 Shanghai: a review due at `reviewAt` runs at the first such moment from then on. */
export function reviewRunsAt(reviewAt: Date, now: Date): Date {
  const midnight = startOfNextShanghaiDay(new Date(reviewAt.getTime() - 5 * 60_000 - 1))
  const runs = new Date(midnight.getTime() + 5 * 60_000)
  return runs.getTime() < now.getTime() ? now : runs
}

/** A member's tier as the card shows it. */
export interface TierStanding {
  /** the tier the member holds (member.tierLevel), never one worked out from growth */
  held: TierDefinition
  next: TierDefinition | null
  /** the growth the policy counts now: the lifetime total, or the rolling window's sum */
  counted: number
  total: number
  /** growth still needed for `next` (0 at the top, or when an upgrade is under way) */
  toNext: number
  /** from the held tier's threshold to the next one's, 0–1; 1 at the top */
  progress: number
  /** when the held tier is next reviewed, and how much more growth keeps it then; null when it cannot be lost */
  review: { at: Date; toKeep: number } | null
}

/**
 * The card's tier, from the member's held tier and the growth the policy counts:
 * - rolling: the review is the member's review date (the first daily sweep from it); `toKeep` is what the held tier
 *   needs beyond the growth that will still be inside the window on that day;
 * - lifetime: a review only while the held tier is on hold (a table edit, a policy switch, a migrated tier) and the
 *   total no longer reaches it (at the hold's end).
 */
export function tierStanding(
  member: { tierLevel: number; tierReviewAt: Date | null; tierHeldUntil?: Date | null; balances: Pick<Balances, 'growth' | 'growthByMonth'> },
  tiers: readonly TierDefinition[],
  policy: TierRules,
  now: Date,
): TierStanding {
  const held = tierAtLevel(tiers, member.tierLevel)
  const next = nextTier(tiers, held.level)
  const counted = tierGrowth(member.balances, policy, now)
  const total = member.balances.growth
  const toNext = next ? Math.max(0, next.threshold - counted) : 0
  const progress = next ? Math.min(1, Math.max(0, (counted - held.threshold) / (next.threshold - held.threshold))) : 1
  let review: TierStanding['review'] = null
  if (held.threshold > 0) {
    if (policy.tiers.kind === 'rolling-12-months' && member.tierReviewAt) {
      const at = reviewRunsAt(member.tierReviewAt, now)
      review = { at, toKeep: Math.max(0, held.threshold - rollingGrowth(member.balances, at)) }
    } else if (policy.tiers.kind === 'lifetime') {
      const end = tierHoldEnd(held.level, tiers, policy, now, member.tierHeldUntil)
      if (end && total < held.threshold) review = { at: end, toKeep: held.threshold - total }
    }
  }
  return { held, next, counted, total, toNext, progress, review }
}

/**
 * What the tiers page explains, from the active policy (never written into the page, so it cannot disagree with it):
 * how growth and points are earned and when they count, and how tiers go up and down.
 */
export interface TierPolicyFacts {
  growth: {
    perYuan: number
    /** when a purchase's growth counts: when its points confirm (the return window closed), or at payment */
    countsAt: 'confirm' | 'payment'
    /** lifetime: all growth ever; rolling: the days of the window before the moment of evaluation */
    window: 'lifetime' | 'rolling'
    windowDays: number | null
  }
  points: {
    perYuan: number
    /** purchase points are pending this many days after delivery (online orders: channels without their own window) … */
    returnWindowDays: number
    /** … or this many after payment when no delivery is reported */
    maxPendingDays: number
    /** channels with their own window, by name: days after delivery or else payment; 0: final at payment (a store's counter sale) */
    channelWindows: { channel: string; days: number }[]
    expiry: { kind: 'end-of-next-year' | 'days' | 'never'; days: number | null }
  }
  reviews: {
    /** none: the lifetime policy (a tier follows the total); annual: rolling, a review a year after the tier was reached */
    kind: 'none' | 'annual'
    /** lifetime: until then no tier is lost except at the review that ends the hold (null when none runs) */
    holdUntil: Date | null
  }
}

export function tierPolicyFacts(policy: LoyaltyPolicy & TierRules, tiers: readonly TierDefinition[], now: Date): TierPolicyFacts {
  const rolling = policy.tiers.kind === 'rolling-12-months'
  const holds = rolling ? [] : tiers.map((t) => tierHoldEnd(t.level, tiers, policy, now)).filter((d): d is Date => d !== null)
  return {
    growth: {
      perYuan: policy.growthPerYuan,
      countsAt: policy.growthCountsAt,
      window: rolling ? 'rolling' : 'lifetime',
      windowDays: rolling ? ROLLING_WINDOW_DAYS : null,
    },
    points: {
      perYuan: policy.pointsPerYuan,
      returnWindowDays: policy.returnWindowDays,
      maxPendingDays: policy.maxPendingDays,
      channelWindows: Object.entries(policy.returnWindows ?? {})
        .map(([channel, days]) => ({ channel, days }))
        .sort((a, b) => (a.channel < b.channel ? -1 : a.channel > b.channel ? 1 : 0)),
      expiry: { kind: policy.expiry.kind, days: policy.expiry.kind === 'days' ? policy.expiry.days : null },
    },
    reviews: {
      kind: rolling ? 'annual' : 'none',
      holdUntil: holds.length === 0 ? null : new Date(Math.max(...holds.map((d) => d.getTime()))),
    },
  }
}
