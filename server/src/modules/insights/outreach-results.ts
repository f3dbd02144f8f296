import { liftOf, roiOf, type OutreachResults, type OutreachStep } from '@member-center/shared'
import type { Types } from 'mongoose'
import type { CouponsService } from '../coupons/index.js'
import type { MemberOrders } from '../loyalty/member-orders.js'
import type { MessagingService } from '../messaging/index.js'
import type { InsightsModels, OutreachDoc, OutreachMemberDoc } from './models.js'
import type { OutreachService } from './outreach.js'

const DAY_MS = 86_400_000
/** Members whose purchases are read per query. */
const CHUNK = 500

export interface OutreachResultsDeps {
  models: InsightsModels
  outreach: OutreachService
  orders: MemberOrders
  coupons: CouponsService
  messaging: MessagingService
  now: () => Date
}

interface GroupTally {
  members: number
  buyers: number
  revenueFen: number
  orders: number
}

const fmtPct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)
const fmtPts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} 个百分点`
const fmtYuan = (fen: number) => `${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} 元`

/**
 * An outreach's results (issue 14): for the treated and the holdout group, the members, how many bought within the
 * attribution window from their own start (counting payments only: not cancelled, not refunded in full, not zero),
 * their revenue; the response-rate difference with its 95% interval; the incremental revenue; the cost (messages by
 * how they reached the member, coupons redeemed at face value) and the ROI net of it; and the written review (复盘).
 * Everything is recounted from the enrolments, the orders, the outbox and the coupons, so every figure can be checked.
 */
export class OutreachResultsReader {
  constructor(private readonly deps: OutreachResultsDeps) {}

  async results(id: string): Promise<OutreachResults> {
    const outreach = await this.deps.outreach.doc(id)
    const now = this.deps.now()
    const members = await this.deps.models.OutreachMember.find({ outreachId: outreach._id }, { memberId: 1, group: 1, reason: 1, startAt: 1, steps: 1 }).lean<OutreachMemberDoc[]>()
    const excluded = { marketingOff: 0, suppressed: 0, serialRefunder: 0, busy: 0 }
    const groups = { treated: [] as OutreachMemberDoc[], holdout: [] as OutreachMemberDoc[] }
    for (const m of members) {
      if (m.group === 'excluded') excluded[(m.reason ?? 'suppressed') as keyof typeof excluded]++
      else groups[m.group as 'treated' | 'holdout'].push(m)
    }
    const windowMs = outreach.attributionDays * DAY_MS
    const [treated, holdout] = await Promise.all([this.tally(groups.treated, windowMs), this.tally(groups.holdout, windowMs)])
    const lift = liftOf(treated, holdout)

    const steps = (outreach.steps as OutreachStep[]).map((s, index) => {
      const outcomes = groups.treated.flatMap((m) => ((m.steps ?? []) as { index: number; outcome: string }[]).filter((o) => o.index === index))
      return {
        label: s.label,
        afterDays: s.afterDays,
        sent: outcomes.filter((o) => o.outcome === 'sent').length,
        skipped: outcomes.filter((o) => o.outcome === 'skipped').length,
        couponFailed: outcomes.filter((o) => o.outcome === 'couponFailed').length,
      }
    })

    const reach = await this.deps.messaging.audience.reachByKeyPrefix(`outreach:${id}:`)
    const messages = { wechat: (reach.subscribe ?? 0) + (reach.official_account ?? 0), sms: reach.sms ?? 0, inboxOnly: reach.inbox ?? 0 }
    const messagesFen = messages.wechat * (outreach.messageCostFen?.wechat ?? 0) + messages.sms * (outreach.messageCostFen?.sms ?? 0)
    const coupons = await this.couponCost(outreach, groups.treated)
    const totalFen = messagesFen + coupons.redeemedFen
    const incremental = lift.incrementalRevenueFen
    const roi = roiOf(incremental, totalFen)

    const starts = members.filter((m) => m.group !== 'excluded').map((m) => m.startAt.getTime())
    const from = starts.length > 0 ? new Date(Math.min(...starts)) : null
    const to = starts.length > 0 ? new Date(Math.max(...starts) + windowMs) : null
    const complete = to !== null && to <= now && (this.deps.outreach.statusOf(outreach) === 'finished' || outreach.status === 'cancelled' || !outreach.endAt)

    const significant = lift.low !== null && lift.high !== null && (lift.low > 0 || lift.high < 0)
    const result: OutreachResults = {
      id,
      name: outreach.name,
      status: this.deps.outreach.statusOf(outreach),
      attributionDays: outreach.attributionDays,
      holdoutShare: outreach.holdoutShare,
      audience: { considered: members.length, excluded },
      treated: { ...treated, rate: lift.treatedRate },
      holdout: { ...holdout, rate: lift.holdoutRate },
      lift: { diff: lift.diff, low: lift.low, high: lift.high, significant },
      incrementalRevenueFen: incremental,
      cost: { messages, messagesFen, couponsIssued: coupons.issued, couponsRedeemed: coupons.redeemed, couponsRedeemedFen: coupons.redeemedFen, totalFen },
      roi,
      steps,
      window: { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, complete },
      review: [],
      at: now.toISOString(),
    }
    result.review = this.review(outreach, result)
    return result
  }

  /**
   * The lift of each outreach that started in [from, to] (the KPI report's outreach rows; at most 20, newest first).
   * Outreach is brand-wide: a store's report shows the same rows.
   */
  async liftSummaries(from: Date, to: Date): Promise<{ id: string; name: string; treated: number; holdout: number; treatedRate: number | null; holdoutRate: number | null; lift: number | null; liftLow: number | null; liftHigh: number | null; incrementalRevenueFen: number | null }[]> {
    const docs = await this.deps.models.Outreach.find({ startAt: { $gte: from, $lte: to }, status: { $in: ['running', 'cancelled'] } }, { _id: 1 }).sort({ startAt: -1 }).limit(20).lean()
    const rows = []
    for (const doc of docs) {
      const r = await this.results(doc._id.toString())
      rows.push({
        id: r.id,
        name: r.name,
        treated: r.treated.members,
        holdout: r.holdout.members,
        treatedRate: r.treated.rate,
        holdoutRate: r.holdout.rate,
        lift: r.lift.diff,
        liftLow: r.lift.low,
        liftHigh: r.lift.high,
        incrementalRevenueFen: r.incrementalRevenueFen,
      })
    }
    return rows
  }

  /** Members, buyers, revenue and orders of a group, each member over [their start, start + window). */
  private async tally(members: OutreachMemberDoc[], windowMs: number): Promise<GroupTally> {
    const tally: GroupTally = { members: members.length, buyers: 0, revenueFen: 0, orders: 0 }
    for (let i = 0; i < members.length; i += CHUNK) {
      const chunk = members.slice(i, i + CHUNK)
      const startOf = new Map(chunk.map((m) => [m.memberId.toString(), m.startAt.getTime()]))
      const from = new Date(Math.min(...startOf.values()))
      const to = new Date(Math.max(...startOf.values()) + windowMs)
      const payments = await this.deps.orders.countingPaymentsBetween(chunk.map((m) => m.memberId as Types.ObjectId), from, to)
      const buyers = new Set<string>()
      for (const p of payments) {
        const start = startOf.get(p.memberId)!
        if (p.at.getTime() < start || p.at.getTime() >= start + windowMs) continue
        buyers.add(p.memberId)
        tally.revenueFen += p.netFen
        tally.orders++
      }
      tally.buyers += buyers.size
    }
    return tally
  }

  /** The coupons the outreach's steps issued, and the face value of those used (an amount, or a percentage's cap). */
  private async couponCost(outreach: OutreachDoc, treated: OutreachMemberDoc[]): Promise<{ issued: number; redeemed: number; redeemedFen: number }> {
    const id = outreach._id.toString()
    const keys = (outreach.steps as OutreachStep[]).flatMap((s, index) => (s.couponTemplateId ? treated.map((m) => `outreach:${id}:${index}:${m.memberId.toString()}`) : []))
    const cost = { issued: 0, redeemed: 0, redeemedFen: 0 }
    for (let i = 0; i < keys.length; i += CHUNK) {
      const coupons = await this.deps.coupons.issuer.byKeys(keys.slice(i, i + CHUNK))
      for (const coupon of coupons.values()) {
        if (coupon.state === 'void') continue
        cost.issued++
        if (coupon.state !== 'used') continue
        cost.redeemed++
        cost.redeemedFen += coupon.kind === 'amount' ? (coupon.amountFen ?? 0) : (coupon.capFen ?? 0)
      }
    }
    return cost
  }

  /** The written review (复盘): what was done, what happened, what it is worth, and how sure we are. */
  private review(outreach: OutreachDoc, r: OutreachResults): string[] {
    const lines: string[] = []
    const steps = (outreach.steps as OutreachStep[]).map((s) => `第 ${s.afterDays} 天「${s.label}」`).join('、')
    const excluded = Object.values(r.audience.excluded).reduce((a, b) => a + b, 0)
    lines.push(
      `「${r.name}」共覆盖 ${r.audience.considered} 位会员：排除 ${excluded} 位（退订营销 ${r.audience.excluded.marketingOff}、屏蔽名单 ${r.audience.excluded.suppressed}、频繁退款 ${r.audience.excluded.serialRefunder}、正参与其他触达 ${r.audience.excluded.busy}），` +
        `其余按 ${Math.round(r.holdoutShare * 100)}% 随机留出对照组：接触组 ${r.treated.members} 位，对照组 ${r.holdout.members} 位（对照组不收到任何消息）。步骤：${steps}。`,
    )
    lines.push(
      `归因窗口 ${r.attributionDays} 天内，接触组 ${r.treated.buyers} 位购买（${fmtPct(r.treated.rate)}，收入 ${fmtYuan(r.treated.revenueFen)}），` +
        `对照组 ${r.holdout.buyers} 位购买（${fmtPct(r.holdout.rate)}，收入 ${fmtYuan(r.holdout.revenueFen)}）。`,
    )
    if (r.lift.diff === null || r.lift.low === null || r.lift.high === null) {
      lines.push('接触组或对照组还没有会员，尚不能比较。')
    } else {
      const interval = `95% 置信区间 ${fmtPts(r.lift.low)} 至 ${fmtPts(r.lift.high)}`
      lines.push(
        r.lift.significant
          ? `购买率差异 ${fmtPts(r.lift.diff)}（${interval}），区间不含 0：${r.lift.diff > 0 ? '触达确实提升了购买' : '触达反而降低了购买'}。`
          : `购买率差异 ${fmtPts(r.lift.diff)}（${interval}），区间包含 0：还不能确定触达有效果${r.holdout.members < 100 ? '，对照组人数偏少' : ''}。`,
      )
    }
    if (r.incrementalRevenueFen !== null) {
      lines.push(
        `增量收入约 ${fmtYuan(r.incrementalRevenueFen)}；成本 ${fmtYuan(r.cost.totalFen)}（消息 ${fmtYuan(r.cost.messagesFen)}：微信 ${r.cost.messages.wechat} 条、短信 ${r.cost.messages.sms} 条、仅站内 ${r.cost.messages.inboxOnly} 条；` +
          `券核销 ${r.cost.couponsRedeemed}/${r.cost.couponsIssued} 张，面值 ${fmtYuan(r.cost.couponsRedeemedFen)}）` +
          (r.roi === null ? '，没有成本，不计 ROI。' : `，ROI ${(r.roi * 100).toFixed(0)}%。`),
      )
    }
    if (!r.window.complete) lines.push(`归因窗口尚未结束${r.window.to ? `（至 ${r.window.to.slice(0, 10)}）` : ''}：数字还会变化。`)
    return lines
  }
}
