/**
 * Business keys of ledger changes, built from ids the shop or an operator chose. Each id is one component: `%` and
 * `:` in it are percent-encoded, so no id can run into the next component (order `X:line:1` line `2` and order `X`
 * line `1:line:2` get different keys), and an id without either character is used as it is — keys written before
 * this encoding mean the same thing, so replays of old events stay duplicates.
 *
 *   order:{orderId}:line:{lineId}:earn | :confirm | :cancel | :refund:{refundId}
 *   adjust:{memberId}:{requestId}
 *   opening:{memberId} (a migration's opening balances: one per member)
 *
 * A cancellation has its own suffix: no refund id, whatever it is, makes `…:cancel`.
 */
export function keyPart(id: string): string {
  return id.replace(/%/g, '%25').replace(/:/g, '%3A')
}

export function lineKey(orderId: string, lineId: string): string {
  return `order:${keyPart(orderId)}:line:${keyPart(lineId)}`
}

export const earnKey = (orderId: string, lineId: string) => `${lineKey(orderId, lineId)}:earn`
export const confirmKey = (orderId: string, lineId: string) => `${lineKey(orderId, lineId)}:confirm`
export const refundKey = (orderId: string, lineId: string, refundId: string) => `${lineKey(orderId, lineId)}:refund:${keyPart(refundId)}`
export const cancelKey = (orderId: string, lineId: string) => `${lineKey(orderId, lineId)}:cancel`

/** An operator adjustment: the idempotency key is the operator's requestId, scoped to the member. */
export const adjustKey = (memberId: string, requestId: string) => `adjust:${memberId}:${keyPart(requestId)}`

/** A member's opening balances, carried over by a migration: one per member, whatever record named them. */
export const openingKey = (memberId: string) => `opening:${memberId}`

/** The key adjustments had before they were scoped per member (still looked up, so an old request stays done). */
export const legacyAdjustKey = (requestId: string) => `adjust:${requestId}`

/** Keys of domain events about an order (the shop's shipped and delivered facts). */
export const orderEventKey = (orderId: string, what: string) => `order:${keyPart(orderId)}:${what}`
