import { tierForGrowth, type TierDefinition } from '../tiers.js'
import { rollingGrowth, type Balances } from './balances.js'
import type { LoyaltyPolicy } from './policy.js'

export interface TierDecision {
  level: number
  reason: 'upgrade' | 'downgrade' | 'review' | 'unchanged'
}

/** The growth that counts for tiers under the policy. */
export function tierGrowth(b: Balances, policy: Pick<LoyaltyPolicy, 'tiers'>, now: Date): number {
  return policy.tiers.kind === 'lifetime' ? b.growth : rollingGrowth(b, now)
}

/**
 * The tier after a growth change. Lifetime: the tier the total reaches, up or down (a refund can take it back).
 * Rolling 12 months: upgrades at once; a downgrade waits for the annual review (`atReview`).
 */
export function decideTier(
  currentLevel: number,
  b: Balances,
  tiers: readonly TierDefinition[],
  policy: Pick<LoyaltyPolicy, 'tiers'>,
  now: Date,
  atReview = false,
): TierDecision {
  const reached = tierForGrowth(tiers, tierGrowth(b, policy, now)).level
  if (reached > currentLevel) return { level: reached, reason: 'upgrade' }
  if (reached < currentLevel && (policy.tiers.kind === 'lifetime' || atReview)) {
    return { level: reached, reason: atReview ? 'review' : 'downgrade' }
  }
  return { level: currentLevel, reason: 'unchanged' }
}
