import { REVIEW_REJECTION_LABELS, rewardText, type ContentSuggest, type Review, type ReviewRejectionReason, type ReviewState, type StaffReview } from '@member-center/shared'
import type { Types } from 'mongoose'
import type { MemberRepository } from '../members/repository.js'
import type { CampaignDoc } from './campaigns.js'
import type { PhotoView, ReviewPhotos } from './photos/index.js'

/** A review as stored (lean). */
export interface ReviewDoc {
  _id: Types.ObjectId
  memberId: Types.ObjectId
  orderId: string
  lineId: string
  sku: string
  category: string | null
  productName: string
  store: string | null
  rating: number
  text: string
  photoIds: Types.ObjectId[]
  state: ReviewState
  checks: {
    requestedAt: Date | null
    text: { suggest: 'pass' | 'risky' | 'review' | null; label: number | null; traceId: string | null }
    photos: { photoId: Types.ObjectId; traceId: string }[]
    verdicts: Record<string, { suggest: ContentSuggest; label: number | null }>
  }
  campaignId: Types.ObjectId | null
  rewardNote: string | null
  reward: {
    state: 'none' | 'pending' | 'granted' | 'over_budget' | 'reversed'
    points: number
    couponId: string | null
    grantedAt: Date | null
    couponKept: boolean
  }
  rejection: { reason: string | null; note: string | null }
  reply: { text: string | null; by: string | null; at: Date | null }
  moderatedBy: string | null
  moderatedAt: Date | null
  publishedAt: Date | null
  removedAt: Date | null
  removedBy: string | null
  createdAt: Date
  updatedAt: Date
}

const REWARD_NOTES: Partial<Record<ReviewDoc['reward']['state'], string>> = {
  over_budget: '本次活动奖励名额已发完',
  reversed: '评价已删除，奖励已收回',
}

/**
 * Builds the views of reviews: the member's (with the reward's progress and the rejection reason), staff's (with
 * the checks' verdicts and who moderated) — photos as signed links, one read for all the photos of a page.
 */
export class ReviewViews {
  constructor(
    private readonly photos: Pick<ReviewPhotos, 'views'>,
    private readonly campaignsOf: (ids: Types.ObjectId[]) => Promise<Map<string, Pick<CampaignDoc, 'name' | 'reward'>>>,
  ) {}

  async forMember(docs: ReviewDoc[]): Promise<Review[]> {
    const [photos, campaigns] = await Promise.all([this.photoMap(docs), this.campaignsOf(docs.flatMap((d) => (d.campaignId ? [d.campaignId] : [])))])
    return docs.map((doc) => memberView(doc, photos, campaigns))
  }

  async forStaff(docs: ReviewDoc[], nicknames: Map<string, string>): Promise<StaffReview[]> {
    const [photos, campaigns] = await Promise.all([this.photoMap(docs), this.campaignsOf(docs.flatMap((d) => (d.campaignId ? [d.campaignId] : [])))])
    return docs.map((doc) => ({
      ...memberView(doc, photos, campaigns),
      memberId: doc.memberId.toString(),
      nickname: nicknames.get(doc.memberId.toString()) ?? '',
      store: doc.store,
      checks: {
        text: { suggest: doc.checks.text.suggest, label: doc.checks.text.label },
        photos: doc.photoIds.map((id) => ({ photoId: id.toString(), ...photoVerdict(doc, id) })),
      },
      moderatedBy: doc.moderatedBy,
      moderatedAt: doc.moderatedAt?.toISOString() ?? null,
    }))
  }

  /** The photos of these reviews, by id (removed reviews have none left). */
  async photoMap(docs: Pick<ReviewDoc, 'photoIds' | 'state'>[]): Promise<Map<string, PhotoView>> {
    const ids = docs.filter((d) => d.state !== 'removed').flatMap((d) => d.photoIds.map((id) => id.toString()))
    if (ids.length === 0) return new Map()
    return new Map((await this.photos.views(ids)).map((v) => [v.id, v]))
  }
}

function memberView(doc: ReviewDoc, photos: Map<string, PhotoView>, campaigns: Map<string, Pick<CampaignDoc, 'name' | 'reward'>>): Review {
  const campaign = doc.campaignId ? campaigns.get(doc.campaignId.toString()) : undefined
  const reason = doc.rejection.reason as ReviewRejectionReason | null
  return {
    id: doc._id.toString(),
    orderId: doc.orderId,
    lineId: doc.lineId,
    sku: doc.sku,
    productName: doc.productName,
    rating: doc.rating,
    text: doc.text,
    photos: doc.photoIds.flatMap((id) => photos.get(id.toString()) ?? []),
    state: doc.state,
    rejection: reason ? { reason, label: REVIEW_REJECTION_LABELS[reason] ?? '作者已删除', note: doc.rejection.note } : null,
    reply: doc.reply.text && doc.reply.at ? { text: doc.reply.text, at: doc.reply.at.toISOString() } : null,
    campaign: campaign && doc.campaignId ? { id: doc.campaignId.toString(), name: campaign.name } : null,
    reward:
      campaign || doc.rewardNote
        ? {
            state: doc.reward.state,
            text: campaign ? rewardText(campaign.reward) : '',
            points: doc.reward.state === 'granted' ? doc.reward.points : 0,
            couponId: doc.reward.state === 'granted' ? doc.reward.couponId : null,
            note: REWARD_NOTES[doc.reward.state] ?? doc.rewardNote,
          }
        : null,
    createdAt: doc.createdAt.toISOString(),
  }
}

/** A photo's verdict: not sent yet or not answered yet → nulls. */
export function photoVerdict(doc: Pick<ReviewDoc, 'checks'>, photoId: Types.ObjectId): { suggest: ContentSuggest | null; label: number | null } {
  const sent = doc.checks.photos.find((p) => p.photoId.equals(photoId))
  const verdict = sent ? doc.checks.verdicts?.[sent.traceId] : undefined
  return { suggest: verdict?.suggest ?? null, label: verdict?.label ?? null }
}

/** The nicknames of these members, by id (one read each; a page holds a few dozen). */
export async function nicknamesOf(members: Pick<MemberRepository, 'findById'>, ids: (Types.ObjectId | string)[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids.map((id) => id.toString()))]
  const found = await Promise.all(unique.map((id) => members.findById(id)))
  return new Map(found.flatMap((m) => (m ? [[m._id.toString(), (m as unknown as { nickname: string }).nickname] as [string, string]] : [])))
}
