/** YYYY-MM-DD of an instant in Shanghai (business time). */
export function shanghaiDay(iso: string): string {
  return new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10)
}

/** Today in Shanghai, YYYY-MM-DD. */
export function shanghaiToday(): string {
  return shanghaiDay(new Date().toISOString())
}

/** 12月18日 (from YYYY-MM-DD or MM-DD) */
export function monthDay(date: string): string {
  const md = date.length === 5 ? date : date.slice(5)
  return `${Number(md.slice(0, 2))}月${Number(md.slice(3, 5))}日`
}

/** The last day a coupon can be used: a window that ends at midnight ends the day before. */
export function lastDay(validUntil: string): string {
  return shanghaiDay(new Date(Date.parse(validUntil) - 1).toISOString())
}

/** "¥200" / "¥12.50" for fen */
export function yuan(fen: number): string {
  return `¥${fen % 100 === 0 ? (fen / 100).toLocaleString() : (fen / 100).toFixed(2)}`
}

/** What is left until an instant: 2 天 3 小时 / 3 小时 12 分 / 12 分. */
export function countdown(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const days = Math.floor(minutes / 1440)
  const hours = Math.floor((minutes % 1440) / 60)
  const mins = minutes % 60
  if (days > 0) return `${days} 天 ${hours} 小时`
  if (hours > 0) return `${hours} 小时 ${mins} 分`
  return `${mins} 分`
}
