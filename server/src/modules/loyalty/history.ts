import type { PointsHistoryPage } from '@member-center/shared'
import { Types } from 'mongoose'
import type { LoyaltyModels } from './models/index.js'
import type { PointsEntry } from './models/ledger.js'

/** Reads of the ledgers (LedgerService is the only writer). */
export class LedgerRepository {
  constructor(private readonly models: Pick<LoyaltyModels, 'PointsEntry'>) {}

  /** A member's points entries, newest first; `cursor` (from the previous page) is where that page ended. */
  async pointsHistory(memberId: string, limit: number, cursor?: string): Promise<PointsHistoryPage> {
    const filter: Record<string, unknown> = { memberId: new Types.ObjectId(memberId) }
    const after = cursor ? decodeCursor(cursor) : null
    if (after) filter.$or = [{ at: { $lt: after.at } }, { at: after.at, _id: { $lt: after.id } }]
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

function decodeCursor(cursor: string): { at: Date; id: string } | null {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, string]
    return typeof at === 'number' && typeof id === 'string' ? { at: new Date(at), id } : null
  } catch {
    return null
  }
}
