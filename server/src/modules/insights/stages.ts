import {
  boundariesIncrease,
  DEFAULT_LIFECYCLE_BOUNDARIES,
  LIFECYCLE_STAGE_LABELS,
  LIFECYCLE_STAGES,
  medianGapDays,
  nextChangeAt,
  purchaseDayGaps,
  stageOf,
  type LifecycleBoundaries,
  type LifecycleCounts,
  type LifecyclePolicy,
  type LifecycleReport,
  type LifecycleStage,
} from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import { ValidationFailed } from '../../core/errors.js'
import type { DomainEvents } from '../../core/events/index.js'
import type { SettingsStore } from '../../core/settings.js'
import type { MemberOrders } from '../loyalty/member-orders.js'
import type { MemberRepository } from '../members/repository.js'
import type { InsightsModels, MemberLifecycleDoc } from './models.js'

export const POLICY_NAME = 'lifecycle'
export const STAGE_CHANGED = 'lifecycle.stage_changed'
export const LIFECYCLE_DAILY_JOB = 'insights.lifecycle-daily'
/** How many due members the daily job recomputes per read. */
const BATCH = 200
/** How many times a recomputation retries after losing a race to another one. */
const ATTEMPTS = 5

export interface LifecycleDeps {
  models: InsightsModels
  orders: MemberOrders
  members: MemberRepository
  events: DomainEvents
  settings: SettingsStore
  audit: AuditLog
  now: () => Date
}

/** The stage a member has as stored (no document: prospect). */
export interface StoredStage {
  stage: LifecycleStage
  since: Date
}

/**
 * Lifecycle stages: each member's stage recomputed from their orders (loyalty's purchase statistics, read afresh),
 * every change recorded once in lifecycle_changes with a `lifecycle.stage_changed` domain event, counts per stage,
 * and the policy (the day boundaries).
 */
export class LifecycleStages {
  constructor(private readonly deps: LifecycleDeps) {}

  /** The boundaries (defaults until an operator sets them); read on every use, so a change is seen at once. */
  async policy(): Promise<LifecycleBoundaries> {
    return { ...DEFAULT_LIFECYCLE_BOUNDARIES, ...((await this.deps.settings.get<Partial<LifecycleBoundaries>>(POLICY_NAME)) ?? {}) }
  }

  /**
   * Replaces the boundaries (audited; 400 unless they increase). Members are re-staged lazily: every stored stage is
   * made due now (nextChangeAt), and the caller runs the daily job at once.
   */
  async setPolicy(input: LifecyclePolicy, actor: { actor: string; role: string }): Promise<LifecycleBoundaries> {
    const policy: LifecycleBoundaries = { newCare: input.newCare, newOffer: input.newOffer, atRisk: input.atRisk, lapsed: input.lapsed, dormant: input.dormant }
    if (!boundariesIncrease(policy)) {
      throw new ValidationFailed('body: the boundaries must increase: newCare < newOffer < atRisk < lapsed < dormant')
    }
    await this.deps.settings.put(POLICY_NAME, policy, actor.actor)
    await this.deps.models.MemberLifecycle.updateMany({}, { $set: { nextChangeAt: this.deps.now() } })
    await this.deps.audit.record({ ...actor, action: 'lifecycle.policy', details: { ...policy }, at: this.deps.now() })
    return policy
  }

  /** The member's stored stage, or null for a member without one (a prospect). */
  async stageOfMember(memberId: Types.ObjectId | string): Promise<StoredStage | null> {
    const doc = await this.deps.models.MemberLifecycle.findById(new Types.ObjectId(memberId), { stage: 1, since: 1 }).lean()
    return doc ? { stage: doc.stage as LifecycleStage, since: doc.since } : null
  }

  /**
   * Recomputes one member's stage from their orders now. A change is written by a conditional update on the stage
   * read (two recomputations at once: one wins, the other re-reads and finds nothing to do), then recorded under its
   * key with its domain event. Returns the stage.
   */
  async recompute(memberId: Types.ObjectId, cause: string): Promise<LifecycleStage> {
    const { MemberLifecycle } = this.deps.models
    for (let attempt = 1; ; attempt++) {
      const now = this.deps.now()
      const [stats, member, boundaries, current] = await Promise.all([
        this.deps.orders.purchaseStats(memberId),
        this.deps.members.findById(memberId),
        this.policy(),
        MemberLifecycle.findById(memberId).lean<MemberLifecycleDoc>(),
      ])
      const facts = { purchaseDays: stats.days, lastAt: stats.lastAt }
      const stage = stageOf(facts, now, boundaries)
      const fields = {
        purchaseDays: stats.days,
        lastPurchaseAt: stats.lastAt,
        homeStore: member?.homeStore ?? stats.firstStore,
        nextChangeAt: nextChangeAt(facts, now, boundaries),
      }
      const from = (current?.stage as LifecycleStage | undefined) ?? 'prospect'
      if (!current && stage === 'prospect') return stage
      if (current && stage === from) {
        await MemberLifecycle.updateOne({ _id: memberId, stage: from }, { $set: fields })
        return stage
      }
      // a change that time alone made (same purchases): it began at the midnight it was due, not when the job ran
      const timeDriven = current && current.purchaseDays === stats.days && current.lastPurchaseAt?.getTime() === stats.lastAt?.getTime()
      const since = timeDriven && current.nextChangeAt && current.nextChangeAt <= now ? current.nextChangeAt : now
      try {
        const result = await MemberLifecycle.updateOne(
          current ? { _id: memberId, stage: from, since: current.since } : { _id: memberId, stage: 'prospect' },
          { $set: { ...fields, stage, since } },
          { upsert: !current },
        )
        if (result.matchedCount === 0 && result.upsertedCount === 0) throw Object.assign(new Error('lost the race'), { code: 11000 })
      } catch (error) {
        if (!isDuplicateKey(error) || attempt >= ATTEMPTS) throw error
        continue
      }
      await this.record(memberId, from, current?.since ?? null, stage, since, cause)
      return stage
    }
  }

  /** Records a change once (its key names the stage left and when it was entered) and writes its domain event. */
  private async record(memberId: Types.ObjectId, from: LifecycleStage, fromSince: Date | null, to: LifecycleStage, at: Date, cause: string): Promise<void> {
    const key = `lifecycle:${memberId.toString()}:${from}@${fromSince ? fromSince.toISOString() : 'start'}:${to}`
    try {
      await this.deps.models.LifecycleChange.create({ _id: key, memberId, from, to, at, cause })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
    await this.deps.events.write({ key, type: STAGE_CHANGED, memberId, payload: { from, to, cause }, at })
  }

  /** The daily job: recomputes every member whose stage is due to change (nextChangeAt ≤ now), a batch at a time. */
  async recomputeDue(cause = 'time'): Promise<{ members: number; changed: number }> {
    const now = this.deps.now()
    let after: Types.ObjectId | null = null
    let members = 0
    let changed = 0
    for (;;) {
      const filter: Record<string, unknown> = { nextChangeAt: { $ne: null, $lte: now } }
      if (after) filter._id = { $gt: after }
      const due: { _id: Types.ObjectId; stage: string }[] = await this.deps.models.MemberLifecycle.find(filter, { _id: 1, stage: 1 }).sort({ _id: 1 }).limit(BATCH).lean()
      for (const doc of due) {
        members++
        if ((await this.recompute(doc._id, cause)) !== doc.stage) changed++
      }
      if (due.length < BATCH) return { members, changed }
      after = due[due.length - 1]!._id
    }
  }

  /** Members per stage, prospects included (the members of `store`, by home store; every member without one). */
  async counts(store: string | null): Promise<LifecycleCounts> {
    const match = store ? { homeStore: store } : {}
    const [members, grouped] = await Promise.all([
      this.deps.members.count(store ? { homeStore: store } : {}),
      this.deps.models.MemberLifecycle.aggregate<{ _id: string; n: number }>([{ $match: match }, { $group: { _id: '$stage', n: { $sum: 1 } } }]),
    ])
    const byStage = new Map(grouped.map((g) => [g._id, g.n]))
    const staged = LIFECYCLE_STAGES.filter((s) => s !== 'prospect').reduce((sum, s) => sum + (byStage.get(s) ?? 0), 0)
    return {
      store,
      members,
      stages: LIFECYCLE_STAGES.map((stage) => ({
        stage,
        label: LIFECYCLE_STAGE_LABELS[stage],
        members: stage === 'prospect' ? Math.max(0, members - staged) : (byStage.get(stage) ?? 0),
      })),
    }
  }

  /**
   * The report: the counts, the policy, and the measured median days between consecutive purchase days over the
   * members (of the store, if named) with two or more purchase days, with how many gaps and members it is made from.
   */
  async report(store: string | null): Promise<LifecycleReport> {
    const [counts, policy] = await Promise.all([this.counts(store), this.policy()])
    const gaps: number[] = []
    let members = 0
    let after: Types.ObjectId | null = null
    for (;;) {
      const filter: Record<string, unknown> = { purchaseDays: { $gte: 2 }, ...(store ? { homeStore: store } : {}) }
      if (after) filter._id = { $gt: after }
      const batch: { _id: Types.ObjectId }[] = await this.deps.models.MemberLifecycle.find(filter, { _id: 1 }).sort({ _id: 1 }).limit(BATCH).lean()
      if (batch.length === 0) break
      const payments = await this.deps.orders.countingPayments(batch.map((d) => d._id))
      for (const paidAt of payments.values()) {
        const own = purchaseDayGaps(paidAt)
        if (own.length > 0) members++
        gaps.push(...own)
      }
      if (batch.length < BATCH) break
      after = batch[batch.length - 1]!._id
    }
    return { ...counts, policy, purchaseGap: { medianDays: medianGapDays(gaps), gaps: gaps.length, members }, at: this.deps.now().toISOString() }
  }
}
