/** 1,234 (no locale data needed: WeChat's JS engines differ in what toLocaleString knows) */
export function count(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
}

/** 38.5% for a share in [0, 1]; '—' when there is none (its denominator is 0) */
export function percent(ratio: number | null): string {
  return ratio === null ? '—' : `${(ratio * 100).toFixed(1)}%`
}

/** a share as a percentage number for a chart (null stays a gap) */
export function percentValue(ratio: number | null): number | null {
  return ratio === null ? null : Math.round(ratio * 1000) / 10
}

/** ¥1,234.56 for fen (fractions of a fen rounded) */
export function yuanOf(fen: number): string {
  const cents = Math.round(fen)
  return `¥${count(Math.floor(cents / 100))}.${String(cents % 100).padStart(2, '0')}`
}

/** +7.2 / −3.0 percentage points for a difference of shares */
export function points(diff: number): string {
  const value = (Math.abs(diff) * 100).toFixed(1)
  return `${diff < 0 ? '−' : '+'}${value}`
}

/** '11月' for a chart's axis; January also names its year ('26年1月') so a year's turn reads */
export function monthLabel(month: string): string {
  const m = Number(month.slice(5, 7))
  return m === 1 ? `${month.slice(2, 4)}年1月` : `${m}月`
}

/** '2026年11月' for text */
export function monthText(month: string): string {
  return `${month.slice(0, 4)}年${Number(month.slice(5, 7))}月`
}

/** YYYY-MM-DD today in Shanghai (business days) */
export function shanghaiToday(now = Date.now()): string {
  return new Date(now + 8 * 3600_000).toISOString().slice(0, 10)
}

/** The range of the last `months` months: from the first of the month `months − 1` before today's, to today. */
export function lastMonths(months: number, today = shanghaiToday()): { from: string; to: string } {
  const year = Number(today.slice(0, 4))
  const month = Number(today.slice(5, 7)) - 1 - (months - 1)
  const first = new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 10)
  return { from: first, to: today }
}

/**
 * The top of an axis: a round number above the largest value, in 4 even whole steps (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6
 * or 8 × 10ⁿ), so the gridlines read as round numbers. Percentages stop at 100.
 */
export function axisMax(values: (number | null)[], percentage = false): number {
  const largest = Math.max(0, ...values.filter((v): v is number => v !== null))
  if (largest === 0) return percentage ? 100 : 4
  const raw = largest / 4
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].map((f) => f * magnitude).find((s) => s >= raw && Number.isInteger(s)) ?? Math.ceil(raw)
  const max = Math.max(step * 4, 4)
  return percentage ? Math.min(100, max) : max
}

/** an axis label: a whole number */
export const whole = (v: number) => String(Math.round(v))
