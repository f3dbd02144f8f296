import { addDays, expireDue, shanghaiDate, startOfNextShanghaiDay, type Balances } from '@member-center/shared'
import type { JobRunner } from '../jobs/runner.js'
import type { Models } from '../models/index.js'
import type { MemberDoc } from '../models/member.js'
import type { LedgerService } from './ledger.js'
import type { PolicyStore } from './policy-store.js'
import { ignoreDuplicateKey } from '../models/duplicate-key.js'

export const DAILY_JOB = 'loyalty.daily'

/**
 * The daily loyalty sweep (just after midnight, Shanghai): expire due lots, remind members of points expiring within
 * the reminder window, review tiers whose review date has come, and finish changes a crashed process left half-written.
 * Each step is keyed, so running a day twice changes nothing.
 */
export class LoyaltySweeps {
  constructor(
    private readonly models: Models,
    private readonly ledger: LedgerService,
    private readonly policies: PolicyStore,
    private readonly jobs: JobRunner,
    private readonly now: () => Date,
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
    // finished jobs are kept a month for inspection; their effects are keyed elsewhere, so dropping them is safe
    await this.models.Job.deleteMany({ state: 'done', doneAt: { $lt: addDays(now, -30) } })
    await this.scheduleNext(now)
  }

  /** Expires every lot due by `now`. */
  async expire(now: Date): Promise<number> {
    const members = await this.models.Member.find({ 'lots.expiresAt': { $lte: now.getTime() } }, { _id: 1, lots: 1 }).lean<MemberDoc[]>()
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

  /** A points.expiring event per member and lot expiring within the reminder window (once per lot). */
  async remind(now: Date): Promise<number> {
    const policy = await this.policies.current()
    const horizon = addDays(now, policy.expiryReminderDays).getTime()
    const members = await this.models.Member.find(
      { 'lots.expiresAt': { $gt: now.getTime(), $lte: horizon } },
      { _id: 1, lots: 1 },
    ).lean<MemberDoc[]>()
    let count = 0
    for (const m of members) {
      for (const lot of m.lots as Balances['lots']) {
        if (lot.expiresAt === null || lot.expiresAt <= now.getTime() || lot.expiresAt > horizon) continue
        const expiresAt = new Date(lot.expiresAt).toISOString()
        try {
          await this.models.DomainEvent.create({
            _id: `points.expiring:${m._id.toString()}:${expiresAt}`,
            key: `points.expiring:${m._id.toString()}:${expiresAt}`,
            type: 'points.expiring',
            memberId: m._id,
            payload: { points: lot.remaining, expiresAt },
            at: now,
          })
          count++
        } catch (error) {
          ignoreDuplicateKey(error)
        }
      }
    }
    return count
  }

  /** Rolling-12-months policy: members whose review date has come keep the tier their last 12 months reach. */
  async reviewTiers(now: Date): Promise<number> {
    const policy = await this.policies.current()
    if (policy.tiers.kind !== 'rolling-12-months') return 0
    const due = await this.models.Member.find({ tierReviewAt: { $lte: now } }, { _id: 1, tierReviewAt: 1 }).lean<MemberDoc[]>()
    for (const m of due) {
      const reviewAt = m.tierReviewAt as Date
      const result = await this.ledger.apply(m._id, {
        key: `tier-review:${m._id.toString()}:${reviewAt.toISOString()}`,
        reason: 'annual review',
        at: now,
        review: true,
        compute: (b) => ({ balances: b, points: { available: 0, pending: 0, debt: 0, expired: 0 }, growth: 0, absorbed: 0, debtRepaid: 0 }),
      })
      // kept the tier: the next review is a year on (a change of tier already set it)
      if (result.status !== 'applied') {
        await this.models.Member.updateOne({ _id: m._id, tierReviewAt: reviewAt }, { $set: { tierReviewAt: addDays(reviewAt, 365) } })
      }
    }
    return due.length
  }
}
