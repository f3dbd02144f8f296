import { DEFAULT_LOYALTY_POLICY, type LoyaltyPolicy } from '@member-center/shared'
import type { Models } from '../models/index.js'

const NAME = 'loyalty-policy'

/** The operator's loyalty policy (defaults where unset), cached per process for `ttlMs`. */
export class PolicyStore {
  private cached: { policy: LoyaltyPolicy; until: number } | null = null

  constructor(
    private readonly models: Models,
    private readonly ttlMs = 30_000,
  ) {}

  async current(): Promise<LoyaltyPolicy> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.policy
    const doc = await this.models.Setting.findOne({ name: NAME }).lean()
    const policy = { ...DEFAULT_LOYALTY_POLICY, ...((doc?.value as Partial<LoyaltyPolicy>) ?? {}) }
    this.cached = { policy, until: Date.now() + this.ttlMs }
    return policy
  }

  async update(changes: Partial<LoyaltyPolicy>, actor: string): Promise<LoyaltyPolicy> {
    const next = { ...(await this.current()), ...changes }
    await this.models.Setting.updateOne({ name: NAME }, { $set: { value: next, updatedBy: actor } }, { upsert: true })
    this.cached = null
    return next
  }
}
