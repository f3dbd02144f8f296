/**
 * Tier rules (pure, no I/O): which tier a growth value reaches, how far it is to the next one, and what each tier
 * gives (its benefits, 会员权益). DESIGN.md §2: tiers follow growth value against ascending thresholds; each tier
 * lists its benefits, shown on the card and the tiers page and told in the upgrade message.
 */

/** One benefit of a tier, as an operator writes it: a title, a short description, an optional icon key. */
export interface TierBenefit {
  title: string
  description: string
  /** a key the client maps to its own glyph (cleaning, engraving, …); null or absent for none */
  icon?: string | null
}

export interface TierDefinition {
  /** 1 for the entry tier, ascending */
  level: number
  code: string
  name: string
  /** the lowest growth value that reaches this tier */
  threshold: number
  /** points earned per whole yuan are multiplied by this */
  pointsMultiplier: number
  /** what the tier gives, most important first (the card shows the first few) */
  benefits?: TierBenefit[]
  /**
   * Set when an edit of the tier table raised this tier's threshold (ISO date-time): until then nobody who holds the
   * tier loses it except at a review (loyalty/tiers.ts decideTier). Null or absent: no hold.
   */
  holdUntil?: string | null
}

/** Benefits several tiers share word for word. */
const BIRTHDAY_GIFT = { title: '生日礼遇', description: '生日当月领取一张生日礼券', icon: 'gift' }
const BIRTHDAY_DOUBLE_POINTS = { title: '生日双倍积分', description: '生日当月购物积分翻倍', icon: 'birthday' }
const ENGRAVING_RINGS = { title: '免费刻字', description: '戒指、手镯内圈刻字不限次数', icon: 'engraving' }
const RESIZING_FOR_LIFE = { title: '戒圈调整', description: '终身免费调整戒圈', icon: 'resizing' }
const SENIOR_ADVISOR = { title: '专属顾问', description: '资深珠宝顾问一对一服务，可预约上门', icon: 'advisor' }
const PRIORITY_NO_DESIGN_FEE = { title: '优先预约与定制', description: '定制订单优先排期，免设计费', icon: 'priority' }
const TRADE_IN_NO_FEE = { title: '以旧换新', description: '黄金、铂金、钻石按当日价以旧换新，免折旧费', icon: 'trade-in' }
const CLEANING_WITH_SHIPPING = { title: '免费清洗保养', description: '不限次数，保养寄修免费顺丰往返', icon: 'cleaning' }
const ENGRAVING_ANY = { title: '免费刻字', description: '刻字不限次数', icon: 'engraving' }

/**
 * The brand's default table (the brief's jewelry brand): six tiers at 0 / 8,001 / 80,001 / 180,001 / 580,001 /
 * 980,001 growth, codes S1–S6 as in the brand's own table, and benefits that grow with the tier.
 */
export const DEFAULT_TIERS: readonly TierDefinition[] = [
  {
    level: 1,
    code: 'S1',
    name: '银卡会员',
    threshold: 0,
    pointsMultiplier: 1,
    benefits: [
      { title: '免费清洗保养', description: '全国门店首饰免费超声波清洗，随到随洗', icon: 'cleaning' },
      { title: '会员专享价', description: '会员价商品下单即享会员价', icon: 'price' },
      BIRTHDAY_GIFT,
    ],
  },
  {
    level: 2,
    code: 'S2',
    name: '金卡会员',
    threshold: 8_001,
    pointsMultiplier: 1.2,
    benefits: [
      { title: '免费清洗保养', description: '每年 2 次免费清洗、抛光与镶嵌检测', icon: 'cleaning' },
      { title: '免费刻字', description: '每年 1 次戒指、手镯内圈免费刻字', icon: 'engraving' },
      { title: '戒圈调整', description: '购买后 1 年内免费调整 1 次戒圈', icon: 'resizing' },
      BIRTHDAY_DOUBLE_POINTS,
      BIRTHDAY_GIFT,
      { title: '会员专享价', description: '会员价商品再享 98 折', icon: 'price' },
    ],
  },
  {
    level: 3,
    code: 'S3',
    name: '铂金会员',
    threshold: 80_001,
    pointsMultiplier: 1.5,
    benefits: [
      { title: '以旧换新', description: '黄金、铂金按当日金价以旧换新，折旧费减半', icon: 'trade-in' },
      { title: '免费清洗保养', description: '每年 4 次免费清洗、抛光、电镀与镶嵌检测', icon: 'cleaning' },
      ENGRAVING_RINGS,
      { title: '戒圈调整', description: '购买后 3 年内免费调整戒圈', icon: 'resizing' },
      BIRTHDAY_DOUBLE_POINTS,
      BIRTHDAY_GIFT,
      { title: '会员专享价', description: '正价商品享 95 折', icon: 'price' },
    ],
  },
  {
    level: 4,
    code: 'S4',
    name: '钻石会员',
    threshold: 180_001,
    pointsMultiplier: 1.8,
    benefits: [
      { title: '专属顾问', description: '一对一珠宝顾问，选款、保养、售后一人跟进', icon: 'advisor' },
      { title: '优先预约与定制', description: '门店服务优先预约，定制订单优先排期', icon: 'priority' },
      { title: '以旧换新', description: '黄金、铂金按当日金价以旧换新，免折旧费', icon: 'trade-in' },
      { title: '免费清洗保养', description: '清洗、抛光、电镀与镶嵌检测不限次数', icon: 'cleaning' },
      ENGRAVING_RINGS,
      RESIZING_FOR_LIFE,
      BIRTHDAY_DOUBLE_POINTS,
      BIRTHDAY_GIFT,
      { title: '会员专享价', description: '正价商品享 92 折', icon: 'price' },
    ],
  },
  {
    level: 5,
    code: 'S5',
    name: '黑钻会员',
    threshold: 580_001,
    pointsMultiplier: 2,
    benefits: [
      { title: 'VIP 活动', description: '受邀参加新品预览会与品牌私享会', icon: 'events' },
      SENIOR_ADVISOR,
      PRIORITY_NO_DESIGN_FEE,
      TRADE_IN_NO_FEE,
      CLEANING_WITH_SHIPPING,
      ENGRAVING_ANY,
      RESIZING_FOR_LIFE,
      BIRTHDAY_DOUBLE_POINTS,
      BIRTHDAY_GIFT,
      { title: '会员专享价', description: '正价商品享 9 折', icon: 'price' },
    ],
  },
  {
    level: 6,
    code: 'S6',
    name: '皇冠会员',
    threshold: 980_001,
    pointsMultiplier: 2.5,
    benefits: [
      { title: '高级定制', description: '设计师一对一高级定制，优先选石', icon: 'custom' },
      { title: 'VIP 活动', description: '年度品牌盛典与私享会，可携一位同伴', icon: 'events' },
      SENIOR_ADVISOR,
      PRIORITY_NO_DESIGN_FEE,
      TRADE_IN_NO_FEE,
      CLEANING_WITH_SHIPPING,
      ENGRAVING_ANY,
      RESIZING_FOR_LIFE,
      BIRTHDAY_DOUBLE_POINTS,
      BIRTHDAY_GIFT,
      { title: '会员专享价', description: '正价商品享 88 折', icon: 'price' },
    ],
  },
]

/**
 * The table the server wrote on first start before tiers had benefits (codes silver … crown). A database still
 * holding exactly this table, untouched by an operator, is brought to DEFAULT_TIERS (same thresholds and names).
 */
export const FIRST_DEFAULT_TIERS: readonly TierDefinition[] = [
  { level: 1, code: 'silver', name: '银卡会员', threshold: 0, pointsMultiplier: 1 },
  { level: 2, code: 'gold', name: '金卡会员', threshold: 8_001, pointsMultiplier: 1.2 },
  { level: 3, code: 'platinum', name: '铂金会员', threshold: 80_001, pointsMultiplier: 1.5 },
  { level: 4, code: 'diamond', name: '钻石会员', threshold: 180_001, pointsMultiplier: 1.8 },
  { level: 5, code: 'black-diamond', name: '黑钻会员', threshold: 580_001, pointsMultiplier: 2 },
  { level: 6, code: 'crown', name: '皇冠会员', threshold: 980_001, pointsMultiplier: 2.5 },
]

/** How many tiers a table may have. */
export const MAX_TIERS = 10
/** How many benefits a tier may list. */
export const MAX_TIER_BENEFITS = 12

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

/**
 * What is wrong with a table an operator sends, in the order given (the first is level 1), or null when nothing is:
 * 1 to MAX_TIERS tiers, the first at growth 0, thresholds strictly ascending, codes and names unique, benefit
 * titles unique within a tier.
 */
export function tierTableProblem(tiers: readonly Pick<TierDefinition, 'code' | 'name' | 'threshold' | 'benefits'>[]): string | null {
  if (tiers.length < 1 || tiers.length > MAX_TIERS) return `a tier table has 1 to ${MAX_TIERS} tiers, not ${tiers.length}`
  if (tiers[0]!.threshold !== 0) return `tiers.0.threshold: the first tier starts at growth 0, not ${tiers[0]!.threshold}`
  for (let i = 1; i < tiers.length; i++) {
    if (tiers[i]!.threshold <= tiers[i - 1]!.threshold) {
      return `tiers.${i}.threshold: thresholds ascend from tier to tier (${tiers[i]!.threshold} is not above ${tiers[i - 1]!.threshold})`
    }
  }
  for (const field of ['code', 'name'] as const) {
    const seen = new Map<string, number>()
    for (const [i, tier] of tiers.entries()) {
      const key = field === 'code' ? tier.code.toLowerCase() : tier.name
      if (seen.has(key)) return `tiers.${i}.${field}: "${tier[field]}" is already tier ${seen.get(key)}'s ${field}`
      seen.set(key, i)
    }
  }
  for (const [i, tier] of tiers.entries()) {
    const titles = new Set<string>()
    for (const [j, benefit] of (tier.benefits ?? []).entries()) {
      if (titles.has(benefit.title)) return `tiers.${i}.benefits.${j}.title: "${benefit.title}" is listed twice`
      titles.add(benefit.title)
    }
  }
  return null
}

/** The highest tier whose threshold the growth value reaches. */
export function tierForGrowth(tiers: readonly TierDefinition[], growth: number): TierDefinition {
  const sorted = sortTiers(tiers)
  let current = sorted[0]!
  for (const tier of sorted) if (growth >= tier.threshold) current = tier
  return current
}

/**
 * The tier at a level a member holds. A level the table no longer has (the collection edited by hand) reads as the
 * highest tier below it, so a card always has a tier to show.
 */
export function tierAtLevel(tiers: readonly TierDefinition[], level: number): TierDefinition {
  const sorted = sortTiers(tiers)
  let found = sorted[0]!
  for (const tier of sorted) if (tier.level <= level) found = tier
  return found
}

/** The tier after this one in the table, or null at the top. */
export function nextTier(tiers: readonly TierDefinition[], level: number): TierDefinition | null {
  return sortTiers(tiers).find((t) => t.level > level) ?? null
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

/** A benefit as the API shows it: every field present. */
export function benefitView(b: TierBenefit): { title: string; description: string; icon: string | null } {
  return { title: b.title, description: b.description, icon: b.icon ?? null }
}

/** Whether a tier keeps every benefit (by title) of the tier below it; true for the entry tier. */
export function includesTierBelow(tiers: readonly TierDefinition[], level: number): boolean {
  const sorted = sortTiers(tiers)
  const i = sorted.findIndex((t) => t.level === level)
  if (i <= 0) return true
  const titles = new Set((sorted[i]!.benefits ?? []).map((b) => b.title))
  return (sorted[i - 1]!.benefits ?? []).every((b) => titles.has(b.title))
}

/**
 * What a move from one tier to another adds: the benefits of the tier at `toLevel` that the tier at `fromLevel`
 * does not have — a new title, or a title it has with another description (清洗保养 twice a year → four times),
 * in the new tier's order. Nothing for a move down or no move.
 */
export function benefitsAdded(tiers: readonly TierDefinition[], fromLevel: number, toLevel: number): { title: string; description: string; icon: string | null }[] {
  if (toLevel <= fromLevel) return []
  const from = tierAtLevel(tiers, fromLevel)
  const to = tierAtLevel(tiers, toLevel)
  if (to.level <= from.level) return []
  const had = new Set((from.benefits ?? []).map((b) => `${b.title}\u0000${b.description}`))
  return (to.benefits ?? []).filter((b) => !had.has(`${b.title}\u0000${b.description}`)).map(benefitView)
}
