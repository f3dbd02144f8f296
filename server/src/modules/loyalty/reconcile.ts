import type { MemberBalances } from '../members/balances.js'
import type { LedgerService } from './ledger.js'
import type { LoyaltyModels } from './models/index.js'

export interface Difference {
  memberId: string
  field: string
  member: number
  ledger: number
}

/**
 * Proves every member's balances equal their ledgers: available, pending, debt and expired against the points
 * ledger, growth against the growth ledger, and the lots against available. Changes left half-written by a crashed
 * process are finished first (they are not differences, just late).
 */
export async function reconcile(models: LoyaltyModels, balances: MemberBalances, ledger: LedgerService): Promise<{ members: number; differences: Difference[] }> {
  // every pending op, however recent: writing its documents twice is harmless
  await ledger.recover(new Date(8.64e15))
  // summed here rather than with $group: FerretDB 1.24 returns wrong sums for a $group with several accumulators
  const sums = new Map<string, Record<string, number>>()
  const add = (memberId: unknown, field: string, value: number) => {
    const key = String(memberId)
    const s = sums.get(key) ?? {}
    s[field] = (s[field] ?? 0) + (value ?? 0)
    sums.set(key, s)
  }
  for await (const e of models.PointsEntry.find({}, { memberId: 1, available: 1, pending: 1, debt: 1, expired: 1 }).lean().cursor()) {
    add(e.memberId, 'available', e.available)
    add(e.memberId, 'pending', e.pending)
    add(e.memberId, 'debt', e.debt)
    add(e.memberId, 'expired', e.expired)
  }
  for await (const g of models.GrowthEntry.find({}, { memberId: 1, delta: 1 }).lean().cursor()) add(g.memberId, 'growth', g.delta)

  const differences: Difference[] = []
  let members = 0
  for await (const m of balances.all()) {
    members++
    const id = m._id.toString()
    const s = sums.get(id) ?? {}
    const actual: Record<string, number> = {
      available: m.points?.available ?? 0,
      pending: m.points?.pending ?? 0,
      debt: m.points?.debt ?? 0,
      expired: m.points?.expired ?? 0,
      growth: m.growth ?? 0,
    }
    for (const field of Object.keys(actual)) {
      const expected = s[field] ?? 0
      if (actual[field] !== expected) differences.push({ memberId: id, field, member: actual[field]!, ledger: expected })
    }
    const lots = ((m.lots ?? []) as { remaining: number }[]).reduce((sum, l) => sum + l.remaining, 0)
    if (lots !== actual.available) differences.push({ memberId: id, field: 'lots', member: lots, ledger: actual.available! })
  }
  return { members, differences }
}
