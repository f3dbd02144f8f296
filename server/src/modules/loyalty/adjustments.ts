import { addGrowth, BalanceLimitError, credit, debit, InsufficientPointsError, type AdjustmentResult, type CreateAdjustment } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { Conflict, InsufficientPoints, NotFound, ValidationFailed } from '../../core/errors.js'
import type { MemberRepository } from '../members/repository.js'
import { adjustKey, legacyAdjustKey } from './keys.js'
import type { LedgerService } from './ledger.js'
import { fingerprint } from '../../core/fingerprint.js'

/**
 * What an adjustment answers: `applied`; `duplicate` — this member's requestId was applied before with the same
 * body, nothing changed again; `noop` — the change would change nothing, nothing was recorded.
 */
export type AdjustmentOutcome = AdjustmentResult

/**
 * Operator adjustments: through the ledger like any other change, and written to the audit log. The idempotency
 * key is the operator's requestId scoped to the member (`adjust:{memberId}:{requestId}`); the request's fingerprint
 * (kind, delta, reason) is kept on its ledger entries, so a retry answers `duplicate` and the same requestId with
 * another body is a 409.
 */
export class AdjustmentService {
  constructor(
    private readonly members: MemberRepository,
    private readonly audit: AuditLog,
    private readonly ledger: LedgerService,
    private readonly now: () => Date,
  ) {}

  async adjust(memberId: string, input: CreateAdjustment, by: { actor: string; role: string }): Promise<AdjustmentOutcome> {
    if (input.delta === 0) throw new ValidationFailed('delta must not be 0')
    if (!(await this.members.exists(memberId))) throw new NotFound(`member ${memberId} not found`)
    const at = this.now()
    const key = adjustKey(memberId, input.requestId)
    const requestHash = requestFingerprint(input)
    // an adjustment made before keys were scoped per member (adjust:{requestId}) is still this member's request
    const legacy = await this.ledger.entry(legacyAdjustKey(input.requestId))
    if (legacy?.memberId.toString() === memberId) return this.answer(memberId, 'duplicate')

    let result
    try {
      result = await this.ledger.apply(memberId, {
        key,
        reason: 'adjust',
        at,
        note: `${input.reason} — ${by.actor}`,
        requestHash,
        compute: (b, { policy }) =>
          input.kind === 'growth'
            ? addGrowth(b, input.delta, at)
            : input.delta > 0
              ? credit(b, input.delta, at, policy)
              : debit(b, -input.delta, 'spend', policy),
      })
    } catch (error) {
      if (error instanceof InsufficientPointsError) throw new InsufficientPoints(error.message)
      if (error instanceof BalanceLimitError) throw new Conflict(error.message)
      if (error instanceof RangeError) throw new ValidationFailed(error.message)
      throw error
    }
    if (result.status === 'duplicate') {
      const recorded = await this.ledger.entry(key)
      if (recorded?.requestHash && recorded.requestHash !== requestHash) {
        throw new Conflict(`requestId ${input.requestId} was used for another adjustment of this member (a different kind, delta or reason); use a new requestId`)
      }
    }
    if (result.status === 'applied') {
      await this.audit.record({ actor: by.actor, role: by.role, action: `adjust.${input.kind}`, memberId, details: { ...input, key, requestHash }, at })
    }
    return this.answer(memberId, result.status)
  }

  private async answer(memberId: string, status: AdjustmentOutcome['status']): Promise<AdjustmentOutcome> {
    const member = (await this.members.findById(memberId))!
    const points = member.points!
    return {
      memberId,
      status,
      points: { available: points.available, pending: points.pending, debt: points.debt },
      growth: member.growth,
      tierLevel: member.tierLevel,
    }
  }
}

/** The request's fingerprint: what it asks for, not who retries it or when. */
function requestFingerprint(input: CreateAdjustment): string {
  return fingerprint([input.kind, input.delta, input.reason])
}
