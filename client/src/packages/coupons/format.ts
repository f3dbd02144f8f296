import type { Coupon } from '@member-center/shared'

/** YYYY-MM-DD of an instant in Shanghai (business time). */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
}

/** "¥200" / "¥12.50" for fen */
export function yuan(fen: number): string {
  return `¥${fen % 100 === 0 ? fen / 100 : (fen / 100).toFixed(2)}`
}

/** The coupon's face: ¥200, or 8.5 折 for 15 % off. */
export function faceValue(coupon: Pick<Coupon, 'kind' | 'amountFen' | 'percentOff'>): { value: string; unit: string } {
  if (coupon.kind === 'percent' && coupon.percentOff) {
    const tenths = 100 - coupon.percentOff
    return { value: tenths % 10 === 0 ? String(tenths / 10) : (tenths / 10).toFixed(1), unit: '折' }
  }
  return { value: yuan(coupon.amountFen ?? 0), unit: '' }
}

/** 满 2,000 元可用 / 无门槛 */
export function thresholdText(coupon: Pick<Coupon, 'thresholdFen'>): string {
  return coupon.thresholdFen > 0 ? `满 ${(coupon.thresholdFen / 100).toLocaleString()} 元可用` : '无门槛'
}

/**
 * The last day a coupon can be used, in Shanghai: a window that ends at midnight ends the day before (valid until
 * 2026-04-11 00:00 reads "至 2026-04-10").
 */
export function lastDay(validUntil: string): string {
  return shanghaiDay(new Date(Date.parse(validUntil) - 1).toISOString())
}

/** 有效期 2026-03-10 至 2026-04-09 */
export function validityText(coupon: Pick<Coupon, 'validFrom' | 'validUntil'>): string {
  return `${shanghaiDay(coupon.validFrom)} 至 ${lastDay(coupon.validUntil)}`
}

/** The code in groups of four, easier to read aloud or type at the counter. */
export function groupedCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1 ')
}
