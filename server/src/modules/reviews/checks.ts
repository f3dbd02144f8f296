import type { ContentSuggest } from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import { Types } from 'mongoose'
import type { WechatClient } from '../../core/wechat/client.js'
import type { MemberRepository } from '../members/repository.js'
import type { ReviewsModels } from './models.js'
import type { ReviewPhotos } from './photos/index.js'
import { stateFromChecks } from './rules.js'
import { photoVerdict, type ReviewDoc } from './views.js'

/** WeChat's scene for what users publish as comments (评论). */
const COMMENT_SCENE = 2
/** A media check without a verdict after this long is sent again (WeChat answers within 30 minutes as a rule). */
export const MEDIA_CHECK_RETRY_MS = 60 * 60_000

const TRACE_ID = /^[A-Za-z0-9_-]{1,128}$/
const SUGGESTS = new Set<ContentSuggest>(['pass', 'risky', 'review'])
const asSuggest = (value: unknown): ContentSuggest | null => (typeof value === 'string' && SUGGESTS.has(value as ContentSuggest) ? (value as ContentSuggest) : null)

export interface CheckDeps {
  models: ReviewsModels
  wechat: Pick<WechatClient, 'checkText' | 'checkMediaAsync'>
  members: MemberRepository
  photos: Pick<ReviewPhotos, 'checkUrl'>
  now: () => Date
  log: FastifyBaseLogger
}

/**
 * WeChat's content checks on what members publish: the text through msg_sec_check (v2, an answer at once), each
 * photo through media_check_async (v2: a trace id now, the verdict later as a `wxa_media_check` push). The review
 * leaves `checking` once every verdict is in: `pending` when all pass, `held` for a person otherwise (a risky
 * verdict holds it at once). Nothing is published before. The job is repeatable: what already has a verdict or a
 * trace id is not sent again.
 */
export class ContentChecks {
  constructor(private readonly deps: CheckDeps) {}

  /** The check job: sends what has not been sent, then settles the state. */
  async run(reviewId: string): Promise<void> {
    const { models, members, wechat, photos, now } = this.deps
    const doc = await models.Review.findById(reviewId).lean<ReviewDoc>()
    if (!doc || (doc.state !== 'checking' && doc.state !== 'held')) return
    const member = await members.findById(doc.memberId)
    if (!member) return
    const openid = (member as unknown as { openid: string }).openid
    if (doc.checks.text.suggest === null) {
      // nothing to check in an empty text
      const verdict = doc.text.trim() === '' ? { suggest: 'pass' as const, label: 100, traceId: null } : await wechat.checkText({ openid, content: doc.text, scene: COMMENT_SCENE })
      await models.Review.updateOne({ _id: doc._id }, { $set: { 'checks.text': { suggest: verdict.suggest, label: verdict.label, traceId: verdict.traceId } } })
    }
    const asked = new Set(doc.checks.photos.map((p) => p.photoId.toString()))
    for (const photoId of doc.photoIds) {
      if (asked.has(photoId.toString())) continue
      const { traceId } = await wechat.checkMediaAsync({ openid, mediaUrl: photos.checkUrl(photoId.toString()), mediaType: 'image', scene: COMMENT_SCENE })
      await models.Review.updateOne({ _id: doc._id }, { $push: { 'checks.photos': { photoId, traceId }, traceIds: traceId } })
    }
    await models.Review.updateOne({ _id: doc._id }, { $set: { 'checks.requestedAt': now() } })
    await this.settle(doc._id)
  }

  /** A `wxa_media_check` push: the photo's verdict, found by its trace id (a push for no review of ours is ignored). */
  async onMediaVerdict(message: Record<string, unknown>): Promise<void> {
    // a trace id becomes a key of the verdicts: letters, digits, - and _ only (never a . or $)
    const traceId = typeof message.trace_id === 'string' && TRACE_ID.test(message.trace_id) ? message.trace_id : null
    const result = (message.result ?? {}) as Record<string, unknown>
    const suggest = asSuggest(result.suggest)
    if (!traceId || !suggest) {
      this.deps.log.warn({ traceId }, 'a wxa_media_check push without a trace id or a verdict; ignored')
      return
    }
    const label = Number.isFinite(Number(result.label)) ? Number(result.label) : null
    const doc = await this.deps.models.Review.findOne({ traceIds: traceId }, { _id: 1 }).lean<{ _id: Types.ObjectId }>()
    if (!doc) return
    await this.deps.models.Review.updateOne({ _id: doc._id }, { $set: { [`checks.verdicts.${traceId}`]: { suggest, label } } })
    await this.settle(doc._id)
  }

  /** Media checks still without a verdict long after they were sent: send them again (the job runs hourly). */
  async resendStale(): Promise<number> {
    const before = new Date(this.deps.now().getTime() - MEDIA_CHECK_RETRY_MS)
    const docs = await this.deps.models.Review.find({ state: { $in: ['checking', 'held'] }, 'checks.requestedAt': { $lte: before } }).limit(200).lean<ReviewDoc[]>()
    let resent = 0
    for (const doc of docs) {
      const answered = doc.checks.photos.filter((p) => doc.checks.verdicts?.[p.traceId])
      if (answered.length === doc.photoIds.length && doc.checks.text.suggest !== null) continue
      await this.deps.models.Review.updateOne({ _id: doc._id }, { $set: { 'checks.photos': answered } })
      await this.run(doc._id.toString())
      resent += 1
    }
    return resent
  }

  /** Moves the review out of `checking` when the verdicts say so (only from checking or held: never undoes a decision). */
  private async settle(reviewId: Types.ObjectId): Promise<void> {
    const doc = await this.deps.models.Review.findById(reviewId).lean<ReviewDoc>()
    if (!doc || (doc.state !== 'checking' && doc.state !== 'held')) return
    const photoVerdicts = doc.photoIds.map((id) => photoVerdict(doc, id).suggest)
    const next = stateFromChecks(doc.checks.text.suggest, photoVerdicts)
    if (next === doc.state) return
    // a held review is never brought back to checking or pending by a later pass
    if (doc.state === 'held') return
    await this.deps.models.Review.updateOne({ _id: doc._id, state: doc.state }, { $set: { state: next, updatedAt: this.deps.now() } })
  }
}
