import type { TierDefinition } from '@member-center/shared'
import type { TierRepository } from './tier-repository.js'

/**
 * The tier table, read from the database at most once per `ttlMs` per process: every card needs it and operators
 * change it rarely, so an edit reaches every process within `ttlMs`.
 */
export class TierTable {
  private cached: { tiers: TierDefinition[]; until: number } | null = null

  constructor(
    private readonly repo: TierRepository,
    private readonly ttlMs = 30_000,
  ) {}

  async current(): Promise<TierDefinition[]> {
    const now = Date.now()
    if (this.cached && this.cached.until > now) return this.cached.tiers
    const tiers = await this.repo.list()
    this.cached = { tiers, until: now + this.ttlMs }
    return tiers
  }

  invalidate(): void {
    this.cached = null
  }
}
