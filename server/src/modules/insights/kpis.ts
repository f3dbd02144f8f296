import { shanghaiDayNumber, startOfShanghaiDayNumber, type KpiPolicy, type KpiReport } from '@member-center/shared'
import type { AuditLog } from '../../core/audit.js'
import type { SettingsStore } from '../../core/settings.js'
import type { CouponStats } from '../coupons/stats.js'
import type { MemberOrders } from '../loyalty/member-orders.js'
import type { TierTable } from '../loyalty/tier-table.js'
import type { MemberRepository } from '../members/repository.js'
import type { MessageStats } from '../messaging/stats.js'
import { MemberTally, cohorts, dayString, defaultFrom, ratio, rollingCounts, rollingYear, seriesPoints } from './kpi-rules.js'

/** The settings document of the KPI policy. */
const POLICY_NAME = 'insights.kpis'
export const DEFAULT_KPI_POLICY: KpiPolicy = { fenPerPoint: 1 }

/** Where each outreach's lift comes from (the outreach slice plugs itself in; none: an empty list). */
export type OutreachSource = (from: Date, to: Date, store: string | null) => Promise<KpiReport['outreach']>

export interface KpiDeps {
  orders: Pick<MemberOrders, 'purchaseDaysBefore'>
  members: Pick<MemberRepository, 'kpiRows'>
  tiers: Pick<TierTable, 'current'>
  coupons: () => Pick<CouponStats, 'between'>
  messages: () => Pick<MessageStats, 'between'>
  settings: SettingsStore
  audit: AuditLog
  now: () => Date
}

/** A validated range: Shanghai day numbers, `from` ≤ `to`, within the span allowed (kpi-rules rangeProblem). */
export interface KpiRange {
  from: number
  to: number
  /** a store code, or null for every store */
  store: string | null
}

/**
 * The KPI report (issue 14 "KPIs"; each figure is defined in shared/src/schemas/kpis.ts). Reads: ONE streaming pass
 * over the orders paid up to `to` (loyalty's MemberOrders.purchaseDaysBefore: each buyer's purchase days as a small
 * int array) from which every rolling figure, its month-by-month series and the cohorts are counted in memory; one
 * pass over the members (counts, tier mix, points liability); coupons and messages of [from, to] through their
 * modules' stats. With a store: purchases are the orders paid in that store (customers, ratios, cohorts over the
 * purchase days there); members, tier mix, liability, coupons and messages are those of the members whose home store
 * it is.
 */
export class KpiReports {
  private outreach: OutreachSource = async () => []

  constructor(private readonly deps: KpiDeps) {}

  /** Plugs in the outreach results (the lead's outreach slice); until then the report's outreach list is empty. */
  setOutreachSource(source: OutreachSource): void {
    this.outreach = source
  }

  async policy(): Promise<KpiPolicy> {
    return { ...DEFAULT_KPI_POLICY, ...((await this.deps.settings.get<Partial<KpiPolicy>>(POLICY_NAME)) ?? {}) }
  }

  /** Replaces the policy (audited). */
  async setPolicy(input: KpiPolicy, actor: { actor: string; role: string; actorName?: string | null; store?: string | null }): Promise<KpiPolicy> {
    const policy: KpiPolicy = { fenPerPoint: input.fenPerPoint }
    await this.deps.settings.put(POLICY_NAME, policy, actor.actor)
    await this.deps.audit.record({ ...actor, action: 'kpis.policy', details: { ...policy }, at: this.deps.now() })
    return policy
  }

  /**
   * The report over [from, to] (day numbers; the route validates them with kpi-rules rangeProblem). Omitted: `to` is
   * today (Shanghai), `from` the first of the month 11 months before, `store` every store.
   */
  async report(range: Partial<KpiRange> = {}): Promise<KpiReport> {
    const to = range.to ?? shanghaiDayNumber(this.deps.now())
    const from = range.from ?? defaultFrom(to)
    const store = range.store ?? null
    const points = seriesPoints(from, to)
    const months = points.map((p) => p.month)
    const fromAt = startOfShanghaiDayNumber(from)
    const endAt = startOfShanghaiDayNumber(to + 1)

    const [purchaseDays, membersRead, tiers, policy] = await Promise.all([
      this.deps.orders.purchaseDaysBefore(endAt, store),
      this.readMembers(to, months, store),
      this.deps.tiers.current(),
      this.policy(),
    ])
    const storeMembers = membersRead.ids
    const [coupons, messages, outreach] = await Promise.all([
      this.deps.coupons().between(fromAt, endAt, storeMembers),
      this.deps.messages().between(fromAt, endAt, storeMembers),
      this.outreach(fromAt, endAt, store),
    ])

    const rolling = rollingCounts(purchaseDays.values(), points.map((p) => p.at))
    const series = points.map((p, i) => ({ month: p.month, at: dayString(p.at), ...rolling[i]! }))
    const last = series[series.length - 1]!
    const year = rollingYear(to)
    const { tally } = membersRead

    return {
      from: dayString(from),
      to: dayString(to),
      store,
      customers: {
        value: last.customers,
        window: { from: dayString(year.from), to: dayString(year.to) },
        series: series.map((p) => ({ month: p.month, at: p.at, customers: p.customers })),
      },
      oldCustomerRatio: {
        value: ratio(last.oldCustomers, last.customers),
        customers: last.customers,
        oldCustomers: last.oldCustomers,
        series: series.map((p) => ({ month: p.month, at: p.at, customers: p.customers, oldCustomers: p.oldCustomers, ratio: ratio(p.oldCustomers, p.customers) })),
      },
      repeatRate: {
        value: ratio(last.repeatCustomers, last.customers),
        customers: last.customers,
        repeatCustomers: last.repeatCustomers,
        series: series.map((p) => ({ month: p.month, at: p.at, customers: p.customers, repeatCustomers: p.repeatCustomers, rate: ratio(p.repeatCustomers, p.customers) })),
      },
      cohorts: cohorts(purchaseDays.values(), months, to),
      members: { total: tally.total, active30: tally.active30, newByMonth: tally.newMembers() },
      tierMix: tally.tierMix(tiers),
      pointsLiability: {
        available: tally.available,
        pending: tally.pending,
        fenPerPoint: policy.fenPerPoint,
        availableFen: Math.round(tally.available * policy.fenPerPoint),
        pendingFen: Math.round(tally.pending * policy.fenPerPoint),
      },
      coupons: {
        issued: coupons.issued,
        used: coupons.used,
        byMonth: months.map((month) => ({ month, issued: coupons.byMonth.get(month)?.issued ?? 0, used: coupons.byMonth.get(month)?.used ?? 0 })),
      },
      messages,
      outreach,
      at: this.deps.now().toISOString(),
    }
  }

  /**
   * One pass over the members (with a store: those whose home store it is): the tally up to `to`, and with a store
   * the ids of its members (coupons and messages are counted for them).
   */
  private async readMembers(to: number, months: string[], store: string | null): Promise<{ tally: MemberTally; ids: Set<string> | null }> {
    const tally = new MemberTally(to, months)
    const ids = store === null ? null : new Set<string>()
    for await (const m of this.deps.members.kpiRows(store)) {
      const joinedAt = (m as { createdAt?: Date }).createdAt
      if (!joinedAt) continue
      ids?.add(m._id.toString())
      tally.add({
        joinedDay: shanghaiDayNumber(joinedAt),
        lastLoginDay: m.lastLoginAt ? shanghaiDayNumber(m.lastLoginAt) : null,
        tierLevel: m.tierLevel ?? 1,
        available: m.points?.available ?? 0,
        pending: m.points?.pending ?? 0,
      })
    }
    return { tally, ids }
  }
}
