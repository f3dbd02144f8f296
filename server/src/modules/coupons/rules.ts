import { addDays, shanghaiDate, type CouponScope, type CouponValidity } from '@member-center/shared'

/** The rules a coupon carries (copied from its template at issue). */
export interface CouponRules {
  kind: 'amount' | 'percent'
  amountFen: number | null
  percentOff: number | null
  capFen: number | null
  thresholdFen: number
  scope: CouponScope
}

/** 12,345 fen as 123.45 yuan, without trailing zeros (123.4, 123). */
export function yuan(fen: number): string {
  return (fen / 100).toFixed(2).replace(/\.?0+$/, '')
}

/**
 * The rules in words, as members and staff read them: 满 2000 元减 200 元 · 限指定品类（戒指）; 享 9 折，最多减 500 元 · 全场可用.
 * A percentage off is said the Chinese way: 10% off is 9 折, 15% off is 8.5 折.
 */
export function rulesText(r: CouponRules): string {
  const threshold = r.thresholdFen > 0 ? `满 ${yuan(r.thresholdFen)} 元` : ''
  const off =
    r.kind === 'amount'
      ? `${threshold || '无门槛'}减 ${yuan(r.amountFen ?? 0)} 元`
      : `${threshold}享 ${String((100 - (r.percentOff ?? 0)) / 10)} 折${r.capFen ? `，最多减 ${yuan(r.capFen)} 元` : ''}`
  const scope =
    r.scope.kind === 'all' ? '全场可用' : r.scope.kind === 'skus' ? `限指定商品（${r.scope.skus.length} 款）` : `限指定品类（${r.scope.categories.join('、')}）`
  return `${off} · ${scope}`
}

/**
 * When a coupon issued at `issuedAt` is valid: N days from the issue (to the end of the last Shanghai day), or the
 * template's fixed window. Null when a fixed window has already ended (nothing to issue).
 */
export function validityWindow(validity: CouponValidity, issuedAt: Date): { from: Date; until: Date } | null {
  if ('days' in validity) {
    // valid through the end of the Nth Shanghai day, counting the day of issue as the first
    const lastDay = shanghaiDate(addDays(issuedAt, validity.days - 1))
    return { from: issuedAt, until: new Date(Date.parse(`${lastDay}T23:59:59.999+08:00`)) }
  }
  const from = new Date(validity.from)
  const until = new Date(validity.to)
  if (until.getTime() <= issuedAt.getTime()) return null
  return { from, until }
}

/** The reason a coupon cannot be used at `at`, or null when it can. */
export function unusableReason(c: { state: string; validFrom: Date; validUntil: Date }, at: Date): 'already-used' | 'expired' | 'void' | 'not-yet-valid' | 'pending' | null {
  if (c.state === 'used') return 'already-used'
  if (c.state === 'void') return 'void'
  if (c.state === 'pending') return 'pending'
  if (c.state === 'expired' || c.validUntil.getTime() < at.getTime()) return 'expired'
  if (c.validFrom.getTime() > at.getTime()) return 'not-yet-valid'
  return null
}

/** A code as typed or scanned: letters upper-cased, the spaces and dashes the wallet groups it with dropped. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '')
}
