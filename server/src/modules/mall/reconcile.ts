import type { LedgerService } from '../loyalty/ledger.js'
import type { MallModels, RedemptionState } from './models.js'
import { returnKey, spendKey } from './redemptions.js'

/** Something in the mall that does not add up, for an operator (npm run reconcile). */
export interface MallProblem {
  kind:
    | 'stuck-redemption'
    | 'stock-mismatch'
    | 'claim-mismatch'
    | 'points-not-spent'
    | 'points-not-returned'
    | 'gift-order-mismatch'
    | 'gift-event-after-cancel'
  itemId?: string
  redemptionId?: string
  giftOrderId?: string
  message: string
}

export interface MallReconcileResult {
  items: number
  redemptions: number
  problems: MallProblem[]
}

interface Row {
  id: string
  itemId: string
  memberId: string
  state: RedemptionState
  kind: string
  updatedAt: Date
  giftOrderId: string | null
}

/**
 * Proves the mall adds up, from the redemptions (the sagas' logs):
 *  - no redemption is stuck mid-saga (not done, failed or cancelled) for longer than `stuckAfterMs` — its repair job
 *    should have finished it;
 *  - each item's units: stock − stockLeft = the units its redemptions hold (done, or between taking a unit and giving
 *    it back — told by the item's `takes` and `returns`), and 0 ≤ stockLeft ≤ stock;
 *  - each (item, member) claim counts exactly the redemptions holding a slot, none of them failed or cancelled;
 *  - the points: a done redemption spent them; a failed one that spent them got them back; a cancelled one got them back;
 *  - gift orders agree with their redemptions, and no shipping event came after a cancellation.
 * Run it when the mall is quiet: a redemption between two steps at the moment of reading can show as a difference
 * that is gone on the next run (stuck ones are only those older than `stuckAfterMs`).
 */
export async function reconcileMall(models: MallModels, ledger: LedgerService, now: Date, options: { stuckAfterMs?: number } = {}): Promise<MallReconcileResult> {
  const problems: MallProblem[] = []
  const stuckBefore = now.getTime() - (options.stuckAfterMs ?? 5 * 60_000)
  // ledger changes cut off between the balances and their entries are finished first (they are late, not missing)
  await ledger.recover(new Date(8.64e15))

  const rows: Row[] = []
  for await (const r of models.Redemption.find({}, { itemId: 1, memberId: 1, state: 1, kind: 1, updatedAt: 1, giftOrderId: 1 }).lean().cursor()) {
    rows.push({
      id: r._id.toString(),
      itemId: r.itemId.toString(),
      memberId: r.memberId.toString(),
      state: r.state as RedemptionState,
      kind: r.kind,
      updatedAt: r.updatedAt,
      giftOrderId: r.giftOrderId ?? null,
    })
  }
  const byItem = new Map<string, Row[]>()
  for (const row of rows) {
    byItem.set(row.itemId, [...(byItem.get(row.itemId) ?? []), row])
    if (!['done', 'failed', 'cancelled'].includes(row.state) && row.updatedAt.getTime() < stuckBefore) {
      problems.push({ kind: 'stuck-redemption', redemptionId: row.id, itemId: row.itemId, message: `redemption ${row.id} has been ${row.state} since ${row.updatedAt.toISOString()}` })
    }
  }

  // units
  let items = 0
  for await (const item of models.MallItem.find({}, { stock: 1, stockLeft: 1, takes: 1, returns: 1 }).lean().cursor()) {
    items++
    const id = item._id.toString()
    const takes = new Set((item.takes as string[]) ?? [])
    const returns = new Set((item.returns as string[]) ?? [])
    const held = (byItem.get(id) ?? []).filter((r) => holdsUnit(r, takes, returns)).length
    if (item.stockLeft < 0 || item.stockLeft > item.stock || item.stock - item.stockLeft !== held) {
      problems.push({
        kind: 'stock-mismatch',
        itemId: id,
        message: `item ${id}: stock ${item.stock}, stockLeft ${item.stockLeft}, but its redemptions hold ${held} units (stock − stockLeft = ${item.stock - item.stockLeft})`,
      })
    }
  }

  // slots
  const byId = new Map(rows.map((r) => [r.id, r]))
  for await (const claim of models.MallClaim.find({}).lean().cursor()) {
    const rids = (claim.rids as string[]) ?? []
    const released = rids.filter((rid) => ['failed', 'cancelled'].includes(byId.get(rid)?.state ?? 'failed'))
    if (claim.n !== rids.length || released.length > 0) {
      problems.push({
        kind: 'claim-mismatch',
        itemId: claim.itemId.toString(),
        message: `claim ${claim._id}: counts ${claim.n} for ${rids.length} redemptions${released.length ? `, ${released.length} of them failed or cancelled (${released.slice(0, 5).join(', ')})` : ''}`,
      })
    }
  }

  // points, a few lookups at a time
  const terminal = rows.filter((r) => r.state === 'done' || r.state === 'failed' || r.state === 'cancelled')
  for (let i = 0; i < terminal.length; i += 20) {
    await Promise.all(
      terminal.slice(i, i + 20).map(async (row) => {
        const [spent, returned] = await Promise.all([ledger.entry(spendKey(row.id)), row.state === 'done' ? null : ledger.entry(returnKey(row.id))])
        if (row.state === 'done' && !spent) problems.push({ kind: 'points-not-spent', redemptionId: row.id, message: `done redemption ${row.id} has no spend in the ledger` })
        if (row.state === 'cancelled' && !returned) problems.push({ kind: 'points-not-returned', redemptionId: row.id, message: `cancelled redemption ${row.id}: its points were not returned` })
        if (row.state === 'failed' && spent && !returned) problems.push({ kind: 'points-not-returned', redemptionId: row.id, message: `failed redemption ${row.id} spent points that were not returned` })
      }),
    )
  }

  // gift orders
  const gifts = new Map<string, { state: string; lateEvent: string | null; redemptionId: string }>()
  for await (const g of models.GiftOrder.find({}, { state: 1, lateEvent: 1, redemptionId: 1 }).lean().cursor()) {
    gifts.set(String(g._id), { state: g.state, lateEvent: g.lateEvent ?? null, redemptionId: g.redemptionId.toString() })
    if (g.lateEvent) problems.push({ kind: 'gift-event-after-cancel', giftOrderId: String(g._id), message: `gift order ${String(g._id)}: ${g.lateEvent}` })
  }
  for (const row of rows) {
    if (row.kind !== 'gift' || (row.state !== 'done' && row.state !== 'cancelled')) continue
    const gift = row.giftOrderId ? gifts.get(row.giftOrderId) : undefined
    const expected = row.state === 'done' ? gift && gift.state !== 'cancelled' : gift?.state === 'cancelled'
    if (!expected) {
      problems.push({ kind: 'gift-order-mismatch', redemptionId: row.id, giftOrderId: row.giftOrderId ?? undefined, message: `${row.state} gift redemption ${row.id} has gift order ${gift?.state ?? 'missing'}` })
    }
  }
  return { items, redemptions: rows.length, problems }
}

/**
 * Whether a redemption holds one of its item's units: from taking it (its id in `takes` until it is recorded done;
 * `points-taken`, recorded by older redemptions, comes after the unit) until giving it back (compensation takes the id
 * out of `takes` with the unit; a cancellation puts it in `returns`).
 */
function holdsUnit(r: Row, takes: Set<string>, returns: Set<string>): boolean {
  switch (r.state) {
    case 'created':
    case 'compensating':
      return takes.has(r.id)
    case 'points-taken':
    case 'done':
      return true
    case 'cancelling':
      return !returns.has(r.id)
    default:
      return false
  }
}
