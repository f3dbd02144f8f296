import type { PointsHistoryPage } from '@member-center/shared'
import { Types } from 'mongoose'
import type { Models } from '../models/index.js'
import type { PointsEntry } from '../models/ledger.js'

/** Reads of the ledgers (LedgerService is the only writer). */
export class LedgerRepository {
  constructor(private readonly models: Models) {}

  /** A member's points entries, newest first; `cursor` is the last id of the previous page. */
  async pointsHistory(memberId: string, limit: number, cursor?: string): Promise<PointsHistoryPage> {
    const filter: Record<string, unknown> = { memberId: new Types.ObjectId(memberId) }
    if (cursor) filter._id = { $lt: new Types.ObjectId(cursor) }
    const docs = await this.models.PointsEntry.find(filter).sort({ _id: -1 }).limit(limit + 1).lean<PointsEntry[]>()
    const page = docs.slice(0, limit)
    return {
      items: page.map((e) => ({
        id: e._id.toString(),
        reason: e.reason,
        available: e.available,
        pending: e.pending,
        debt: e.debt,
        expired: e.expired,
        balanceAfter: { available: e.balanceAfter?.available ?? 0, pending: e.balanceAfter?.pending ?? 0, debt: e.balanceAfter?.debt ?? 0 },
        orderId: e.orderId ?? null,
        lineId: e.lineId ?? null,
        note: e.note ?? null,
        at: (e.at as Date).toISOString(),
      })),
      nextCursor: docs.length > limit ? page[page.length - 1]!._id.toString() : null,
    }
  }
}
