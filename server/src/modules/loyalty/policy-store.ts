import { DEFAULT_LOYALTY_POLICY, type LoyaltyPolicy } from '@member-center/shared'
import type { SettingsStore } from '../../core/settings.js'

const NAME = 'loyalty-policy'

/** The operator's loyalty policy (defaults where unset), cached per process for `ttlMs`. */
export class PolicyStore {
  private cached: { policy: LoyaltyPolicy; until: number } | null = null

  constructor(
    private readonly settings: SettingsStore,
    private readonly ttlMs = 30_000,
  ) {}

  async current(): Promise<LoyaltyPolicy> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.policy
    const policy = { ...DEFAULT_LOYALTY_POLICY, ...((await this.settings.get<Partial<LoyaltyPolicy>>(NAME)) ?? {}) }
    this.cached = { policy, until: Date.now() + this.ttlMs }
    return policy
  }

  async update(changes: Partial<LoyaltyPolicy>, actor: string): Promise<LoyaltyPolicy> {
    const next = { ...(await this.current()), ...changes }
    await this.settings.put(NAME, next, actor)
    this.cached = null
    return next
  }
}
