import { addGrowth, credit, debit, InsufficientPointsError, type AdjustmentResult, type CreateAdjustment } from '@member-center/shared'
import { Types } from 'mongoose'
import { InsufficientPoints, NotFound, ValidationFailed } from '../errors.js'
import type { Models } from '../models/index.js'
import type { LedgerService } from './ledger.js'

/** Operator adjustments: through the ledger like any other change, and written to the audit log. */
export class AdjustmentService {
  constructor(
    private readonly models: Models,
    private readonly ledger: LedgerService,
    private readonly now: () => Date,
  ) {}

  async adjust(memberId: string, input: CreateAdjustment, by: { actor: string; role: string }): Promise<AdjustmentResult> {
    if (input.delta === 0) throw new ValidationFailed('delta must not be 0')
    if (!(await this.models.Member.exists({ _id: new Types.ObjectId(memberId) }))) throw new NotFound(`member ${memberId} not found`)
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
      await this.models.Audit.create({ actor: by.actor, role: by.role, action: `adjust.${input.kind}`, memberId: new Types.ObjectId(memberId), details: { ...input, key }, at })
    }
    const member = (await this.models.Member.findById(memberId).lean())!
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
