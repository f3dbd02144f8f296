/**
 * The loyalty program's rules an operator can change (DESIGN.md §2). Every number is a default.
 */
export type ExpiryPolicy =
  | { kind: 'end-of-next-year' } // points earned in year Y expire at the end of Y+1
  | { kind: 'days'; days: number } // N days after they are earned
  | { kind: 'never' }

export type TierPolicy =
  | { kind: 'lifetime' } // all growth ever earned counts
  | { kind: 'rolling-12-months' } // growth of the last 12 months; upgrades at once, downgrades at the annual review

export interface LoyaltyPolicy {
  /** points per whole yuan paid, before the tier and member-day multipliers */
  pointsPerYuan: number
  /**
   * how multipliers combine: the tier's × the member day's × (later) a campaign's, and the product is capped at
   * this (default 3×)
   */
  multiplierCap: number
  /** growth value per whole yuan paid */
  growthPerYuan: number
  /** purchase points stay pending this many days after delivery (channels without their own window: online orders) */
  returnWindowDays: number
  /**
   * the return window of a sales channel (order.paid `channel`), in days after delivery or, without one, after
   * payment; 0: the sale is final at once (points available and growth counted at payment) — a counter sale in a store
   */
  returnWindows: Record<string, number>
  /** …or this many days after payment when no delivery is reported */
  maxPendingDays: number
  /** when a purchase's growth counts: when its points confirm, or at payment */
  growthCountsAt: 'confirm' | 'payment'
  /** activity points (reviews, birthday, campaigns, goodwill) also add as much growth (the brand's plan counts them) */
  activityAddsGrowth: boolean
  /** a refund of points already spent: the shortfall becomes debt later earnings repay, or the brand absorbs it */
  refundShortfall: 'debt' | 'absorb'
  expiry: ExpiryPolicy
  /** a points.expiring event this many days before a lot expires */
  expiryReminderDays: number
  tiers: TierPolicy
}

export const DEFAULT_LOYALTY_POLICY: LoyaltyPolicy = {
  pointsPerYuan: 1,
  multiplierCap: 3,
  growthPerYuan: 1,
  returnWindowDays: 7,
  returnWindows: { store: 0 },
  maxPendingDays: 15,
  growthCountsAt: 'confirm',
  activityAddsGrowth: true,
  refundShortfall: 'debt',
  expiry: { kind: 'end-of-next-year' },
  expiryReminderDays: 30,
  tiers: { kind: 'lifetime' },
}

/** The return window of an order's channel in days, or null when the channel has none of its own. */
export function channelReturnWindow(policy: Pick<LoyaltyPolicy, 'returnWindows'>, channel: string | null | undefined): number | null {
  const windows = policy.returnWindows ?? {}
  return channel && Object.prototype.hasOwnProperty.call(windows, channel) && typeof windows[channel] === 'number' ? windows[channel]! : null
}
