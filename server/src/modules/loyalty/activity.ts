import { addGrowth, BalanceLimitError, combine, credit, debit, type Balances } from '@member-center/shared'
import { Conflict, NotFound, ValidationFailed } from '../../core/errors.js'
import type { MemberRepository } from '../members/repository.js'
import { keyPart } from './keys.js'
import type { LedgerService } from './ledger.js'
import { fingerprint } from '../../core/fingerprint.js'

/** Why activity points are granted (the ledger entry's reason). */
export const ACTIVITY_REASONS = ['review', 'birthday', 'campaign', 'goodwill'] as const
export type ActivityReason = (typeof ACTIVITY_REASONS)[number]

/** The most points one activity grant can give. */
export const MAX_ACTIVITY_POINTS = 1_000_000

export interface ActivityGrant {
  /** the caller's business key, unique per member, e.g. `review:{reviewId}` or `birthday:2026` */
  key: string
  reason: ActivityReason
  points: number
  note?: string
}

export interface ActivityOutcome {
  /** applied; duplicate: this member's key was granted before with the same reason and points, nothing changed again */
  status: 'applied' | 'duplicate'
  points: number
  /** growth added with the points (the policy's activityAddsGrowth: as many as the points, or none) */
  growth: number
}

/** The ledger key of an activity grant: the caller's key, scoped to the member. */
export const activityKey = (memberId: string, key: string) => `activity:${memberId}:${keyPart(key)}`
/** The ledger key of an activity grant's reversal. */
export const activityReversalKey = (memberId: string, key: string) => activityKey(memberId, `${key}:reversal`)

/**
 * Activity points — reviews, birthday, campaigns, staff goodwill — granted through the ledger with their reason, as
 * available points (no return window). Whether they also add growth (as much as the points) is the policy's
 * `activityAddsGrowth` (default on: the brand's plan counts them). Idempotent by the caller's key, scoped per
 * member: a retry answers `duplicate`; the same key with another reason or amount is a 409.
 */
export class ActivityService {
  constructor(
    private readonly members: MemberRepository,
    private readonly ledger: LedgerService,
    private readonly now: () => Date,
  ) {}

  async grant(memberId: string, input: ActivityGrant): Promise<ActivityOutcome> {
    if (!ACTIVITY_REASONS.includes(input.reason)) throw new ValidationFailed(`reason must be one of ${ACTIVITY_REASONS.join(', ')}`)
    if (!Number.isInteger(input.points) || input.points < 1 || input.points > MAX_ACTIVITY_POINTS) {
      throw new ValidationFailed(`points must be a whole number from 1 to ${MAX_ACTIVITY_POINTS}`)
    }
    if (typeof input.key !== 'string' || input.key.length < 1 || input.key.length > 200) throw new ValidationFailed('key must be 1 to 200 characters')
    if (!(await this.members.exists(memberId))) throw new NotFound(`member ${memberId} not found`)
    const at = this.now()
    const key = activityKey(memberId, input.key)
    const requestHash = fingerprint([input.reason, input.points])
    let growth = 0
    let result
    try {
      result = await this.ledger.apply(memberId, {
        key,
        reason: input.reason,
        at,
        note: input.note,
        requestHash,
        compute: (b, { policy }) => {
          growth = policy.activityAddsGrowth ? input.points : 0
          return combine(b, (x) => credit(x, input.points, at, policy), ...(growth > 0 ? [(x: Balances) => addGrowth(x, growth, at)] : []))
        },
      })
    } catch (error) {
      if (error instanceof BalanceLimitError) throw new Conflict(error.message)
      throw error
    }
    if (result.status === 'applied') return { status: 'applied', points: input.points, growth }
    const recorded = await this.ledger.entry(key)
    if (recorded?.requestHash && recorded.requestHash !== requestHash) {
      throw new Conflict(`key ${input.key} was used for another grant to this member (a different reason or amount)`)
    }
    return { status: 'duplicate', points: 0, growth: 0 }
  }

  /**
   * Takes back an activity grant (a review removed after its reward): the points it gave — from what is available,
   * the shortfall becoming debt or absorbed as the policy says, like a refund — and the growth it added (from the
   * day it counted), under the key `{key}:reversal`, once. Answers `missing` when the grant was never applied.
   */
  async reverse(memberId: string, input: { key: string; reason: ActivityReason; note?: string }): Promise<'reversed' | 'duplicate' | 'missing'> {
    const granted = await this.ledger.amounts(activityKey(memberId, input.key))
    if (!granted) return 'missing'
    const result = await this.ledger.apply(memberId, {
      key: activityReversalKey(memberId, input.key),
      reason: input.reason,
      at: this.now(),
      note: input.note,
      growthAt: granted.at,
      compute: (b, { policy }) =>
        combine(
          b,
          (x) => debit(x, granted.points, 'reverse', policy),
          ...(granted.growth > 0 ? [(x: Balances) => addGrowth(x, -Math.min(granted.growth, x.growth), granted.at)] : []),
        ),
    })
    return result.status === 'applied' ? 'reversed' : 'duplicate'
  }
}
