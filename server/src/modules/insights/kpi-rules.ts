import { DAY_MS, type KpiReport } from '@member-center/shared'

/**
 * Pure rules of the KPI report (issue 14 "KPIs", shared/src/schemas/kpis.ts): Shanghai day numbers (days since
 * 1970-01-01 in Shanghai, shanghaiDayNumber), rolling-year windows, purchase-day merging, the rolling figures and the
 * 1→2 cohorts computed from each member's purchase days. No I/O: kpis.ts reads, these count.
 */

/** A member's purchase days: ascending, each Shanghai day once. */
export type PurchaseDays = readonly number[]

/** The day number of a YYYY-MM-DD that names a real calendar day (2026-02-30 → null). */
export function parseDay(date: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (!m) return null
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null
  return Date.UTC(year, month - 1, day) / DAY_MS
}

/** YYYY-MM-DD of a day number. */
export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

/** YYYY-MM of a day number. */
export function monthOf(day: number): string {
  return dayString(day).slice(0, 7)
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

/** The same day of the month `months` months before (clamped to the month's last day: 31 March − 1 month = 28/29 Feb). */
export function minusMonths(day: number, months: number): number {
  const d = new Date(day * DAY_MS)
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() - months
  const year = Math.floor(total / 12)
  const month = (total % 12) + 1
  return Date.UTC(year, month - 1, Math.min(d.getUTCDate(), daysInMonth(year, month))) / DAY_MS
}

/** The first day of the month of `day`. */
export function firstOfMonth(day: number): number {
  const d = new Date(day * DAY_MS)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS
}

/** The last day of the month of `day`. */
export function lastOfMonth(day: number): number {
  const d = new Date(day * DAY_MS)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0) / DAY_MS
}

/**
 * The rolling year ending on `end`: from end − 12 months + 1 day to end, both included (2026-03-15 → 2025-03-16 …
 * 2026-03-15; 2026-02-28 → 2025-03-01 … 2026-02-28).
 */
export function rollingYear(end: number): { from: number; to: number } {
  return { from: minusMonths(end, 12) + 1, to: end }
}

/** The default first day of the series: the first of the month 11 months before `to` (a 12-month series). */
export function defaultFrom(to: number): number {
  return firstOfMonth(minusMonths(to, 11))
}

/** The longest range the report takes: `from` no earlier than `to` − 36 months. */
export const MAX_SPAN_MONTHS = 36

/** Why a range is refused, or null when it is fine. */
export function rangeProblem(from: number, to: number): string | null {
  if (from > to) return 'from must be on or before to'
  if (from < minusMonths(to, MAX_SPAN_MONTHS)) return `the range spans at most ${MAX_SPAN_MONTHS} months (from no earlier than ${dayString(minusMonths(to, MAX_SPAN_MONTHS))})`
  return null
}

/** The months of the series over [from, to]: each valued at its last day, the last one at `to`. */
export function seriesPoints(from: number, to: number): { month: string; at: number }[] {
  const points: { month: string; at: number }[] = []
  for (let first = firstOfMonth(from); first <= to; first = lastOfMonth(first) + 1) {
    points.push({ month: monthOf(first), at: Math.min(lastOfMonth(first), to) })
  }
  return points
}

/** Purchase-day merging: the payment days (in any order, repeated) as ascending distinct days. */
export function mergePurchaseDays(days: Iterable<number>): number[] {
  return [...new Set(days)].sort((a, b) => a - b)
}

/** A share, or null when there is nothing to share (denominator 0). */
export function ratio(part: number, whole: number): number | null {
  return whole > 0 ? part / whole : null
}

/** The number of days ≤ `day` (days ascending). */
function countUpTo(days: PurchaseDays, day: number): number {
  let lo = 0
  let hi = days.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (days[mid]! <= day) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The rolling-year counts at one day. */
export interface RollingCounts {
  /** members with a purchase day in the rolling year */
  customers: number
  /** of those, members with two or more purchase days up to the day (ever) */
  oldCustomers: number
  /** of those, members with two or more purchase days inside the rolling year */
  repeatCustomers: number
}

/**
 * The rolling-year counts at each of `ends` (day numbers), from every member's purchase days (ascending, distinct):
 * one pass over the members, two binary searches per member and day.
 */
export function rollingCounts(members: Iterable<PurchaseDays>, ends: readonly number[]): RollingCounts[] {
  const windows = ends.map((end) => rollingYear(end))
  const counts = ends.map(() => ({ customers: 0, oldCustomers: 0, repeatCustomers: 0 }))
  for (const days of members) {
    if (days.length === 0) continue
    for (let i = 0; i < windows.length; i++) {
      const { from, to } = windows[i]!
      if (days[0]! > to) continue
      const upToEnd = countUpTo(days, to)
      const inWindow = upToEnd - countUpTo(days, from - 1)
      if (inWindow === 0) continue
      const c = counts[i]!
      c.customers++
      if (upToEnd >= 2) c.oldCustomers++
      if (inWindow >= 2) c.repeatCustomers++
    }
  }
  return counts
}

/** The 1→2 conversion windows, in days after the first purchase day. */
export const COHORT_WINDOWS = [30, 90, 180] as const

export type Cohort = KpiReport['cohorts'][number]

/**
 * 1→2 conversion by first-purchase month, for the months given: of the members whose first purchase day ever (in the
 * days given) fell in the month, how many had a second purchase day within 30, 90 and 180 days (second day − first
 * day ≤ N, counting only days up to `to`). A rate is null until its window has elapsed for the whole cohort (the
 * month's last day + N ≤ `to`) or when the cohort is empty; the counts are shown either way.
 */
export function cohorts(members: Iterable<PurchaseDays>, months: readonly string[], to: number): Cohort[] {
  const byMonth = new Map(months.map((month) => [month, { firstBuyers: 0, within: [0, 0, 0] }]))
  for (const days of members) {
    const first = days[0]
    if (first === undefined || first > to) continue
    const cohort = byMonth.get(monthOf(first))
    if (!cohort) continue
    cohort.firstBuyers++
    const second = days[1]
    if (second === undefined || second > to) continue
    COHORT_WINDOWS.forEach((n, i) => {
      if (second - first <= n) cohort.within[i]!++
    })
  }
  return months.map((month) => {
    const c = byMonth.get(month)!
    const last = lastOfMonth(parseDay(`${month}-01`)!)
    const rate = (i: number) => (last + COHORT_WINDOWS[i]! <= to ? ratio(c.within[i]!, c.firstBuyers) : null)
    return {
      month,
      firstBuyers: c.firstBuyers,
      within30: c.within[0]!,
      within90: c.within[1]!,
      within180: c.within[2]!,
      rate30: rate(0),
      rate90: rate(1),
      rate180: rate(2),
    }
  })
}

/** The members figures: a running count as the members are read. */
export class MemberTally {
  total = 0
  active30 = 0
  available = 0
  pending = 0
  readonly byTier = new Map<number, number>()
  private readonly newByMonth: Map<string, number>

  /** `to`: the last day; `months`: the series' months (new members are counted in those) */
  constructor(
    private readonly to: number,
    private readonly months: readonly string[],
  ) {
    this.newByMonth = new Map(months.map((m) => [m, 0]))
  }

  /** One member, with the Shanghai day they joined and last logged in (null: never). */
  add(member: { joinedDay: number; lastLoginDay: number | null; tierLevel: number; available: number; pending: number }): void {
    if (member.joinedDay > this.to) return
    this.total++
    if (member.lastLoginDay !== null && member.lastLoginDay <= this.to && member.lastLoginDay > this.to - 30) this.active30++
    const month = monthOf(member.joinedDay)
    const joined = this.newByMonth.get(month)
    if (joined !== undefined) this.newByMonth.set(month, joined + 1)
    this.byTier.set(member.tierLevel, (this.byTier.get(member.tierLevel) ?? 0) + 1)
    this.available += member.available
    this.pending += member.pending
  }

  newMembers(): { month: string; members: number }[] {
    return this.months.map((month) => ({ month, members: this.newByMonth.get(month) ?? 0 }))
  }

  /** Every tier of the table (0 members included), then any level a member holds that the table no longer has. */
  tierMix(tiers: readonly { level: number; name: string }[]): { level: number; name: string; members: number }[] {
    const mix = tiers.map((t) => ({ level: t.level, name: t.name, members: this.byTier.get(t.level) ?? 0 }))
    for (const [level, members] of this.byTier) if (!tiers.some((t) => t.level === level)) mix.push({ level, name: `L${level}`, members })
    return mix.sort((a, b) => a.level - b.level)
  }
}

/** Month-by-month counts of instants' Shanghai days within the series' months. */
export function countByMonth(days: Iterable<number>, months: readonly string[]): Map<string, number> {
  const counts = new Map(months.map((m) => [m, 0]))
  for (const day of days) {
    const month = monthOf(day)
    const n = counts.get(month)
    if (n !== undefined) counts.set(month, n + 1)
  }
  return counts
}

const CSV_HEADER = ['figure', 'label', 'month', 'at', 'name', 'value'] as const

/** A CSV field: quoted when it holds a comma, a quote or a line break; a leading = + - @ is neutralised (formula injection). */
function csvField(value: string | number | null): string {
  if (value === null) return ''
  let text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toFixed(4)) : value
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The report as one long table a spreadsheet filters and pivots: `figure,label,month,at,name,value` — the figure's key
 * and its Chinese label, the series month (YYYY-MM) and the day it is valued at where it has them, what the value
 * counts (`name`) and the value (ratios as decimals with 4 places, empty when null). UTF-8 with a BOM (Excel reads the
 * Chinese), CRLF line ends.
 */
export function kpiCsv(report: KpiReport): string {
  const rows: (string | number | null)[][] = []
  const row = (figure: string, label: string, month: string | null, at: string | null, name: string, value: string | number | null) =>
    rows.push([figure, label, month, at, name, value])
  row('range', '报表范围', null, report.from, 'from', report.from)
  row('range', '报表范围', null, report.to, 'to', report.to)
  row('range', '报表范围', null, null, 'store', report.store ?? 'all')
  for (const p of report.customers.series) {
    row('customers', '客户数量（滚动12个月）', p.month, p.at, 'customers', p.customers)
  }
  for (const p of report.oldCustomerRatio.series) {
    row('oldCustomerRatio', '老客户比例', p.month, p.at, 'oldCustomers', p.oldCustomers)
    row('oldCustomerRatio', '老客户比例', p.month, p.at, 'ratio', p.ratio)
  }
  for (const p of report.repeatRate.series) {
    row('repeatRate', '年内复购率', p.month, p.at, 'repeatCustomers', p.repeatCustomers)
    row('repeatRate', '年内复购率', p.month, p.at, 'rate', p.rate)
  }
  for (const c of report.cohorts) {
    row('cohort', '首购→复购转化', c.month, null, 'firstBuyers', c.firstBuyers)
    for (const n of COHORT_WINDOWS) {
      row('cohort', '首购→复购转化', c.month, null, `within${n}`, c[`within${n}`])
      row('cohort', '首购→复购转化', c.month, null, `rate${n}`, c[`rate${n}`])
    }
  }
  row('members', '会员数', null, report.to, 'total', report.members.total)
  row('members', '活跃会员（30天）', null, report.to, 'active30', report.members.active30)
  for (const m of report.members.newByMonth) row('newMembers', '新增会员', m.month, null, 'members', m.members)
  for (const t of report.tierMix) row('tierMix', '等级分布', null, report.to, t.name, t.members)
  const l = report.pointsLiability
  row('pointsLiability', '积分负债', null, null, 'fenPerPoint', l.fenPerPoint)
  row('pointsLiability', '积分负债', null, null, 'availablePoints', l.available)
  row('pointsLiability', '积分负债', null, null, 'pendingPoints', l.pending)
  row('pointsLiability', '积分负债', null, null, 'availableFen', l.availableFen)
  row('pointsLiability', '积分负债', null, null, 'pendingFen', l.pendingFen)
  row('coupons', '优惠券', null, null, 'issued', report.coupons.issued)
  row('coupons', '优惠券', null, null, 'used', report.coupons.used)
  for (const m of report.coupons.byMonth) {
    row('coupons', '优惠券', m.month, null, 'issued', m.issued)
    row('coupons', '优惠券', m.month, null, 'used', m.used)
  }
  const msg = report.messages
  for (const key of ['total', 'sent', 'delivered', 'read'] as const) row('messages', '消息', null, null, key, msg[key])
  for (const [channel, n] of Object.entries(msg.byChannel)) row('messagesByChannel', '消息（按渠道）', null, null, channel, n)
  for (const o of report.outreach) {
    for (const key of ['treated', 'holdout', 'treatedRate', 'holdoutRate', 'lift', 'liftLow', 'liftHigh', 'incrementalRevenueFen'] as const) {
      row('outreach', '触达效果', null, null, `${o.name} (${o.id}) ${key}`, o[key])
    }
  }
  const lines = [CSV_HEADER.join(','), ...rows.map((r) => r.map(csvField).join(','))]
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
