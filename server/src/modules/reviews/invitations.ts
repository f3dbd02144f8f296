import { rewardText } from '@member-center/shared'
import type { FastifyBaseLogger } from 'fastify'
import type { Types } from 'mongoose'
import { isDuplicateKey } from '../../core/duplicate-key.js'
import type { DomainEvent } from '../../core/events/index.js'
import type { JobRunner } from '../../core/jobs/runner.js'
import type { MemberOrders, ReceivedLine } from '../loyalty/member-orders.js'
import type { MessagingService } from '../messaging/index.js'
import type { Campaign, ReviewCampaigns } from './campaigns.js'
import type { ReviewsModels } from './models.js'
import { campaignForLine, invitationDue, type MemberStanding } from './rules.js'

export const INVITE_JOB = 'reviews.invite'
/** A new campaign's job: invites the recent buyers of its purchase window (a page of orders per run). */
export const CAMPAIGN_INVITES_JOB = 'reviews.campaign-invites'
/** How recently an order must have been received for a new campaign to invite its buyer. */
const BACKFILL_RECEIVED_DAYS = 30
const BACKFILL_PAGE = 500

export interface InvitationDeps {
  models: ReviewsModels
  campaigns: ReviewCampaigns
  orders: MemberOrders
  standing: (memberId: string) => Promise<MemberStanding>
  messaging: Pick<MessagingService, 'enqueue'>
  jobs: JobRunner
  now: () => Date
  log: FastifyBaseLogger
}

/**
 * Invitations to review: when an order is received (delivered; an in-store sale at once), the open campaigns its
 * lines fall under decide whether and when its one invitation goes (the shortest inviteAfterDays among them, default
 * 3 days). When it is due, what still holds is checked again — lines not returned nor reviewed, a campaign still
 * open — and a `review_invitation` message goes through messaging (consent and quiet hours apply). Its words invite
 * an honest review with photos, never a good rating; the reward is for this mini-program's reviews only.
 */
export class ReviewInvitations {
  constructor(private readonly deps: InvitationDeps) {}

  /** order.delivered, and order.paid for in-store sales: plans the order's invitation. */
  async onOrderReceived(event: DomainEvent): Promise<void> {
    if (event.type === 'order.paid' && event.payload.channel !== 'store') return
    const orderId = String(event.payload.orderId ?? '')
    if (!orderId) return
    const order = await this.deps.orders.receivedOrder(orderId)
    if (order) await this.plan(orderId, order)
  }

  /**
   * A new campaign's invitations for orders received before it existed (in the last 30 days, paid in its window): each
   * planned as if just delivered — due inviteAfterDays after receipt, or now if that has passed. Answers the next
   * page's cursor (null: done).
   */
  async backfill(campaignId: string, after: string | null): Promise<string | null> {
    const campaign = await this.deps.campaigns.doc(campaignId)
    const now = this.deps.now()
    if (!campaign || campaign.endedAt || campaign.endsAt <= now) return null
    const receivedSince = new Date(now.getTime() - BACKFILL_RECEIVED_DAYS * 86_400_000)
    const page = await this.deps.orders.receivedPaidBetween({ from: campaign.purchaseFrom, to: campaign.purchaseTo, receivedSince }, after, BACKFILL_PAGE)
    for (const order of page) if (order.lines.length > 0) await this.plan(order.orderId, order)
    return page.length === BACKFILL_PAGE ? page[page.length - 1]!.orderId : null
  }

  /** Plans an order's one invitation when open campaigns cover its lines (a second plan of the order changes nothing). */
  private async plan(orderId: string, order: { memberId: Types.ObjectId; lines: ReceivedLine[] }): Promise<void> {
    const offers = await this.offers(order.memberId, order.lines)
    if (offers.length === 0) return
    const receivedAt = order.lines[0]!.receivedAt
    const due = invitationDue(receivedAt, offers.map((o) => o.campaign.inviteAfterDays))
    const dueAt = due.getTime() < this.deps.now().getTime() ? this.deps.now() : due
    try {
      await this.deps.models.ReviewInvitation.create({
        _id: orderId,
        memberId: order.memberId,
        campaignIds: [...new Set(offers.map((o) => o.campaign.id))],
        lineIds: offers.map((o) => o.line.lineId),
        dueAt,
        state: 'scheduled',
        createdAt: this.deps.now(),
      })
    } catch (error) {
      // the order's invitation is planned already (a replayed event, or delivered after an in-store sale)
      if (!isDuplicateKey(error)) throw error
      return
    }
    await this.deps.jobs.schedule(`${INVITE_JOB}:${orderId}`, INVITE_JOB, { orderId }, dueAt)
  }

  /** The invitation job: sends it if a line is still open to a rewarded review, else records why not. */
  async send(orderId: string): Promise<void> {
    const { models, messaging } = this.deps
    const invitation = await models.ReviewInvitation.findById(orderId).lean<{ _id: string; state: string; memberId: Types.ObjectId }>()
    if (!invitation || invitation.state !== 'scheduled') return
    const order = await this.deps.orders.receivedOrder(orderId)
    const reviewed = new Set(
      (await models.Review.find({ orderId }, { lineId: 1 }).lean<{ lineId: string }[]>()).map((r) => r.lineId),
    )
    const open = order ? order.lines.filter((l) => !reviewed.has(l.lineId)) : []
    const offers = order && open.length > 0 ? await this.offers(order.memberId, open) : []
    if (offers.length === 0) {
      const reason = !order ? 'returned' : open.length === 0 ? 'reviewed' : 'campaign closed'
      await models.ReviewInvitation.updateOne({ _id: orderId, state: 'scheduled' }, { $set: { state: 'skipped', skipReason: reason } })
      return
    }
    const first = offers[0]!
    const item = offers.length > 1 ? `${first.line.name} 等 ${offers.length} 件` : first.line.name
    await messaging.enqueue([
      { dedupeKey: `review_invitation:${orderId}`, kind: 'review_invitation', memberId: invitation.memberId, data: { item, reward: rewardText(first.campaign.reward) } },
    ])
    await models.ReviewInvitation.updateOne({ _id: orderId, state: 'scheduled' }, { $set: { state: 'sent', sentAt: this.deps.now() } })
  }


  private async offers(memberId: Types.ObjectId, lines: ReceivedLine[]): Promise<{ line: ReceivedLine; campaign: Campaign }[]> {
    const now = this.deps.now()
    const open = await this.deps.campaigns.open(now)
    if (open.length === 0) return []
    const standing = await this.deps.standing(memberId.toString())
    return lines.flatMap((line) => {
      const campaign = campaignForLine(line, standing, open, now)
      return campaign ? [{ line, campaign }] : []
    })
  }
}
