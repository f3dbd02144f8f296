import type { PointsHistoryPage } from '@member-center/shared'
import { Types } from 'mongoose'
import { afterCursor, encodeCursor } from '../../core/page-cursor.js'
import type { LoyaltyModels } from './models/index.js'
import type { PointsEntry } from './models/ledger.js'

/** Reads of the ledgers (LedgerService is the only writer). */
export class LedgerRepository {
  constructor(private readonly models: Pick<LoyaltyModels, 'PointsEntry'>) {}

  /**
   * A member's points entries, newest first; `cursor` (from the previous page) is where that page ended. A cursor
   * this server did not give out is a 400; one from another member's pages only says where to start in this one's.
   */
  /**
   * What an order's ledger entries of one reason came to for the member (confirm: the points that became available;
   * refund: the points taken back, with `refundId` one refund's) — messages tell the sum, not each line's.
   */
  async orderTotals(memberId: Types.ObjectId | string, orderId: string, refundId?: string): Promise<{ confirmed: number; reversed: number }> {
    const entries = await this.models.PointsEntry.find(
      { memberId: new Types.ObjectId(memberId), orderId, ...(refundId !== undefined ? { refundId } : {}) },
      { reason: 1, available: 1, pending: 1, debt: 1, debtRepaid: 1 },
    ).lean<PointsEntry[]>()
    let confirmed = 0
    let reversed = 0
    for (const e of entries) {
      if (e.reason === 'confirm') confirmed += e.available + ((e as { debtRepaid?: number }).debtRepaid ?? 0)
      if (e.reason === 'refund') reversed += -(e.available + e.pending - e.debt)
    }
    return { confirmed, reversed }
  }

  async pointsHistory(memberId: string, limit: number, cursor?: string): Promise<PointsHistoryPage> {
    // an entry's id is its business key (a string)
    const filter = { memberId: new Types.ObjectId(memberId), ...(cursor !== undefined ? afterCursor(cursor, 'at', (id) => id) : {}) }
    const docs = await this.models.PointsEntry.find(filter).sort({ at: -1, _id: -1 }).limit(limit + 1).lean<PointsEntry[]>()
    const page = docs.slice(0, limit)
    return {
      items: page.map((e) => ({
        id: String(e._id),
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
      nextCursor: docs.length > limit ? encodeCursor(page[page.length - 1]!.at as Date, String(page[page.length - 1]!._id)) : null,
    }
  }
}
