import { sortTiers, type TierDefinition } from '@member-center/shared'
import { ignoreDuplicateKey } from '../../core/duplicate-key.js'
import type { LoyaltyModels } from './models/index.js'

/** The brand's tier table. */
export class TierRepository {
  constructor(private readonly models: Pick<LoyaltyModels, 'Tier'>) {}

  /** Inserts the given table when no tiers exist yet; an operator's own table is never overwritten. */
  async seedDefaults(tiers: readonly TierDefinition[]): Promise<void> {
    if ((await this.models.Tier.countDocuments()) > 0) return
    await Promise.all(
      sortTiers(tiers).map((tier) =>
        this.models.Tier.updateOne({ level: tier.level }, { $setOnInsert: tier }, { upsert: true }).catch((error) => {
          // another process seeded the same level first
          ignoreDuplicateKey(error)
        }),
      ),
    )
  }

  async list(): Promise<TierDefinition[]> {
    const docs = await this.models.Tier.find({}, { _id: 0, level: 1, code: 1, name: 1, threshold: 1, pointsMultiplier: 1 })
      .sort({ level: 1 })
      .lean<TierDefinition[]>()
    return sortTiers(docs)
  }
}
