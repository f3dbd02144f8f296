/** YYYY-MM-DD of an instant in Shanghai (business time). */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
}

/** ¥3,299 / ¥12.50 for fen */
export function yuan(fen: number): string {
  return `¥${fen % 100 === 0 ? (fen / 100).toLocaleString() : (fen / 100).toFixed(2)}`
}

/** 12月18日 from MM-DD */
export function monthDay(md: string): string {
  return `${Number(md.slice(0, 2))}月${Number(md.slice(3, 5))}日`
}

/** Why a coupon cannot be used at the counter, in a sentence. */
export const COUPON_REASONS: Record<string, string> = {
  'already-used': '这张券已经使用过了。',
  expired: '这张券已过期。',
  void: '这张券已作废。',
  'not-yet-valid': '这张券还没到可用时间。',
  pending: '这张券正在发放中，请稍后再试。',
}

/** A request id for an action the staff member takes once (a retry of the same tap sends the same id). */
export function requestId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`
}
