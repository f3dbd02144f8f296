import {
  decideTier,
  type Balances,
  type Change,
  type LoyaltyPolicy,
  type TierDefinition,
} from '@member-center/shared'
import { Types } from 'mongoose'
import { NotFound } from '../errors.js'
import type { Models } from '../models/index.js'
import type { MemberDoc } from '../models/member.js'
import type { PolicyStore } from './policy-store.js'
import type { TierTable } from './tier-table.js'
import { ignoreDuplicateKey } from '../models/duplicate-key.js'

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
  /** the new balances, from the current ones (pure; may throw, e.g. InsufficientPointsError) */
  compute: (b: Balances, ctx: { policy: LoyaltyPolicy; tiers: readonly TierDefinition[] }) => Change
  events?: (change: Change) => DomainEventDraft[]
  /** the annual tier review: a downgrade may happen */
  review?: boolean
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
 * Applies changes to members' balances exactly once, without multi-document transactions (DESIGN.md §4):
 *  1. read the member; compute the new balances (pure rules in shared/src/loyalty);
 *  2. one update guarded by the revision read writes the balances and a "pending op" holding the ledger entries,
 *     tier change and domain events to write — if another change got there first, read again and recompute;
 *  3. write those documents (each under a unique business key); the pending op stays until the next change to the
 *     member replaces it (after writing its documents, if they are missing) or the daily sweep drops it.
 * A crash after step 2 loses nothing: whoever touches the member next (or the recovery sweep) finishes step 3.
 */
export class LedgerService {
  constructor(
    private readonly models: Models,
    private readonly policies: PolicyStore,
    private readonly tiers: TierTable,
  ) {}

  async apply(memberId: string | Types.ObjectId, op: LedgerOp): Promise<ApplyResult> {
    const id = new Types.ObjectId(memberId)
    for (let attempt = 0; attempt < 200; attempt++) {
      const member = await this.models.Member.findById(id).lean<MemberDoc>()
      if (!member) throw new NotFound(`member ${id.toString()} not found`)
      // the previous change's documents are written before this one replaces its pending op
      const previous = (member.pendingOps ?? []) as unknown as PendingOp[]
      if (previous.length > 0) await this.writeDocuments(previous, true)
      if (await this.isDone(op.key)) return { status: 'duplicate' }

      const [policy, tiers] = await Promise.all([this.policies.current(), this.tiers.current()])
      const change = op.compute(toBalances(member), { policy, tiers })
      const decision = decideTier(member.tierLevel, change.balances, tiers, policy, op.at, op.review)
      const tierChanged = decision.level !== member.tierLevel
      const p = change.points
      const touchesPoints = p.available !== 0 || p.pending !== 0 || p.debt !== 0 || p.expired !== 0 || change.absorbed !== 0
      if (!touchesPoints && change.growth === 0 && !tierChanged) return { status: 'noop' }

      const b = change.balances
      const source = { orderId: op.source?.orderId ?? null, lineId: op.source?.lineId ?? null, refundId: op.source?.refundId ?? null }
      const drafts = [...(op.events?.(change) ?? [])]
      if (tierChanged) {
        drafts.push({ type: 'tier.changed', payload: { fromLevel: member.tierLevel, toLevel: decision.level, reason: decision.reason, cause: op.reason, growth: b.growth } })
      }
      const pending: PendingOp = {
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
              lotExpiresAt: lotAdded((member.lots ?? []) as Balances["lots"], b.lots),
              ...source,
              note: op.note ?? null,
              at: op.at,
            }
          : null,
        growth:
          change.growth !== 0
            ? { _id: op.key, key: op.key, memberId: id, reason: op.reason, delta: change.growth, totalAfter: b.growth, ...source, note: op.note ?? null, at: op.at }
            : null,
        tierChange: tierChanged
          ? { _id: op.key, key: op.key, memberId: id, fromLevel: member.tierLevel, toLevel: decision.level, reason: `${decision.reason} (${op.reason})`, growth: b.growth, at: op.at }
          : null,
        events: drafts.map((d) => ({ _id: `${op.key}:${d.type}`, key: `${op.key}:${d.type}`, type: d.type, memberId: id, payload: d.payload, at: op.at })),
      }
      const tierFields = tierChanged
        ? {
            tierLevel: decision.level,
            tierSince: op.at,
            tierReviewAt: policy.tiers.kind === 'rolling-12-months' ? new Date(op.at.getTime() + 365 * 86_400_000) : null,
          }
        : {}
      const result = await this.models.Member.updateOne(
        { _id: id, ...revIs(member.rev) },
        {
          $set: {
            'points.available': b.available,
            'points.pending': b.pending,
            'points.debt': b.debt,
            'points.expired': b.expired,
            lots: b.lots,
            growth: b.growth,
            growthByMonth: b.growthByMonth,
            pendingOps: [pending],
            ...tierFields,
          },
          $inc: { rev: 1 },
        },
      )
      if (result.modifiedCount === 1) {
        // the pending op stays on the member until the next change (or the recovery sweep) replaces it: one write less
        await this.writeDocuments([pending], false)
        return { status: 'applied', change, tierLevel: decision.level }
      }
      // another change to this member got in first: read it and compute again
    }
    throw new Error(`could not apply ${op.key}: the member kept changing`)
  }

  /** Whether a change with this key has been recorded. */
  async isDone(key: string): Promise<boolean> {
    if (await this.models.PointsEntry.exists({ _id: key })) return true
    if (await this.models.GrowthEntry.exists({ _id: key })) return true
    return Boolean(await this.models.TierChange.exists({ _id: key }))
  }

  /**
   * Writes the documents a pending op holds (ledger entries, tier change, domain events), each once. `checkFirst`
   * reads before inserting: an op found on a member was usually written already, and a read is cheaper than a
   * rejected insert.
   */
  private async writeDocuments(ops: PendingOp[], checkFirst: boolean): Promise<void> {
    const write = async (model: LedgerModel, doc: Record<string, unknown> | null) => {
      if (!doc) return
      if (checkFirst && (await model.exists({ _id: doc._id }))) return
      await insertOnce(model, doc)
    }
    for (const op of ops) {
      await Promise.all([
        write(this.models.PointsEntry as unknown as LedgerModel, op.points),
        write(this.models.GrowthEntry as unknown as LedgerModel, op.growth),
        write(this.models.TierChange as unknown as LedgerModel, op.tierChange),
        ...op.events.map((e) => write(this.models.DomainEvent as unknown as LedgerModel, e)),
      ])
    }
  }

  /** Writes a member's pending ops' documents and drops the ops (the recovery sweep and reconcile). */
  async finish(member: Pick<MemberDoc, '_id' | 'rev' | 'pendingOps'>): Promise<void> {
    await this.writeDocuments((member.pendingOps ?? []) as unknown as PendingOp[], true)
    // if this loses a race, the change that won carries on from the documents just written
    await this.models.Member.updateOne({ _id: member._id, ...revIs(member.rev) }, { $set: { pendingOps: [] }, $inc: { rev: 1 } })
  }

  /** Finishes the pending ops older than `olderThan`, including those of processes that died mid-change. */
  async recover(olderThan: Date): Promise<number> {
    const stuck = await this.models.Member.find({ 'pendingOps.at': { $lte: olderThan } }, { _id: 1, rev: 1, pendingOps: 1 }).lean<MemberDoc[]>()
    for (const member of stuck) await this.finish(member)
    return stuck.length
  }
}

/** A filter on the revision read (a member written before revisions existed has none). */
function revIs(rev: number | null | undefined) {
  return rev == null ? { rev: { $exists: false } } : { rev }
}

type LedgerModel = {
  exists(filter: Record<string, unknown>): Promise<unknown>
  collection: { insertOne(doc: Record<string, unknown>): Promise<unknown> }
}

async function insertOnce(model: Pick<LedgerModel, 'collection'>, doc: Record<string, unknown>) {
  try {
    await model.collection.insertOne({ ...doc })
  } catch (error) {
    ignoreDuplicateKey(error)
  }
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
