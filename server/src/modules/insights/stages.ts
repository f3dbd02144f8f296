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
  yearFactsOf,
  YEAR_DAYS,
  shanghaiDayNumber,
  startOfShanghaiDayNumber,
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

/** What a member's stage is computed from. */
interface StageFacts {
  purchaseDays: number
  lastAt: Date | null
  /** the counting payments of the rolling year (or more), one entry per Shanghai day */
  year: { at: Date; netFen: number }[]
  homeStore: string | null
}

/** Counting payments merged into one entry per Shanghai day (the day's first payment, the day's fen). */
function yearEntriesOf(payments: readonly { at: Date; netFen: number }[]): { at: Date; netFen: number }[] {
  const byDay = new Map<number, { at: Date; netFen: number }>()
  for (const p of payments) {
    const day = shanghaiDayNumber(p.at)
    const entry = byDay.get(day)
    if (!entry) byDay.set(day, { at: p.at, netFen: p.netFen })
    else byDay.set(day, { at: entry.at < p.at ? entry.at : p.at, netFen: entry.netFen + p.netFen })
  }
  return [...byDay.values()].sort((a, b) => a.at.getTime() - b.at.getTime())
}

/** The earlier of two instants (null: never). */
function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) return b
  if (!b) return a
  return a.getTime() <= b.getTime() ? a : b
}

/** The Shanghai midnight a stage that time alone reaches began: the last purchase day + the stage's boundary. */
function timeDrivenStart(stage: LifecycleStage, lastAt: Date, b: LifecycleBoundaries): Date | null {
  const boundary: Partial<Record<LifecycleStage, number>> = { new_5_30: b.newCare, new_30_45: b.newOffer, at_risk: b.atRisk, lapsed: b.lapsed, dormant: b.dormant }
  const days = boundary[stage]
  return days === undefined ? null : startOfShanghaiDayNumber(shanghaiDayNumber(lastAt) + days)
}

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
   * Recomputes one member's stage from their orders now (an order changed, or a race was lost). Two recomputations at
   * once: one wins the conditional write, the other reads again. Returns the stage.
   */
  async recompute(memberId: Types.ObjectId, cause: string): Promise<LifecycleStage> {
    for (let attempt = 1; ; attempt++) {
      const now = this.deps.now()
      const [stats, member, boundaries, current] = await Promise.all([
        this.deps.orders.purchaseStats(memberId),
        this.deps.members.findById(memberId),
        this.policy(),
        this.deps.models.MemberLifecycle.findById(memberId).lean<MemberLifecycleDoc>(),
      ])
      const facts: StageFacts = { purchaseDays: stats.days, lastAt: stats.lastAt, year: yearEntriesOf(stats.payments), homeStore: member?.homeStore ?? stats.firstStore }
      const stage = await this.write(memberId, current, facts, boundaries, now, cause)
      if (stage !== null) return stage
      if (attempt >= ATTEMPTS) throw new Error(`lifecycle of ${memberId.toString()}: lost ${ATTEMPTS} races in a row`)
    }
  }

  /**
   * Time alone moved a member along (the daily job): the stage and the rolling year from the stored facts — no order
   * is read, so the daily job costs one write per member due, whatever the number of orders. A lost race (an order
   * event recomputed the member meanwhile) falls back to a full recompute.
   */
  private async advance(doc: MemberLifecycleDoc, boundaries: LifecycleBoundaries): Promise<LifecycleStage> {
    const facts: StageFacts = {
      purchaseDays: doc.purchaseDays,
      lastAt: doc.lastPurchaseAt ?? null,
      year: (doc.yearDays ?? []).map((d) => ({ at: d.at!, netFen: d.fen ?? 0 })),
      homeStore: doc.homeStore ?? null,
    }
    return (await this.write(doc._id, doc, facts, boundaries, this.deps.now(), 'time')) ?? this.recompute(doc._id, 'time')
  }

  /**
   * Writes the stage the facts give, guarded by the revision read (null: another write came first — read again). A
   * change is then recorded under its key with its domain event.
   */
  private async write(memberId: Types.ObjectId, current: MemberLifecycleDoc | null, facts: StageFacts, boundaries: LifecycleBoundaries, now: Date, cause: string): Promise<LifecycleStage | null> {
    const stageFacts = { purchaseDays: facts.purchaseDays, lastAt: facts.lastAt }
    const stage = stageOf(stageFacts, now, boundaries)
    const from = (current?.stage as LifecycleStage | undefined) ?? 'prospect'
    if (!current && stage === 'prospect') return stage
    const year = yearFactsOf(facts.year, now)
    const fields = {
      purchaseDays: facts.purchaseDays,
      lastPurchaseAt: facts.lastAt,
      homeStore: facts.homeStore,
      purchases12m: year.purchases12m,
      amount12mFen: year.amount12mFen,
      yearDays: year.entries.map((e) => ({ at: e.at, fen: e.netFen })),
      // the stage moves along, or a purchase day leaves the rolling year: whichever comes first
      nextChangeAt: earliest(nextChangeAt(stageFacts, now, boundaries), year.leavesAt),
    }
    // a change that time alone made (same purchases): it began at the midnight it was due, not when the job ran
    const timeDriven = current && current.purchaseDays === facts.purchaseDays && current.lastPurchaseAt?.getTime() === facts.lastAt?.getTime()
    const since = current && stage === from ? current.since : (timeDriven && facts.lastAt && timeDrivenStart(stage, facts.lastAt, boundaries)) || now
    try {
      const result = await this.deps.models.MemberLifecycle.updateOne(
        current ? { _id: memberId, rev: current.rev ?? null } : { _id: memberId, stage: 'prospect' },
        { $set: { ...fields, stage, since }, $inc: { rev: 1 } },
        { upsert: !current },
      )
      if (result.matchedCount === 0 && result.upsertedCount === 0) return null
    } catch (error) {
      if (isDuplicateKey(error)) return null
      throw error
    }
    if (stage !== from) await this.record(memberId, from, current?.since ?? null, stage, since, cause)
    return stage
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

  /** The daily job: moves along every member whose stage is due to change (nextChangeAt ≤ now), a batch at a time. */
  async recomputeDue(): Promise<{ members: number; changed: number }> {
    const now = this.deps.now()
    // the due members' ids in one read (where nextChangeAt has no index to use, as on FerretDB, one scan, not one per
    // batch), then their documents a batch at a time by _id
    const due = (await this.deps.models.MemberLifecycle.find({ nextChangeAt: { $ne: null, $lte: now } }, { _id: 1 }).lean()).map((d) => d._id)
    const boundaries = await this.policy()
    let changed = 0
    for (let i = 0; i < due.length; i += BATCH) {
      const docs = await this.deps.models.MemberLifecycle.find({ _id: { $in: due.slice(i, i + BATCH) } }).lean<MemberLifecycleDoc[]>()
      for (const doc of docs) {
        // moved along meanwhile by an order event: nothing left to do for it
        if (!doc.nextChangeAt || doc.nextChangeAt.getTime() > now.getTime()) continue
        if ((await this.advance(doc, boundaries)) !== doc.stage) changed++
      }
    }
    return { members: due.length, changed }
  }


  /**
   * Every member's lifecycle facts from one pass over the orders: purchase days, the last counting payment, and the
   * payments of the rolling year (older ones are not kept).
   */
  private async factsFromOrders(now: Date): Promise<Map<string, { days: Set<number>; lastAt: Date; year: { at: Date; netFen: number }[] }>> {
    const firstYearDay = shanghaiDayNumber(now) - (YEAR_DAYS - 1)
    const facts = new Map<string, { days: Set<number>; lastAt: Date; year: { at: Date; netFen: number }[] }>()
    await this.deps.orders.eachCountingPayment((p) => {
      const day = shanghaiDayNumber(p.at)
      let f = facts.get(p.memberId)
      if (!f) facts.set(p.memberId, (f = { days: new Set(), lastAt: p.at, year: [] }))
      f.days.add(day)
      if (p.at > f.lastAt) f.lastAt = p.at
      if (day >= firstYearDay) f.year.push({ at: p.at, netFen: p.netFen })
    })
    return facts
  }

  /**
   * Rebuilds every member's stage from one pass over the orders (after an import, or on a new install): written in
   * bulk, recording no change and emitting no event — it is the starting point, not a change. Members with a document
   * and no counting purchase any more become prospects.
   */
  async rebuildAll(): Promise<{ members: number }> {
    const now = this.deps.now()
    const [facts, boundaries, homeStores, existing] = await Promise.all([
      this.factsFromOrders(now),
      this.policy(),
      this.deps.members.homeStores(),
      this.deps.models.MemberLifecycle.find({}, { _id: 1 }).lean(),
    ])
    const ids = new Set([...facts.keys(), ...existing.map((d) => d._id.toString())])
    const writes: unknown[] = []
    for (const id of ids) {
      const f = facts.get(id)
      const stageFacts = { purchaseDays: f?.days.size ?? 0, lastAt: f?.lastAt ?? null }
      const stage = stageOf(stageFacts, now, boundaries)
      const year = yearFactsOf(yearEntriesOf(f?.year ?? []), now)
      const since = (f && timeDrivenStart(stage, f.lastAt, boundaries)) || f?.lastAt || now
      writes.push({
        updateOne: {
          filter: { _id: new Types.ObjectId(id) },
          update: {
            $set: {
              stage,
              since,
              purchaseDays: stageFacts.purchaseDays,
              lastPurchaseAt: stageFacts.lastAt,
              homeStore: homeStores.get(id) ?? null,
              purchases12m: year.purchases12m,
              amount12mFen: year.amount12mFen,
              yearDays: year.entries.map((e) => ({ at: e.at, fen: e.netFen })),
              nextChangeAt: earliest(nextChangeAt(stageFacts, now, boundaries), year.leavesAt),
              updatedAt: now,
            },
            $inc: { rev: 1 },
            $setOnInsert: { createdAt: now },
          },
          upsert: true,
        },
      })
    }
    for (let i = 0; i < writes.length; i += 1_000) await this.deps.models.MemberLifecycle.collection.bulkWrite(writes.slice(i, i + 1_000) as never[], { ordered: false })
    return { members: ids.size }
  }

  /**
   * `npm run reconcile`: every stored stage against the orders (one pass over them) — purchase days and the last
   * purchase always; the stage and the rolling year when the member is not due to move along (a member whose
   * nextChangeAt has passed waits for the daily job, which a failing job would show). Members with order events the
   * lifecycle consumer has not handled yet (`inFlight`) are left alone.
   */
  async reconcile(inFlight: ReadonlySet<string> = new Set()): Promise<string[]> {
    const now = this.deps.now()
    const [facts, boundaries, docs] = await Promise.all([
      this.factsFromOrders(now),
      this.policy(),
      this.deps.models.MemberLifecycle.find({}, { stage: 1, purchaseDays: 1, lastPurchaseAt: 1, purchases12m: 1, amount12mFen: 1, nextChangeAt: 1 }).lean(),
    ])
    const problems: string[] = []
    for (const doc of docs) {
      const id = doc._id.toString()
      const f = facts.get(id)
      facts.delete(id)
      if (inFlight.has(id)) continue
      const stageFacts = { purchaseDays: f?.days.size ?? 0, lastAt: f?.lastAt ?? null }
      const year = yearFactsOf(f?.year ?? [], now)
      const due = doc.nextChangeAt !== null && doc.nextChangeAt !== undefined && doc.nextChangeAt.getTime() <= now.getTime()
      const expected: Record<string, unknown> = { purchaseDays: stageFacts.purchaseDays, lastPurchaseAt: stageFacts.lastAt?.toISOString() ?? null }
      const stored: Record<string, unknown> = { purchaseDays: doc.purchaseDays, lastPurchaseAt: doc.lastPurchaseAt?.toISOString() ?? null }
      if (!due) {
        Object.assign(expected, { stage: stageOf(stageFacts, now, boundaries), purchases12m: year.purchases12m, amount12mFen: year.amount12mFen })
        Object.assign(stored, { stage: doc.stage, purchases12m: doc.purchases12m ?? 0, amount12mFen: doc.amount12mFen ?? 0 })
      }
      for (const field of Object.keys(expected)) {
        if (expected[field] !== stored[field]) problems.push(`lifecycle of member ${id}: ${field} is ${String(stored[field])}, the orders say ${String(expected[field])}`)
      }
    }
    for (const [id, f] of facts) {
      if (!inFlight.has(id)) problems.push(`lifecycle of member ${id}: no stage stored, the orders say ${stageOf({ purchaseDays: f.days.size, lastAt: f.lastAt }, now, boundaries)}`)
    }
    return problems
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
    // the members of the store (home store) with two or more purchase days; every member's when no store is named
    const ofStore = store
      ? new Set((await this.deps.models.MemberLifecycle.find({ homeStore: store, purchaseDays: { $gte: 2 } }, { _id: 1 }).lean()).map((d) => d._id.toString()))
      : null
    // one pass over the orders: each member's payment days
    const paidAt = new Map<string, Date[]>()
    await this.deps.orders.eachCountingPayment((p) => {
      if (ofStore && !ofStore.has(p.memberId)) return
      const list = paidAt.get(p.memberId)
      if (list) list.push(p.at)
      else paidAt.set(p.memberId, [p.at])
    })
    const gaps: number[] = []
    let members = 0
    for (const dates of paidAt.values()) {
      const own = purchaseDayGaps(dates)
      if (own.length > 0) members++
      gaps.push(...own)
    }
    return { ...counts, policy, purchaseGap: { medianDays: medianGapDays(gaps), gaps: gaps.length, members }, at: this.deps.now().toISOString() }
  }

}
