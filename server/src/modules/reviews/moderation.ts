import type { ReviewRejectionReason, ReviewState, StaffReview } from '@member-center/shared'
import { Types } from 'mongoose'
import type { AuditLog } from '../../core/audit.js'
import { ChecksPending, Conflict, ContentRisky, Forbidden, NotFound } from '../../core/errors.js'
import { auditEntry, type StaffActor } from '../appointments/staff-actor.js'
import type { MemberRepository } from '../members/repository.js'
import type { ReviewsModels } from './models.js'
import type { ReviewPhotos } from './photos/index.js'
import type { ReviewRewards } from './rewards.js'
import { nicknamesOf, photoVerdict, type ReviewDoc, type ReviewViews } from './views.js'

export interface ModerationDeps {
  models: ReviewsModels
  photos: ReviewPhotos
  rewards: ReviewRewards
  views: ReviewViews
  members: MemberRepository
  audit: AuditLog
  now: () => Date
}

/** The states a manager can still decide on: checks may still be running (reject only), or done. */
const UNDECIDED: ReviewState[] = ['checking', 'pending', 'held']

/** Moderation is for managers (their brand's reviews: products are not a store's) and admins. */
function requireModerator(by: StaffActor): void {
  if (by.role !== 'manager' && by.role !== 'admin') throw new Forbidden('moderating reviews needs the manager role')
}

/**
 * Managers moderate: the queue with the checks' verdicts and photos; approve (only once every check answered; a
 * risky one after a person looked — confirmRisky), which publishes a review with photos and grants the campaign's
 * reward whatever the rating; reject with a reason about content; remove a review (its reward reversed); reply as
 * the brand (评价解释). Members delete their own reviews (the reward reversed too). Every decision is audited.
 */
export class ReviewModeration {
  constructor(private readonly deps: ModerationDeps) {}

  async queue(by: StaffActor, query: { state?: ReviewState; limit?: number }): Promise<StaffReview[]> {
    requireModerator(by)
    const filter = query.state ? { state: query.state } : { state: { $in: UNDECIDED } }
    const docs = await this.deps.models.Review.find(filter)
      .sort({ createdAt: query.state && !UNDECIDED.includes(query.state) ? -1 : 1 })
      .limit(query.limit ?? 50)
      .lean<ReviewDoc[]>()
    return this.staffViews(docs)
  }

  async get(by: StaffActor, id: string): Promise<StaffReview> {
    requireModerator(by)
    return (await this.staffViews([await this.doc(id)]))[0]!
  }

  async approve(by: StaffActor, id: string, options: { confirmRisky?: boolean }): Promise<StaffReview> {
    requireModerator(by)
    const doc = await this.doc(id)
    if (doc.state === 'approved') {
      await this.deps.rewards.complete(doc._id)
      return this.get(by, id)
    }
    if (doc.state === 'rejected' || doc.state === 'removed') throw new Conflict(`the review is ${doc.state}`)
    const verdicts = [doc.checks.text.suggest, ...doc.photoIds.map((photoId) => photoVerdict(doc, photoId).suggest)]
    if (doc.state === 'checking' || verdicts.some((v) => v === null)) {
      throw new ChecksPending('WeChat’s content checks have not all answered; approve once they have (or reject it now)')
    }
    if (doc.state === 'held' && !options.confirmRisky) {
      throw new ContentRisky('a content check flagged this review: look at it, then approve with confirmRisky, or reject it')
    }
    const now = this.deps.now()
    const published = doc.photoIds.length > 0
    const done = await this.deps.models.Review.updateOne(
      { _id: doc._id, state: doc.state },
      {
        $set: {
          state: 'approved',
          moderatedBy: by.name,
          moderatedAt: now,
          publishedAt: published ? now : null,
          'reward.state': doc.campaignId ? 'pending' : 'none',
          updatedAt: now,
        },
      },
    )
    if (done.modifiedCount === 0) return this.approveAgain(by, id)
    if (published) await this.deps.photos.setPublished(id, true)
    await this.deps.audit.record(auditEntry(by, 'reviews.approve', doc.memberId, { reviewId: id, rating: doc.rating, confirmRisky: Boolean(options.confirmRisky) }, now, doc.store ?? undefined))
    await this.deps.rewards.complete(doc._id)
    return this.get(by, id)
  }

  async reject(by: StaffActor, id: string, input: { reason: ReviewRejectionReason; note?: string }): Promise<StaffReview> {
    requireModerator(by)
    const doc = await this.doc(id)
    if (doc.state === 'rejected' && doc.rejection.reason === input.reason) return this.get(by, id)
    if (!UNDECIDED.includes(doc.state)) throw new Conflict(`the review is ${doc.state}${doc.state === 'approved' ? ': remove it instead' : ''}`)
    const now = this.deps.now()
    const done = await this.deps.models.Review.updateOne(
      { _id: doc._id, state: doc.state },
      { $set: { state: 'rejected', rejection: { reason: input.reason, note: input.note ?? null }, moderatedBy: by.name, moderatedAt: now, updatedAt: now } },
    )
    if (done.modifiedCount === 0) throw new Conflict('the review changed meanwhile; look at it again')
    await this.deps.audit.record(auditEntry(by, 'reviews.reject', doc.memberId, { reviewId: id, reason: input.reason }, now, doc.store ?? undefined))
    return this.get(by, id)
  }

  /** Staff remove a review (approved or not): unpublished, its photos deleted, its reward reversed. */
  async remove(by: StaffActor, id: string, input: { reason: ReviewRejectionReason; note?: string }): Promise<StaffReview> {
    requireModerator(by)
    const doc = await this.doc(id)
    const removed = await this.removeDoc(doc, by.name, { reason: input.reason, note: input.note ?? null })
    if (removed) await this.deps.audit.record(auditEntry(by, 'reviews.remove', doc.memberId, { reviewId: id, reason: input.reason }, this.deps.now(), doc.store ?? undefined))
    return this.get(by, id)
  }

  /** The author deletes their review: the same as a removal (the reward is reversed). */
  async removeOwn(memberId: string, id: string): Promise<void> {
    const doc = await this.deps.models.Review.findOne({ _id: id, memberId: new Types.ObjectId(memberId) }).lean<ReviewDoc>()
    if (!doc) throw new NotFound(`review ${id} not found`)
    await this.removeDoc(doc, 'member', { reason: 'author_deleted', note: null })
  }

  async reply(by: StaffActor, id: string, text: string): Promise<StaffReview> {
    requireModerator(by)
    const doc = await this.doc(id)
    if (doc.state !== 'approved') throw new Conflict('the brand replies to published reviews only')
    const now = this.deps.now()
    await this.deps.models.Review.updateOne({ _id: doc._id }, { $set: { reply: { text, by: by.name, at: now }, updatedAt: now } })
    await this.deps.audit.record(auditEntry(by, 'reviews.reply', doc.memberId, { reviewId: id }, now, doc.store ?? undefined))
    return this.get(by, id)
  }

  /** Marks the review removed (once), deletes its photos and reverses its reward; answers whether it was removed now. */
  private async removeDoc(doc: ReviewDoc, who: string, rejection: { reason: string; note: string | null }): Promise<boolean> {
    const now = this.deps.now()
    const done = await this.deps.models.Review.updateOne(
      { _id: doc._id, state: { $ne: 'removed' } },
      { $set: { state: 'removed', removedAt: now, removedBy: who, publishedAt: null, rejection, updatedAt: now } },
    )
    // a repeat still finishes what a crash may have left: photos and reward (each step repeatable)
    await this.deps.photos.removeFor(doc._id.toString())
    await this.deps.rewards.reverse(doc._id)
    return done.modifiedCount > 0
  }

  private async approveAgain(by: StaffActor, id: string): Promise<StaffReview> {
    const doc = await this.doc(id)
    if (doc.state !== 'approved') throw new Conflict('the review changed meanwhile; look at it again')
    await this.deps.rewards.complete(doc._id)
    return this.get(by, id)
  }

  private async doc(id: string): Promise<ReviewDoc> {
    const doc = await this.deps.models.Review.findById(id).lean<ReviewDoc>()
    if (!doc) throw new NotFound(`review ${id} not found`)
    return doc
  }

  private async staffViews(docs: ReviewDoc[]): Promise<StaffReview[]> {
    return this.deps.views.forStaff(docs, await nicknamesOf(this.deps.members, docs.map((d) => d.memberId)))
  }
}
