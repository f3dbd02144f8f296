import { Types } from 'mongoose'
import type { MemberDoc, memberModel } from './models/member.js'

/** A guarded balance update: applies only if the member is still at revision `rev`. */
export interface GuardedUpdate {
  memberId: Types.ObjectId
  rev: number | null | undefined
  set: Record<string, unknown>
}

/**
 * The balance fields of the member document (points, lots, growth, tier, revision, pending ops) as the loyalty
 * ledger reads and writes them. They live on the member so the card is one read; the ledger is their only writer,
 * and it goes through here, never through the model.
 */
export class MemberBalances {
  constructor(private readonly Member: ReturnType<typeof memberModel>) {}

  async readMany(ids: (string | Types.ObjectId)[]): Promise<MemberDoc[]> {
    if (ids.length === 0) return []
    return this.Member.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }).lean<MemberDoc[]>()
  }

  /**
   * The guarded updates in one command (each also bumps the revision and `updatedAt`); answers how many went through.
   * Straight to the driver: the ledger hands over values already of the schema's types, and mongoose casting every
   * pending op (nested documents) of a batch was about a tenth of this process's CPU per points-mall redemption.
   */
  async updateGuarded(updates: GuardedUpdate[]): Promise<number> {
    if (updates.length === 0) return 0
    const updatedAt = new Date()
    const result = await this.Member.collection.bulkWrite(
      updates.map((u) => ({ updateOne: { filter: { _id: u.memberId, ...revIs(u.rev) }, update: { $set: { ...u.set, updatedAt }, $inc: { rev: 1 } } } })),
      { ordered: false },
    )
    return result.modifiedCount
  }

  /** Revisions and first pending-op keys, to tell whose guarded update went through. */
  async revisions(ids: Types.ObjectId[]): Promise<Map<string, { rev: number; firstPendingKey: string | null }>> {
    const docs = await this.Member.find({ _id: { $in: ids } }, { rev: 1, 'pendingOps.key': 1 }).lean<MemberDoc[]>()
    return new Map(docs.map((m) => [m._id.toString(), { rev: m.rev, firstPendingKey: (m.pendingOps?.[0]?.key as string | undefined) ?? null }]))
  }

  /** Drops the pending ops of a member still at revision `rev` (their documents have been written). */
  async clearPendingOps(memberId: Types.ObjectId, rev: number | null | undefined): Promise<void> {
    await this.Member.updateOne({ _id: memberId, ...revIs(rev) }, { $set: { pendingOps: [] }, $inc: { rev: 1 } })
  }

  /** Members with a change still being written since before `olderThan` (a process may have died mid-change). */
  async withPendingOpsBefore(olderThan: Date): Promise<Pick<MemberDoc, '_id' | 'rev' | 'pendingOps'>[]> {
    return this.Member.find({ 'pendingOps.at': { $lte: olderThan } }, { _id: 1, rev: 1, pendingOps: 1 }).lean<MemberDoc[]>()
  }

  /** Members with a lot expiring after `after` (exclusive, when given) and by `by` (epoch ms). */
  async withLotsExpiring(by: number, after?: number): Promise<Pick<MemberDoc, '_id' | 'lots'>[]> {
    const expiresAt = after === undefined ? { $lte: by } : { $gt: after, $lte: by }
    return this.Member.find({ 'lots.expiresAt': expiresAt }, { _id: 1, lots: 1 }).lean<MemberDoc[]>()
  }

  /** Members whose tier review date has come. */
  async withTierReviewDue(now: Date): Promise<Pick<MemberDoc, '_id' | 'tierReviewAt'>[]> {
    return this.Member.find({ tierReviewAt: { $lte: now } }, { _id: 1, tierReviewAt: 1 }).lean<MemberDoc[]>()
  }

  /** Members whose tier review falls after `from` and by `to` (the keep reminder), with their balances. */
  async withTierReviewBetween(from: Date, to: Date): Promise<MemberDoc[]> {
    return this.Member.find({ tierReviewAt: { $gt: from, $lte: to } }, { tierLevel: 1, tierReviewAt: 1, points: 1, lots: 1, growth: 1, growthByMonth: 1 }).lean<MemberDoc[]>()
  }

  /** Members whose migrated tier's hold has come to its end (lifetime policy: reviewed then). */
  async withTierHoldDue(now: Date): Promise<Pick<MemberDoc, '_id' | 'tierHeldUntil'>[]> {
    return this.Member.find({ tierHeldUntil: { $lte: now } }, { _id: 1, tierHeldUntil: 1 }).lean<MemberDoc[]>()
  }

  /** Ends a member's own tier hold, if it is still `until`. */
  async endTierHold(memberId: Types.ObjectId, until: Date): Promise<void> {
    await this.Member.updateOne({ _id: memberId, tierHeldUntil: until }, { $set: { tierHeldUntil: null } })
  }

  /** Moves a member's next tier review, if it is still `from`. */
  async moveTierReview(memberId: Types.ObjectId, from: Date, to: Date): Promise<void> {
    await this.Member.updateOne({ _id: memberId, tierReviewAt: from }, { $set: { tierReviewAt: to } })
  }

  /** Every member's balances, one at a time (reconcile). */
  all(): AsyncIterable<Pick<MemberDoc, '_id' | 'points' | 'growth' | 'lots'>> {
    return this.Member.find({}, { points: 1, growth: 1, lots: 1 }).lean<MemberDoc[]>().cursor() as AsyncIterable<MemberDoc>
  }
}

/** A filter on the revision read (a member written before revisions existed has none). */
function revIs(rev: number | null | undefined) {
  return rev == null ? { rev: { $exists: false } } : { rev }
}
