import { DEFAULT_LOYALTY_POLICY, type LoyaltyPolicy, type TierRules } from '@member-center/shared'
import type { SettingsStore } from '../../core/settings.js'

const NAME = 'loyalty-policy'

/**
 * The policy as the rules read it: the operator's policy (defaults where unset) and the tier hold a switch from the
 * rolling to the lifetime policy leaves (`tierHoldUntil`, see shared/src/loyalty/tiers.ts). The hold is stored in the
 * same document as the tier policy, so no process can see the switch without the hold.
 */
export type ActivePolicy = LoyaltyPolicy & TierRules

/** The operator's loyalty policy (defaults where unset), cached per process for `ttlMs`. */
export class PolicyStore {
  private cached: { policy: ActivePolicy; until: number } | null = null

  constructor(
    private readonly settings: SettingsStore,
    private readonly ttlMs = 30_000,
  ) {}

  async current(): Promise<ActivePolicy> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.policy
    const policy = await this.read()
    this.cached = { policy, until: Date.now() + this.ttlMs }
    return policy
  }

  /** The stored policy, not the cached one. */
  async read(): Promise<ActivePolicy> {
    return { ...DEFAULT_LOYALTY_POLICY, ...((await this.settings.get<Partial<ActivePolicy>>(NAME)) ?? {}) }
  }

  /** Changes the policy; `state` is what the rules keep beside it (the tier hold), written in the same document. */
  async update(changes: Partial<LoyaltyPolicy>, actor: string, state: Pick<TierRules, 'tierHoldUntil'> = {}): Promise<ActivePolicy> {
    const next = { ...(await this.read()), ...changes, ...state }
    await this.settings.put(NAME, next, actor)
    this.cached = null
    return next
  }
}
