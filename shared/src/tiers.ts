/**
 * Tier rules (pure, no I/O): which tier a growth value reaches and how far it is to the next one.
 * DESIGN.md §2: tiers follow growth value against ascending thresholds.
 */
export interface TierDefinition {
  /** 1 for the entry tier, ascending */
  level: number
  code: string
  name: string
  /** the lowest growth value that reaches this tier */
  threshold: number
  /** points earned per whole yuan are multiplied by this */
  pointsMultiplier: number
}

/** The default six-tier table from the brief (a jewelry brand): 0 / 8,001 / 80,001 / 180,001 / 580,001 / 980,001. */
export const DEFAULT_TIERS: readonly TierDefinition[] = [
  { level: 1, code: 'silver', name: '银卡会员', threshold: 0, pointsMultiplier: 1 },
  { level: 2, code: 'gold', name: '金卡会员', threshold: 8_001, pointsMultiplier: 1.2 },
  { level: 3, code: 'platinum', name: '铂金会员', threshold: 80_001, pointsMultiplier: 1.5 },
  { level: 4, code: 'diamond', name: '钻石会员', threshold: 180_001, pointsMultiplier: 1.8 },
  { level: 5, code: 'black-diamond', name: '黑钻会员', threshold: 580_001, pointsMultiplier: 2 },
  { level: 6, code: 'crown', name: '皇冠会员', threshold: 980_001, pointsMultiplier: 2.5 },
]

export interface TierProgress {
  current: TierDefinition
  next: TierDefinition | null
  /** growth still needed to reach `next`; 0 at the top tier */
  toNext: number
  /** share of the way from this tier's threshold to the next one's, 0 ≤ progress ≤ 1; 1 at the top tier */
  progress: number
}

/** Sorts and checks a tier table: ascending levels and thresholds, the first tier at growth 0. */
export function sortTiers(tiers: readonly TierDefinition[]): TierDefinition[] {
  if (tiers.length === 0) throw new Error('a tier table needs at least one tier')
  const sorted = [...tiers].sort((a, b) => a.threshold - b.threshold)
  if (sorted[0]!.threshold !== 0) throw new Error('the first tier must start at growth 0')
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.threshold === sorted[i - 1]!.threshold) throw new Error('tier thresholds must differ')
    if (sorted[i]!.level <= sorted[i - 1]!.level) throw new Error('tier levels must ascend with thresholds')
  }
  return sorted
}

/** The highest tier whose threshold the growth value reaches. */
export function tierForGrowth(tiers: readonly TierDefinition[], growth: number): TierDefinition {
  const sorted = sortTiers(tiers)
  let current = sorted[0]!
  for (const tier of sorted) if (growth >= tier.threshold) current = tier
  return current
}

export function tierProgress(tiers: readonly TierDefinition[], growth: number): TierProgress {
  const sorted = sortTiers(tiers)
  const current = tierForGrowth(sorted, growth)
  const next = sorted.find((t) => t.threshold > current.threshold) ?? null
  if (!next) return { current, next: null, toNext: 0, progress: 1 }
  const span = next.threshold - current.threshold
  const done = Math.max(0, growth - current.threshold)
  return { current, next, toNext: next.threshold - Math.max(growth, current.threshold), progress: Math.min(1, done / span) }
}
