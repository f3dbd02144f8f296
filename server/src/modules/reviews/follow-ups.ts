import {
  FOLLOW_UP_CLASS_LABELS,
  FOLLOW_UP_CLASSES,
  dayNumberOf,
  lastDayNumberOfMonth,
  startOfShanghaiDayNumber,
  type FollowUp,
  type FollowUpClass,
  type UpdateFollowUp,
} from '@member-center/shared'
import { Types } from 'mongoose'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import { Forbidden, NotFound } from '../../core/errors.js'
import type { AuditLog } from '../../core/audit.js'
import { auditEntry, storeScope, type StaffActor } from '../appointments/staff-actor.js'
import type { MemberRepository } from '../members/repository.js'
import type { ReviewsModels } from './models.js'
import { guessFollowUpClass } from './rules.js'
import { nicknamesOf, type ReviewDoc } from './views.js'

interface FollowUpDoc {
  _id: Types.ObjectId
  reviewId: Types.ObjectId
  memberId: Types.ObjectId
  orderId: string
  store: string | null
  productName: string
  rating: number
  text: string
  class: FollowUpClass
  status: 'open' | 'contacted' | 'resolved'
  assignee: { id: string; name: string } | null
  notes: { text: string; by: string; at: Date }[]
  createdAt: Date
  updatedAt: Date
}

/** Who a follow-up may be assigned to: an active staff member (of the follow-up's store, for a manager). */
export type StaffLookup = (id: string) => Promise<{ id: string; name: string; store: string | null; active: boolean } | null>

/**
 * The follow-up log: every review rated 1–3 (whatever moderation decides) becomes a case for the store of the sale
 * or, for online orders, the service team — classified (a first guess from the text, staff correct it), assigned,
 * moved open → contacted → resolved with notes, and counted by class per month. Staff and managers see their store's
 * cases; admins (the service team) every case.
 */
export class ReviewFollowUps {
  constructor(
    private readonly models: ReviewsModels,
    private readonly members: MemberRepository,
    private readonly staff: StaffLookup,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
  ) {}

  /** Opens the case of a low-rated review (once: a retried submission opens none). */
  async open(review: ReviewDoc): Promise<void> {
    const now = this.now()
    try {
      await this.models.ReviewFollowUp.create({
        reviewId: review._id,
        memberId: review.memberId,
        orderId: review.orderId,
        store: review.store,
        productName: review.productName,
        rating: review.rating,
        text: review.text,
        class: guessFollowUpClass(review.text),
        status: 'open',
        assignee: null,
        notes: [],
        createdAt: now,
        updatedAt: now,
      })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
  }

  async list(by: StaffActor, query: { status?: string; store?: string; limit?: number }): Promise<FollowUp[]> {
    const scope = storeScope(by)
    if (scope !== null && query.store !== undefined && query.store !== scope) throw new Forbidden('you see your own store’s follow-ups')
    const filter: Record<string, unknown> = {}
    const store = scope ?? query.store
    if (store !== undefined) filter.store = store
    if (query.status) filter.status = query.status
    const docs = await this.models.ReviewFollowUp.find(filter).sort({ createdAt: -1 }).limit(query.limit ?? 50).lean<FollowUpDoc[]>()
    return this.views(docs)
  }

  async update(by: StaffActor, id: string, patch: UpdateFollowUp): Promise<FollowUp> {
    const doc = await this.models.ReviewFollowUp.findById(id).lean<FollowUpDoc>()
    const scope = storeScope(by)
    // another store's case reads as missing
    if (!doc || (scope !== null && doc.store !== scope)) throw new NotFound(`follow-up ${id} not found`)
    const now = this.now()
    const set: Record<string, unknown> = { updatedAt: now }
    if (patch.class) set.class = patch.class
    if (patch.status) set.status = patch.status
    if (patch.assigneeId) {
      const person = await this.staff(patch.assigneeId)
      if (!person || !person.active) throw new NotFound(`staff member ${patch.assigneeId} not found`)
      if (scope !== null && person.store !== scope) throw new Forbidden('assign a follow-up to someone of your store')
      set.assignee = { id: person.id, name: person.name }
    }
    const update: Record<string, unknown> = { $set: set }
    if (patch.note) update.$push = { notes: { text: patch.note, by: by.name, at: now } }
    await this.models.ReviewFollowUp.updateOne({ _id: doc._id }, update)
    await this.audit.record(auditEntry(by, 'reviews.follow-up', doc.memberId, { followUpId: id, ...patch }, now, doc.store ?? undefined))
    const [view] = await this.views([(await this.models.ReviewFollowUp.findById(id).lean<FollowUpDoc>())!])
    return view!
  }

  /** Cases opened in a Shanghai month, by class and status (a store's, or every store's for an admin). */
  async report(by: StaffActor, month: string, store?: string) {
    const scope = storeScope(by)
    if (scope !== null && store !== undefined && store !== scope) throw new Forbidden('you see your own store’s follow-ups')
    const from = startOfShanghaiDayNumber(dayNumberOf(`${month}-01`))
    const to = startOfShanghaiDayNumber(lastDayNumberOfMonth(month) + 1)
    const filter: Record<string, unknown> = { createdAt: { $gte: from, $lt: to } }
    const chosen = scope ?? store
    if (chosen !== undefined) filter.store = chosen
    const docs = await this.models.ReviewFollowUp.find(filter, { class: 1, status: 1 }).lean<Pick<FollowUpDoc, 'class' | 'status'>[]>()
    const byClass = FOLLOW_UP_CLASSES.map((c) => {
      const of = docs.filter((d) => d.class === c)
      const count = (status: string) => of.filter((d) => d.status === status).length
      return { class: c, label: FOLLOW_UP_CLASS_LABELS[c], total: of.length, open: count('open'), contacted: count('contacted'), resolved: count('resolved') }
    })
    return { month, store: chosen ?? null, total: docs.length, byClass }
  }

  private async views(docs: FollowUpDoc[]): Promise<FollowUp[]> {
    const nicknames = await nicknamesOf(this.members, docs.map((d) => d.memberId))
    return docs.map((d) => ({
      id: d._id.toString(),
      reviewId: d.reviewId.toString(),
      memberId: d.memberId.toString(),
      nickname: nicknames.get(d.memberId.toString()) ?? '',
      orderId: d.orderId,
      store: d.store,
      productName: d.productName,
      rating: d.rating,
      text: d.text,
      class: d.class,
      status: d.status,
      assignee: d.assignee ?? null,
      notes: d.notes.map((n) => ({ text: n.text, by: n.by, at: n.at.toISOString() })),
      createdAt: d.createdAt.toISOString(),
      updatedAt: d.updatedAt.toISOString(),
    }))
  }

}
