import type { PointsHistoryPage } from '@member-center/shared'
import { Types } from 'mongoose'
import { ValidationFailed } from '../../core/errors.js'
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
    const filter: Record<string, unknown> = { memberId: new Types.ObjectId(memberId) }
    if (cursor !== undefined) {
      const after = decodeCursor(cursor)
      if (!after) throw new ValidationFailed('querystring.cursor: not a cursor from a previous page; start again without one')
      filter.$or = [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }]
    }
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
      nextCursor: docs.length > limit ? encodeCursor(page[page.length - 1]!) : null,
    }
  }
}

function encodeCursor(entry: Pick<PointsEntry, 'at' | '_id'>): string {
  return Buffer.from(JSON.stringify([(entry.at as Date).getTime(), entry._id])).toString('base64url')
}

/** The greatest time a Date holds, in ms either side of 1970. */
const MAX_TIME = 8.64e15

/** The position a cursor names, or null when it is not one encodeCursor made (checked before it reaches a query). */
function decodeCursor(cursor: string): { at: Date; id: string } | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return null
  const [at, id] = parsed as unknown[]
  if (!Number.isSafeInteger(at) || Math.abs(at as number) > MAX_TIME) return null
  // an entry's id is its business key (a string)
  if (typeof id !== 'string' || id.length === 0 || id.length > 1024) return null
  return { at: new Date(at as number), id }
}
