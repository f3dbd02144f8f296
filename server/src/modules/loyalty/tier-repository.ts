import { FIRST_DEFAULT_TIERS, sortTiers, type TierDefinition } from '@member-center/shared'
import { ignoreDuplicateKey } from '../../core/duplicate-key.js'
import type { LoyaltyModels } from './models/index.js'

/** The brand's tier table: one document per level, with its benefits and any hold an edit left. */
export class TierRepository {
  constructor(private readonly models: Pick<LoyaltyModels, 'Tier'>) {}

  /**
   * Inserts the given table when no tiers exist yet; an operator's own table is never overwritten. A table that is
   * still exactly the first default (codes silver … crown, no benefits: untouched since the first start) is brought
   * to the given one, which has the same thresholds.
   */
  async seedDefaults(tiers: readonly TierDefinition[]): Promise<void> {
    const existing = await this.list().catch(() => null)
    if (existing && existing.length > 0) {
      if (isFirstDefault(existing) && sameThresholds(existing, tiers)) await this.replace(sortTiers(tiers))
      return
    }
    if ((await this.models.Tier.countDocuments()) > 0) return
    await Promise.all(
      sortTiers(tiers).map((tier) =>
        this.models.Tier.updateOne({ level: tier.level }, { $setOnInsert: toDoc(tier) }, { upsert: true }).catch((error) => {
          // another process seeded the same level first
          ignoreDuplicateKey(error)
        }),
      ),
    )
  }

  async list(): Promise<TierDefinition[]> {
    const docs = await this.models.Tier.find({}, { _id: 0, level: 1, code: 1, name: 1, threshold: 1, pointsMultiplier: 1, benefits: 1, holdUntil: 1 })
      .sort({ level: 1 })
      .lean()
    return sortTiers(
      docs.map((d) => ({
        level: d.level,
        code: d.code,
        name: d.name,
        threshold: d.threshold,
        pointsMultiplier: d.pointsMultiplier,
        benefits: (d.benefits ?? []).map((b) => ({ title: b.title ?? '', description: b.description ?? '', icon: b.icon ?? null })),
        holdUntil: d.holdUntil ? new Date(d.holdUntil).toISOString() : null,
      })),
    )
  }

  /**
   * Writes a whole table (levels 1…n): each level's document in place, levels above n removed. Codes are unique, so
   * a code moving from one level to another is first parked under a temporary code.
   */
  async replace(tiers: readonly TierDefinition[]): Promise<void> {
    const current = await this.models.Tier.find({}, { level: 1, code: 1 }).lean()
    const levels = new Set(tiers.map((t) => t.level))
    await this.models.Tier.deleteMany({ level: { $nin: [...levels] } })
    const taken = new Map(current.filter((d) => levels.has(d.level)).map((d) => [d.code, d.level]))
    const parked = tiers.filter((t) => {
      const holder = taken.get(t.code)
      return holder !== undefined && holder !== t.level
    })
    const moving = new Set(parked.map((t) => t.code))
    const toPark = current.filter((d) => levels.has(d.level) && moving.has(d.code))
    if (toPark.length > 0) {
      await this.models.Tier.bulkWrite(toPark.map((d) => ({ updateOne: { filter: { level: d.level }, update: { $set: { code: `~${d.level}~${d.code}` } } } })))
    }
    await this.models.Tier.bulkWrite(
      tiers.map((tier) => ({ updateOne: { filter: { level: tier.level }, update: { $set: toDoc(tier) }, upsert: true } })),
      { ordered: true },
    )
  }
}

function toDoc(tier: TierDefinition) {
  return {
    level: tier.level,
    code: tier.code,
    name: tier.name,
    threshold: tier.threshold,
    pointsMultiplier: tier.pointsMultiplier,
    benefits: (tier.benefits ?? []).map((b) => ({ title: b.title, description: b.description, icon: b.icon ?? null })),
    holdUntil: tier.holdUntil ? new Date(tier.holdUntil) : null,
  }
}

function isFirstDefault(tiers: readonly TierDefinition[]): boolean {
  return (
    tiers.length === FIRST_DEFAULT_TIERS.length &&
    tiers.every((t, i) => {
      const d = FIRST_DEFAULT_TIERS[i]!
      return t.level === d.level && t.code === d.code && t.name === d.name && t.threshold === d.threshold && t.pointsMultiplier === d.pointsMultiplier && (t.benefits ?? []).length === 0 && !t.holdUntil
    })
  )
}

function sameThresholds(a: readonly TierDefinition[], b: readonly TierDefinition[]): boolean {
  const sb = sortTiers(b)
  return a.length === sb.length && a.every((t, i) => t.level === sb[i]!.level && t.threshold === sb[i]!.threshold)
}
