import {
  addDays,
  tierForGrowth,
  tierGrowth,
  tierHoldEnd,
  tierTableProblem,
  unchanged,
  type Balances,
  type Change,
  type LoyaltyPolicy,
  type ReplaceTierTable,
  type TierDefinition,
  type TierTableUpdate,
} from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { Conflict, ValidationFailed } from '../../core/errors.js'
import type { JobRunner } from '../../core/jobs/runner.js'
import type { MemberBalances } from '../members/balances.js'
import type { MemberDoc } from '../members/models/member.js'
import type { LedgerService, MemberOps } from './ledger.js'
import { toBalances } from './ledger.js'
import type { ActivePolicy, PolicyStore } from './policy-store.js'
import type { TierRepository } from './tier-repository.js'
import type { TierTable } from './tier-table.js'

export const TIER_RECOMPUTE_JOB = 'loyalty.tier-recompute'
export const TIER_HOLD_END_JOB = 'loyalty.tier-hold-end'

/** How long a change of the tier rules protects the tiers members hold: a year, like the rolling policy's review. */
export const TIER_HOLD_DAYS = 365

const CHUNK = 200

interface Actor {
  actor: string
  role: string
}

/**
 * Changes to the tier rules — the table (PUT /api/admin/tiers) and the tier policy (PATCH /api/admin/loyalty-policy)
 * — and what they do to the members who hold tiers. A change never takes a tier away by itself:
 *  - members whose growth (as the policy counts it) now reaches a higher tier are upgraded at once, through the
 *    ledger (logged "upgrade (tier table)" / "upgrade (tier policy)", with tier.changed);
 *  - a raised threshold puts that tier on hold for a year (tier.holdUntil): under the lifetime policy nobody who
 *    holds it loses it before then (not even by a refund), and a review at the end of the hold (a job) moves down
 *    those whose total no longer reaches it; under the rolling policy the member's own annual review decides;
 *  - switching lifetime → rolling gives every member above the entry tier without a future review date one a year
 *    on (the rolling policy's promise: down only at the review); switching rolling → lifetime holds every tier for a
 *    year (policy.tierHoldUntil), since members kept tiers under the rolling promise that the total may not reach.
 * Every change is audited, and so is what the job did (counts). The job is keyed and idempotent: the ledger ops
 * carry keys, and review dates are moved only from the value read.
 */
export class TierRules {
  constructor(
    private readonly deps: {
      repo: TierRepository
      table: TierTable
      policies: PolicyStore
      members: MemberBalances
      ledger: LedgerService
      jobs: JobRunner
      audit: AuditLog
      now: () => Date
    },
  ) {}

  /** PUT /api/admin/tiers: validates and writes the whole table, then schedules the recompute. */
  async replaceTable(input: ReplaceTierTable, by: Actor): Promise<TierTableUpdate> {
    const problem = tierTableProblem(input.tiers)
    if (problem) throw new ValidationFailed(problem)
    const { repo, table, audit, jobs } = this.deps
    const now = this.deps.now()
    const before = await repo.list()

    const removed = before.filter((t) => t.level > input.tiers.length)
    if (removed.length > 0) {
      const holders = await this.countHolding(new Set(removed.map((t) => t.level)))
      const held = removed.filter((t) => (holders.get(t.level) ?? 0) > 0)
      if (held.length > 0) {
        const list = held.map((t) => `${t.name} (level ${t.level}): ${holders.get(t.level)}`).join(', ')
        throw new Conflict(`members hold the tiers this table leaves out — ${list}; keep as many tiers (rename or re-price them instead)`)
      }
    }

    const holdUntil = addDays(now, TIER_HOLD_DAYS).toISOString()
    const raised: number[] = []
    const next: TierDefinition[] = input.tiers.map((t, i) => {
      const level = i + 1
      const old = before.find((b) => b.level === level)
      const running = old?.holdUntil && Date.parse(old.holdUntil) > now.getTime() ? old.holdUntil : null
      const isRaised = old !== undefined && t.threshold > old.threshold
      if (isRaised) raised.push(level)
      return {
        level,
        code: t.code,
        name: t.name,
        threshold: t.threshold,
        pointsMultiplier: t.pointsMultiplier,
        benefits: t.benefits.map((b) => ({ title: b.title, description: b.description, icon: b.icon ?? null })),
        // a promise already made is kept whatever the new edit does
        holdUntil: isRaised ? holdUntil : running,
      }
    })
    await repo.replace(next)
    table.invalidate()

    const id = `table:${now.toISOString()}:${new Types.ObjectId().toString()}`
    const job = `${TIER_RECOMPUTE_JOB}:${id}`
    await jobs.schedule(job, TIER_RECOMPUTE_JOB, { id, cause: 'tier table', actor: by.actor }, now)
    if (raised.length > 0) await this.scheduleHoldEnd(new Date(holdUntil))
    await audit.record({
      actor: by.actor,
      role: by.role,
      action: 'tier-table.replace',
      details: { before: before.map(summary), after: next.map(summary), raised, holdUntil: raised.length > 0 ? holdUntil : null, job },
      at: now,
    })
    return { tiers: next.map((t) => tierView(t)), recompute: { job, raised, holdUntil: raised.length > 0 ? holdUntil : null } }
  }

  /**
   * PATCH /api/admin/loyalty-policy: changes the policy; a change of the tier policy schedules the recompute (and,
   * rolling → lifetime, holds every tier for a year in the same write).
   */
  async updatePolicy(changes: Partial<LoyaltyPolicy>, by: Actor): Promise<ActivePolicy> {
    const { policies, audit, jobs } = this.deps
    const now = this.deps.now()
    const before = await policies.read()
    const from = before.tiers.kind
    const to = changes.tiers?.kind ?? from
    let hold: string | null = null
    if (from === 'rolling-12-months' && to === 'lifetime') {
      const until = addDays(now, TIER_HOLD_DAYS)
      const existing = before.tierHoldUntil ? new Date(before.tierHoldUntil) : null
      hold = (existing && existing > until ? existing : until).toISOString()
    }
    const policy = await policies.update(changes, by.actor, hold ? { tierHoldUntil: hold } : {})
    let job: string | null = null
    if (from !== to) {
      const id = `policy:${now.toISOString()}:${new Types.ObjectId().toString()}`
      job = `${TIER_RECOMPUTE_JOB}:${id}`
      await jobs.schedule(job, TIER_RECOMPUTE_JOB, { id, cause: 'tier policy', actor: by.actor }, now)
      if (hold) await this.scheduleHoldEnd(new Date(hold))
    }
    await audit.record({
      actor: by.actor,
      role: by.role,
      action: 'loyalty-policy.update',
      details: { ...changes, ...(from !== to ? { tierPolicy: { from, to }, tierHoldUntil: hold, job } : {}) },
      at: now,
    })
    return policy
  }

  /**
   * The recompute job: every member whose growth, as the policy counts it, reaches a higher tier than the one held
   * is upgraded; under the rolling policy every member above the entry tier without a future review date gets one a
   * year on. Members who no longer reach their tier keep it (counted in the audit entry as `keptBelow`).
   */
  async recompute(payload: { id: string; cause: string; actor?: string }): Promise<void> {
    const now = this.deps.now()
    const [policy, tiers] = await Promise.all([this.deps.policies.read(), this.deps.repo.list()])
    const entry = tiers[0]!.level
    const counts = { members: 0, upgraded: 0, reviewsScheduled: 0, keptBelow: 0 }
    await this.eachChunk(async (members) => {
      const ops: MemberOps[] = []
      for (const m of members) {
        counts.members++
        const reached = tierForGrowth(tiers, tierGrowth(toBalances(m), policy, now)).level
        if (reached > m.tierLevel) {
          ops.push({
            memberId: m._id,
            ops: [{ key: `tier-recompute:${payload.id}:${m._id.toString()}`, reason: payload.cause, at: now, compute: unchanged }],
          })
          continue
        }
        if (reached < m.tierLevel) counts.keptBelow++
        if (policy.tiers.kind === 'rolling-12-months' && m.tierLevel > entry) {
          const current = m.tierReviewAt ? new Date(m.tierReviewAt) : null
          // a policy switch also replaces a date left from an earlier rolling period (already past: a review at the
          // next sweep would come as a surprise); after a table edit a date just due is the member's real review
          if (!current || (payload.cause === 'tier policy' && current.getTime() <= now.getTime())) {
            // only if it is still the value read: a change that got in first set its own
            await this.deps.members.moveTierReview(m._id, current as Date, addDays(now, TIER_HOLD_DAYS))
            counts.reviewsScheduled++
          }
        }
      }
      const results = await this.deps.ledger.applyMany(ops, new Map(members.map((m) => [m._id.toString(), m])))
      for (const r of results.values()) if (r.status === 'applied') counts.upgraded++
    })
    await this.deps.audit.record({
      actor: payload.actor ?? 'system',
      role: 'system',
      action: 'tier-recompute',
      details: { id: payload.id, cause: payload.cause, policy: policy.tiers.kind, ...counts },
      at: now,
    })
  }

  /**
   * The review that ends a hold (lifetime policy): members whose held tier is no longer on hold and whose total no
   * longer reaches it move to the tier it reaches (logged "review (tier review)", with tier.changed). Under the
   * rolling policy each member's own annual review does this, so the job does nothing.
   */
  async endHold(payload: { until: string }): Promise<void> {
    const now = this.deps.now()
    const [policy, tiers] = await Promise.all([this.deps.policies.read(), this.deps.repo.list()])
    if (policy.tiers.kind !== 'lifetime') return
    const counts = { members: 0, reviewed: 0, moved: 0 }
    await this.eachChunk(async (members) => {
      const ops: MemberOps[] = []
      for (const m of members) {
        counts.members++
        if (tierHoldEnd(m.tierLevel, tiers, policy, now)) continue
        const reached = tierForGrowth(tiers, m.growth ?? 0).level
        if (reached >= m.tierLevel) continue
        counts.reviewed++
        ops.push({
          memberId: m._id,
          ops: [{ key: `tier-review:${m._id.toString()}:hold:${payload.until}`, reason: 'tier review', at: now, review: true, compute: unchanged }],
        })
      }
      const results = await this.deps.ledger.applyMany(ops, new Map(members.map((m) => [m._id.toString(), m])))
      for (const r of results.values()) if (r.status === 'applied') counts.moved++
    })
    await this.deps.audit.record({ actor: 'system', role: 'system', action: 'tier-hold.end', details: { until: payload.until, ...counts }, at: now })
  }

  private async scheduleHoldEnd(until: Date): Promise<void> {
    await this.deps.jobs.schedule(`${TIER_HOLD_END_JOB}:${until.toISOString()}`, TIER_HOLD_END_JOB, { until: until.toISOString() }, until)
  }

  /** How many members hold each of these levels. */
  private async countHolding(levels: Set<number>): Promise<Map<number, number>> {
    const counts = new Map<number, number>()
    await this.eachChunk(async (members) => {
      for (const m of members) if (levels.has(m.tierLevel)) counts.set(m.tierLevel, (counts.get(m.tierLevel) ?? 0) + 1)
    })
    return counts
  }

  /**
   * Every member, a chunk at a time. The ids are read first and the cursor closed before any write (a long-open
   * cursor and the writes must not wait on each other).
   */
  private async eachChunk(handle: (members: MemberDoc[]) => Promise<void>): Promise<void> {
    const ids: Types.ObjectId[] = []
    for await (const m of this.deps.members.all()) ids.push(m._id)
    for (let i = 0; i < ids.length; i += CHUNK) await handle(await this.deps.members.readMany(ids.slice(i, i + CHUNK)))
  }
}

function summary(t: TierDefinition) {
  return { level: t.level, code: t.code, name: t.name, threshold: t.threshold, pointsMultiplier: t.pointsMultiplier, benefits: (t.benefits ?? []).length }
}

/** A tier as the API shows it (a hold only while it runs at `now`, when given). */
export function tierView(t: TierDefinition, now?: Date) {
  const hold = t.holdUntil && (!now || Date.parse(t.holdUntil) > now.getTime()) ? t.holdUntil : null
  return {
    level: t.level,
    code: t.code,
    name: t.name,
    threshold: t.threshold,
    pointsMultiplier: t.pointsMultiplier,
    benefits: (t.benefits ?? []).map((b) => ({ title: b.title, description: b.description, icon: b.icon ?? null })),
    holdUntil: hold,
  }
}
