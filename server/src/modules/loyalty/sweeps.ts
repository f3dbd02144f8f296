import { addDays, expireDue, shanghaiDate, startOfNextShanghaiDay, tierStanding, unchanged, type Balances } from '@member-center/shared'
import type { DomainEvents } from '../../core/events/index.js'
import type { JobRunner } from '../../core/jobs/runner.js'
import type { MemberBalances } from '../members/balances.js'
import { toBalances, type LedgerService } from './ledger.js'
import type { PolicyStore } from './policy-store.js'
import type { TierTable } from './tier-table.js'

export const DAILY_JOB = 'loyalty.daily'

/** The keep reminder goes out this many days before a rolling-policy tier review. */
export const REVIEW_REMINDER_DAYS = 30

/**
 * The daily loyalty sweep (just after midnight, Shanghai): expire due lots, remind members of points expiring within
 * the reminder window, review tiers whose review date has come, and finish changes a crashed process left half-written.
 * Each step is keyed, so running a day twice changes nothing.
 */
export class LoyaltySweeps {
  constructor(
    private readonly members: MemberBalances,
    private readonly events: DomainEvents,
    private readonly ledger: LedgerService,
    private readonly policies: PolicyStore,
    private readonly jobs: JobRunner,
    private readonly now: () => Date,
    private readonly tiers?: TierTable,
  ) {}

  /** Makes sure the next daily run is scheduled. */
  async scheduleNext(after: Date = this.now()): Promise<void> {
    const due = new Date(startOfNextShanghaiDay(after).getTime() + 5 * 60_000)
    await this.jobs.schedule(`${DAILY_JOB}:${shanghaiDate(due)}`, DAILY_JOB, {}, due)
  }

  async daily(): Promise<void> {
    const now = this.now()
    await this.ledger.recover(new Date(now.getTime() - 60_000))
    await this.expire(now)
    await this.remind(now)
    await this.reviewTiers(now)
    await this.remindReviews(now)
    // finished jobs are kept a month for inspection; their effects are keyed elsewhere, so dropping them is safe
    await this.jobs.purgeDone(addDays(now, -30))
    await this.scheduleNext(now)
  }

  /** Expires every lot due by `now`. */
  async expire(now: Date): Promise<number> {
    const members = await this.members.withLotsExpiring(now.getTime())
    let count = 0
    for (const m of members) {
      const due = (m.lots as Balances['lots']).filter((l) => l.expiresAt !== null && l.expiresAt <= now.getTime())
      if (due.length === 0) continue
      const last = Math.max(...due.map((l) => l.expiresAt!))
      const result = await this.ledger.apply(m._id, {
        key: `expire:${m._id.toString()}:${new Date(last).toISOString()}`,
        reason: 'expire',
        at: now,
        compute: (b) => expireDue(b, now),
        events: (c) => [{ type: 'points.expired', payload: { points: c.points.expired, expiresAt: new Date(last).toISOString() } }],
      })
      if (result.status === 'applied') count++
    }
    return count
  }

  /**
   * Rolling policy: a tier.review_upcoming event REVIEW_REMINDER_DAYS before a member's review, when the growth that
   * will still count on that day does not keep the tier — with what is still needed (the keep reminder tells it).
   * Keyed by the review date: once per review.
   */
  async remindReviews(now: Date): Promise<number> {
    const policy = await this.policies.current()
    if (policy.tiers.kind !== 'rolling-12-months' || !this.tiers) return 0
    const tiers = await this.tiers.current()
    const members = await this.members.withTierReviewBetween(addDays(now, REVIEW_REMINDER_DAYS - 1), addDays(now, REVIEW_REMINDER_DAYS))
    const reminders = members.flatMap((m) => {
      const standing = tierStanding({ tierLevel: m.tierLevel ?? 1, tierReviewAt: m.tierReviewAt as Date, balances: toBalances(m) }, tiers, policy, now)
      if (!standing.review || standing.review.toKeep <= 0) return []
      const reviewAt = (m.tierReviewAt as Date).toISOString()
      return [
        {
          key: `tier.review_upcoming:${m._id.toString()}:${reviewAt}`,
          type: 'tier.review_upcoming',
          memberId: m._id,
          payload: { tierLevel: standing.held.level, tierName: standing.held.name, reviewAt, toKeep: standing.review.toKeep },
          at: now,
        },
      ]
    })
    await this.events.writeMany(reminders, { checkFirst: true })
    return reminders.length
  }

  /** A points.expiring event per member and lot expiring within the reminder window (once per lot: keyed). */
  async remind(now: Date): Promise<number> {
    const policy = await this.policies.current()
    const horizon = addDays(now, policy.expiryReminderDays).getTime()
    const members = await this.members.withLotsExpiring(horizon, now.getTime())
    const reminders = members.flatMap((m) =>
      (m.lots as Balances['lots'])
        .filter((lot) => lot.expiresAt !== null && lot.expiresAt > now.getTime() && lot.expiresAt <= horizon)
        .map((lot) => {
          const expiresAt = new Date(lot.expiresAt!).toISOString()
          const key = `points.expiring:${m._id.toString()}:${expiresAt}`
          return { key, type: 'points.expiring', memberId: m._id, payload: { points: lot.remaining, expiresAt }, at: now }
        }),
    )
    await this.events.writeMany(reminders, { checkFirst: true })
    return reminders.length
  }

  /**
   * Rolling policy: members whose review date has come keep the tier the growth of the 365 days before the review
   * reaches (to the Shanghai day: on a review run on 2027-03-10, growth of 2026-03-10 counts and of 2026-03-09 does
   * not). Under the lifetime policy the reviews that end a tier hold are a job of their own (tier-rules.ts).
   */
  async reviewTiers(now: Date): Promise<number> {
    const policy = await this.policies.current()
    const heldEnded = await this.endMigratedHolds(now)
    if (policy.tiers.kind !== 'rolling-12-months') return heldEnded
    const due = await this.members.withTierReviewDue(now)
    for (const m of due) {
      const reviewAt = m.tierReviewAt as Date
      const result = await this.ledger.apply(m._id, {
        key: `tier-review:${m._id.toString()}:${reviewAt.toISOString()}`,
        reason: 'annual review',
        at: now,
        review: true,
        compute: unchanged,
      })
      // kept the tier: the next review is a year on (a change of tier already set it)
      if (result.status !== 'applied') {
        await this.members.moveTierReview(m._id, reviewAt, addDays(reviewAt, 365))
      }
    }
    return heldEnded + due.length
  }

  /**
   * Migrated tiers whose hold has ended: under the lifetime policy the member is reviewed then (the total decides,
   * logged as a review with tier.changed); under the rolling policy their own review date does that. Either way the
   * hold is over.
   */
  private async endMigratedHolds(now: Date): Promise<number> {
    const due = await this.members.withTierHoldDue(now)
    for (const m of due) {
      const until = m.tierHeldUntil as Date
      // the hold's end is in the past: the review decides as of now, without it
      await this.members.endTierHold(m._id, until)
      await this.ledger.apply(m._id, { key: `tier-review:${m._id.toString()}:carried:${until.toISOString()}`, reason: 'annual review', at: now, review: true, compute: unchanged })
    }
    return due.length
  }
}
