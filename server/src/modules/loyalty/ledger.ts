import {
  benefitsAdded,
  decideTier,
  type Balances,
  type Change,
  type LoyaltyPolicy,
  type TierDefinition,
} from '@member-center/shared'
import { Types } from 'mongoose'
import { NotFound } from '../../core/errors.js'
import { duplicatesOf } from '../../core/duplicate-key.js'
import type { DomainEventInput, DomainEvents } from '../../core/events/index.js'
import type { MemberBalances } from '../members/balances.js'
import type { MemberDoc } from '../members/models/member.js'
import type { LoyaltyModels } from './models/index.js'
import type { PolicyStore } from './policy-store.js'
import type { TierTable } from './tier-table.js'

export interface DomainEventDraft {
  type: string
  payload: Record<string, unknown>
}

/** One change to a member's points and/or growth, identified by its business key. */
export interface LedgerOp {
  /** the business key, e.g. order:{orderId}:line:{lineId}:earn — a second apply with it changes nothing */
  key: string
  reason: string
  at: Date
  source?: { orderId?: string; lineId?: string; refundId?: string }
  note?: string
  /** the month a growth change counts in, when not `at`'s: a refund takes growth back where it was earned */
  growthAt?: Date
  /** a fingerprint of the request behind the change (adjustments), kept on its entries to tell a retry from a reuse */
  requestHash?: string
  /** the new balances, from the current ones (pure; may throw, e.g. InsufficientPointsError) */
  compute: (b: Balances, ctx: { policy: LoyaltyPolicy; tiers: readonly TierDefinition[] }) => Change
  events?: (change: Change) => DomainEventDraft[]
  /** the annual tier review: a downgrade may happen */
  review?: boolean
  /**
   * a tier carried over from another system (a migration's opening entry): the member holds it from `since`, kept
   * until `heldUntil` whatever the growth. A member already holding a higher tier keeps theirs.
   */
  carriedTier?: { level: number; since: Date; reviewAt: Date | null; heldUntil: Date | null }
  /** a change of tier this op makes writes no tier.changed event (a migration's opening: not news to the member) */
  quiet?: boolean
  /**
   * the op changes points and never growth (a spend): once applied, a points entry under its key is there, and that
   * is all the ledger looks for to tell a repeat (one read instead of three). (Were it to change nothing but the tier,
   * it would not be found — and applying it again would change nothing more.)
   */
  pointsOnly?: boolean
}

export type ApplyResult =
  | { status: 'applied'; change: Change; tierLevel: number }
  | { status: 'duplicate' }
  | { status: 'noop' }

interface PendingOp {
  key: string
  at: Date
  points: Record<string, unknown> | null
  growth: Record<string, unknown> | null
  tierChange: Record<string, unknown> | null
  events: Record<string, unknown>[]
}


/**
 * Pending ops one guarded update writes at most. A member with more changes in one call (a backfill of a big
 * history) gets them in several updates, so the member document stays small whatever the history: each update
 * writes the previous one's documents first, then replaces its pending ops.
 */
export const MAX_PENDING_OPS = 100

/** Guarded updates of one member that may lose to other changes in a row before applyMany gives up. */
const MAX_CONFLICTS = 200

/** Keys of pending ops whose documents this process has written, kept to skip checking them again (the latest). */
const WRITTEN_KEPT = 20_000

/** One member's changes, applied in the order given. */
export interface MemberOps {
  memberId: string | Types.ObjectId
  ops: LedgerOp[]
}

/** A member's new balances and the pending ops that record them, ready for the guarded update. */
interface MemberUpdate {
  memberId: Types.ObjectId
  rev: number | null | undefined
  set: Record<string, unknown>
  pending: PendingOp[]
  outcomes: Map<string, ApplyResult>
}

/**
 * Applies changes to members' balances exactly once, without multi-document transactions (DESIGN.md §4):
 *  1. read the member; compute the new balances (pure rules in shared/src/loyalty);
 *  2. one update guarded by the revision read writes the balances and "pending ops" holding the ledger entries,
 *     tier changes and domain events to write — if another change got there first, read again and recompute;
 *  3. write those documents (each under a unique business key); the pending ops stay until the next change to the
 *     member replaces them (after writing their documents, if they are missing) or the daily sweep drops them.
 * A crash after step 2 loses nothing: whoever touches the member next (or the recovery sweep) finishes step 3.
 * Changes for many members go together: each step is one command for all of them (batched ingestion).
 */
export class LedgerService {
  /**
   * Keys of the pending ops whose documents this process wrote (or found written), most recent last: the next change
   * to such a member need not read whether they exist. Documents of the ledger are never deleted, so a key here stays
   * true; a key not here (another process's change, or one forgotten) is checked as before.
   */
  private readonly written = new Set<string>()

  constructor(
    private readonly models: LoyaltyModels,
    private readonly members: MemberBalances,
    private readonly events: DomainEvents,
    private readonly policies: PolicyStore,
    private readonly tiers: TierTable,
  ) {}

  async apply(memberId: string | Types.ObjectId, op: LedgerOp): Promise<ApplyResult> {
    const results = await this.applyMany([{ memberId, ops: [op] }])
    return results.get(op.key)!
  }

  /**
   * Applies the changes of several members, each member's in the order given, and answers each op's result by key.
   * `known` holds members the caller has just read, which saves reading them again.
   */
  async applyMany(batches: MemberOps[], known?: ReadonlyMap<string, MemberDoc>): Promise<Map<string, ApplyResult>> {
    const results = new Map<string, ApplyResult>()
    const todo = new Map<string, LedgerOp[]>()
    for (const { memberId, ops } of batches) {
      if (ops.length === 0) continue
      const id = new Types.ObjectId(memberId).toString()
      todo.set(id, [...(todo.get(id) ?? []), ...ops])
    }
    // a member's ops go MAX_PENDING_OPS at a time: `next` is where its next chunk starts
    const next = new Map<string, number>([...todo.keys()].map((id) => [id, 0]))
    const conflicts = new Map<string, number>()
    const settle = (id: string, outcomes: Map<string, ApplyResult>, count: number) => {
      // the first outcome of a key counts (a key repeated in a later chunk is a duplicate of it)
      for (const [key, outcome] of outcomes) if (!results.has(key)) results.set(key, outcome)
      const at = next.get(id)! + count
      if (at >= todo.get(id)!.length) todo.delete(id)
      else next.set(id, at)
    }
    for (let round = 0; todo.size > 0; round++) {
      const members = await this.readMembers([...todo.keys()], round === 0 ? known : undefined)
      // each member's previous change's documents are written before this one replaces its pending ops
      await this.writeDocuments(
        members.flatMap((m) => (m.pendingOps ?? []) as unknown as PendingOp[]).filter((op) => !this.written.has(op.key)),
        true,
      )
      const chunks = new Map(members.map((m) => [m._id.toString(), todo.get(m._id.toString())!.slice(next.get(m._id.toString())!, next.get(m._id.toString())! + MAX_PENDING_OPS)]))
      const [done, policy, tiers] = await Promise.all([this.doneKeys([...chunks.values()].flat()), this.policies.current(), this.tiers.current()])

      const updates: MemberUpdate[] = []
      for (const member of members) {
        const id = member._id.toString()
        const chunk = chunks.get(id)!
        const update = planUpdate(member, chunk, done, policy, tiers)
        if (update.pending.length > 0) updates.push(update)
        else settle(id, update.outcomes, chunk.length)
      }
      const applied = await this.updateMembers(updates)
      // the pending ops stay on the member until its next change (or the recovery sweep) replaces them: a write less
      const appliedOps = updates.filter((u) => applied.has(u)).flatMap((u) => u.pending)
      await this.writeDocuments(appliedOps, false)
      for (const update of updates) {
        const id = update.memberId.toString()
        if (applied.has(update)) {
          settle(id, update.outcomes, chunks.get(id)!.length)
          conflicts.delete(id)
          continue
        }
        // lost to a change that got in first: read the member again and compute again
        const lost = (conflicts.get(id) ?? 0) + 1
        if (lost >= MAX_CONFLICTS) throw new Error(`could not apply ${chunks.get(id)![0]?.key}: the member kept changing`)
        conflicts.set(id, lost)
      }
    }
    return results
  }

  /** The recorded entry of a change, if any: its member and the request fingerprint it was made with. */
  async entry(key: string): Promise<{ memberId: Types.ObjectId; requestHash: string | null } | null> {
    const [points, growth] = await Promise.all([
      this.models.PointsEntry.findById(key, { memberId: 1, requestHash: 1 }).lean(),
      this.models.GrowthEntry.findById(key, { memberId: 1, requestHash: 1 }).lean(),
    ])
    const found = points ?? growth
    return found ? { memberId: found.memberId as Types.ObjectId, requestHash: (found.requestHash as string | null | undefined) ?? null } : null
  }

  /** What the change recorded under `key` did: points made available and growth added (signed), and when. */
  async amounts(key: string): Promise<{ points: number; growth: number; at: Date } | null> {
    const [points, growth] = await Promise.all([
      this.models.PointsEntry.findById(key, { available: 1, at: 1 }).lean<{ available: number; at: Date }>(),
      this.models.GrowthEntry.findById(key, { delta: 1, at: 1, countsAt: 1 }).lean<{ delta: number; at: Date; countsAt?: Date | null }>(),
    ])
    if (!points && !growth) return null
    return { points: points?.available ?? 0, growth: growth?.delta ?? 0, at: growth?.countsAt ?? growth?.at ?? points!.at }
  }

  /** Whether a change with this key has been recorded. */
  async isDone(key: string): Promise<boolean> {
    return (await this.doneKeys([{ key }])).has(key)
  }

  /**
   * The keys among these ops' whose changes have been recorded (a ledger entry, growth entry or tier change; for a
   * `pointsOnly` op, its ledger entry).
   */
  private async doneKeys(ops: Pick<LedgerOp, 'key' | 'pointsOnly'>[]): Promise<Set<string>> {
    if (ops.length === 0) return new Set()
    const find = (model: LedgerModel, keys: string[]) => (keys.length === 0 ? Promise.resolve([]) : model.find({ _id: { $in: [...new Set(keys)] } }, { _id: 1 }).lean())
    const all = ops.map((op) => op.key)
    const some = ops.filter((op) => !op.pointsOnly).map((op) => op.key)
    const found = await Promise.all([
      find(this.models.PointsEntry as unknown as LedgerModel, all),
      find(this.models.GrowthEntry as unknown as LedgerModel, some),
      find(this.models.TierChange as unknown as LedgerModel, some),
    ])
    return new Set(found.flat().map((d) => String(d._id)))
  }

  private async readMembers(ids: string[], known?: ReadonlyMap<string, MemberDoc>): Promise<MemberDoc[]> {
    const missing = ids.filter((id) => !known?.has(id))
    const read = await this.members.readMany(missing)
    const byId = new Map([...(known ?? new Map<string, MemberDoc>())].concat(read.map((m) => [m._id.toString(), m])))
    return ids.map((id) => {
      const member = byId.get(id)
      if (!member) throw new NotFound(`member ${id} not found`)
      return member
    })
  }

  /** The guarded updates, in one command; answers those that went through (the others' members had changed). */
  private async updateMembers(updates: MemberUpdate[]): Promise<Set<MemberUpdate>> {
    if (updates.length === 0) return new Set()
    const modified = await this.members.updateGuarded(updates)
    if (modified === updates.length) return new Set(updates)
    if (modified === 0) return new Set()
    // some went through: ours are those now one revision on, carrying our pending ops
    const current = await this.members.revisions(updates.map((u) => u.memberId))
    return new Set(
      updates.filter((u) => {
        const m = current.get(u.memberId.toString())
        return m?.rev === (u.rev ?? 0) + 1 && m.firstPendingKey === u.pending[0]!.key
      }),
    )
  }

  /**
   * Writes the documents pending ops hold (ledger entries, tier changes, domain events), each once, one command per
   * collection. `checkFirst` reads which exist before inserting: an op found on a member was usually written
   * already, and a read is cheaper than a rejected insert.
   */
  private async writeDocuments(ops: PendingOp[], checkFirst: boolean): Promise<void> {
    const write = async (model: LedgerModel, docs: Record<string, unknown>[]) => {
      if (docs.length === 0) return
      if (checkFirst) {
        const existing = new Set((await model.find({ _id: { $in: docs.map((d) => d._id) } }, { _id: 1 }).lean()).map((d) => String(d._id)))
        docs = docs.filter((d) => !existing.has(String(d._id)))
        if (docs.length === 0) return
      }
      await duplicatesOf(() => model.collection.insertMany(docs.map((d) => ({ ...d })), { ordered: false }))
    }
    const present = <T>(docs: (T | null)[]) => docs.filter((d): d is T => d !== null)
    await Promise.all([
      write(this.models.PointsEntry as unknown as LedgerModel, present(ops.map((op) => op.points))),
      write(this.models.GrowthEntry as unknown as LedgerModel, present(ops.map((op) => op.growth))),
      write(this.models.TierChange as unknown as LedgerModel, present(ops.map((op) => op.tierChange))),
      this.events.writeMany(ops.flatMap((op) => op.events) as unknown as DomainEventInput[], { checkFirst }),
    ])
    // all of them are there now (a write that failed threw above): remembered, the oldest forgotten first
    for (const op of ops) this.written.add(op.key)
    for (const key of this.written) {
      if (this.written.size <= WRITTEN_KEPT) break
      this.written.delete(key)
    }
  }

  /** Writes a member's pending ops' documents and drops the ops (the recovery sweep and reconcile). */
  async finish(member: Pick<MemberDoc, '_id' | 'rev' | 'pendingOps'>): Promise<void> {
    await this.writeDocuments((member.pendingOps ?? []) as unknown as PendingOp[], true)
    // if this loses a race, the change that won carries on from the documents just written
    await this.members.clearPendingOps(member._id, member.rev)
  }

  /** Finishes the pending ops older than `olderThan`, including those of processes that died mid-change. */
  async recover(olderThan: Date): Promise<number> {
    const stuck = await this.members.withPendingOpsBefore(olderThan)
    for (const member of stuck) await this.finish(member)
    return stuck.length
  }
}

/**
 * A member's ops computed one after another from the balances read: the new balances, tier, and a pending op for
 * each op that changes something. Ops already recorded (or repeated in the list) are duplicates; ops that change
 * nothing are noops.
 */
function planUpdate(member: MemberDoc, ops: LedgerOp[], done: Set<string>, policy: LoyaltyPolicy, tiers: readonly TierDefinition[]): MemberUpdate {
  const id = member._id
  const outcomes = new Map<string, ApplyResult>()
  const pending: PendingOp[] = []
  let balances = toBalances(member)
  let level = member.tierLevel
  let heldUntil = (member.tierHeldUntil as Date | null | undefined) ?? null
  let tierFields: Record<string, unknown> = {}
  for (const op of ops) {
    if (done.has(op.key) || outcomes.has(op.key)) {
      outcomes.set(op.key, outcomes.get(op.key) ?? { status: 'duplicate' })
      continue
    }
    const change = op.compute(balances, { policy, tiers })
    const carried = op.carriedTier && op.carriedTier.level > level ? op.carriedTier : null
    const decision = carried
      ? { level: carried.level, reason: 'carried over' }
      : decideTier(level, change.balances, tiers, policy, op.at, op.review, heldUntil)
    const tierChanged = decision.level !== level
    const p = change.points
    const touchesPoints = p.available !== 0 || p.pending !== 0 || p.debt !== 0 || p.expired !== 0 || change.absorbed !== 0
    if (!touchesPoints && change.growth === 0 && !tierChanged) {
      outcomes.set(op.key, { status: 'noop' })
      continue
    }

    const b = change.balances
    const source = { orderId: op.source?.orderId ?? null, lineId: op.source?.lineId ?? null, refundId: op.source?.refundId ?? null }
    const request = op.requestHash ? { requestHash: op.requestHash } : {}
    const drafts = [...(op.events?.(change) ?? [])]
    if (tierChanged && !op.quiet) {
      // what the new tier adds: the upgrade message tells it
      drafts.push({ type: 'tier.changed', payload: { fromLevel: level, toLevel: decision.level, reason: decision.reason, cause: op.reason, growth: b.growth, benefitsAdded: benefitsAdded(tiers, level, decision.level) } })
    }
    pending.push({
      key: op.key,
      at: op.at,
      points: touchesPoints
        ? {
            _id: op.key,
            key: op.key,
            memberId: id,
            reason: op.reason,
            ...p,
            debtRepaid: change.debtRepaid,
            absorbed: change.absorbed,
            balanceAfter: { available: b.available, pending: b.pending, debt: b.debt, expired: b.expired },
            lotExpiresAt: lotAdded(balances.lots, b.lots),
            ...source,
            ...request,
            note: op.note ?? null,
            at: op.at,
          }
        : null,
      growth:
        change.growth !== 0
          ? {
              _id: op.key,
              key: op.key,
              memberId: id,
              reason: op.reason,
              delta: change.growth,
              totalAfter: b.growth,
              ...source,
              ...request,
              note: op.note ?? null,
              at: op.at,
              // the month the change counts in (a refund's: the month the purchase's growth counted in)
              countsAt: op.growthAt ?? op.at,
            }
          : null,
      tierChange: tierChanged
        ? { _id: op.key, key: op.key, memberId: id, fromLevel: level, toLevel: decision.level, reason: `${decision.reason} (${op.reason})`, growth: b.growth, at: op.at }
        : null,
      events: drafts.map((d) => ({ _id: `${op.key}:${d.type}`, key: `${op.key}:${d.type}`, type: d.type, memberId: id, payload: d.payload, at: op.at })),
    })
    if (carried) {
      heldUntil = carried.heldUntil
      tierFields = { tierLevel: carried.level, tierSince: carried.since, tierReviewAt: carried.reviewAt, tierHeldUntil: carried.heldUntil }
    } else if (tierChanged) {
      // a change of tier ends a migrated tier's hold: the tier is this program's own from now on
      heldUntil = null
      tierFields = {
        tierLevel: decision.level,
        tierSince: op.at,
        tierReviewAt: policy.tiers.kind === 'rolling-12-months' ? new Date(op.at.getTime() + 365 * 86_400_000) : null,
        tierHeldUntil: null,
      }
    }
    outcomes.set(op.key, { status: 'applied', change, tierLevel: decision.level })
    balances = b
    level = decision.level
  }
  // only what changed (the update is guarded by the revision read, so the rest is as read): a spend writes its
  // points, lots and pending ops, not the growth by month
  const before = toBalances(member)
  const stored = (member.points ?? {}) as Record<string, unknown>
  const set: Record<string, unknown> = { pendingOps: pending, ...tierFields }
  for (const field of ['available', 'pending', 'debt', 'expired'] as const) if (stored[field] !== balances[field]) set[`points.${field}`] = balances[field]
  if (member.growth !== balances.growth) set.growth = balances.growth
  const same = (stored: unknown, read: unknown, now: unknown) => Array.isArray(stored) && JSON.stringify(read) === JSON.stringify(now)
  if (!same(member.lots, before.lots, balances.lots)) set.lots = balances.lots
  if (!same(member.growthByMonth, before.growthByMonth, balances.growthByMonth)) set.growthByMonth = balances.growthByMonth
  return { memberId: id, rev: member.rev, set, pending, outcomes }
}

type LedgerModel = {
  find(filter: Record<string, unknown>, projection: Record<string, number>): { lean(): Promise<{ _id: unknown }[]> }
  collection: { insertMany(docs: Record<string, unknown>[], options: { ordered: boolean }): Promise<unknown> }
}

export function toBalances(m: Pick<MemberDoc, 'points' | 'lots' | 'growth' | 'growthByMonth'>): Balances {
  return {
    available: m.points?.available ?? 0,
    pending: m.points?.pending ?? 0,
    debt: m.points?.debt ?? 0,
    expired: m.points?.expired ?? 0,
    lots: ((m.lots ?? []) as Balances['lots']).map((l) => ({ earnedAt: l.earnedAt, expiresAt: l.expiresAt ?? null, remaining: l.remaining })),
    growth: m.growth ?? 0,
    growthByMonth: ((m.growthByMonth ?? []) as Balances['growthByMonth']).map((g) => ({ month: g.month, value: g.value })),
  }
}

/** The expiry of a lot this change added points to (null when it added none). */
function lotAdded(before: Balances['lots'], after: Balances['lots']): Date | null {
  for (const lot of after) {
    const old = before.find((l) => (l.expiresAt ?? null) === lot.expiresAt)
    if (!old || lot.remaining > old.remaining) return lot.expiresAt === null ? null : new Date(lot.expiresAt)
  }
  return null
}
