import { addGrowth, credit, debit, InsufficientPointsError, type AdjustmentResult, type CreateAdjustment } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import { InsufficientPoints, NotFound, ValidationFailed } from '../../core/errors.js'
import type { MemberRepository } from '../members/repository.js'
import type { LedgerService } from './ledger.js'

/** Operator adjustments: through the ledger like any other change, and written to the audit log. */
export class AdjustmentService {
  constructor(
    private readonly members: MemberRepository,
    private readonly audit: AuditLog,
    private readonly ledger: LedgerService,
    private readonly now: () => Date,
  ) {}

  async adjust(memberId: string, input: CreateAdjustment, by: { actor: string; role: string }): Promise<AdjustmentResult> {
    if (input.delta === 0) throw new ValidationFailed('delta must not be 0')
    if (!(await this.members.exists(memberId))) throw new NotFound(`member ${memberId} not found`)
    const at = this.now()
    const key = `adjust:${input.requestId}`
    let result
    try {
      result = await this.ledger.apply(memberId, {
        key,
        reason: 'adjust',
        at,
        note: `${input.reason} — ${by.actor}`,
        compute: (b, { policy }) =>
          input.kind === 'growth'
            ? addGrowth(b, input.delta, at)
            : input.delta > 0
              ? credit(b, input.delta, at, policy)
              : debit(b, -input.delta, 'spend', policy),
      })
    } catch (error) {
      if (error instanceof InsufficientPointsError) throw new InsufficientPoints(error.message)
      if (error instanceof RangeError) throw new ValidationFailed(error.message)
      throw error
    }
    if (result.status === 'applied') {
      await this.audit.record({ actor: by.actor, role: by.role, action: `adjust.${input.kind}`, memberId, details: { ...input, key }, at })
    }
    const member = (await this.members.findById(memberId))!
    const points = member.points!
    return {
      memberId,
      status: result.status === 'applied' ? 'applied' : 'duplicate',
      points: { available: points.available, pending: points.pending, debt: points.debt },
      growth: member.growth,
      tierLevel: member.tierLevel,
    }
  }
}
